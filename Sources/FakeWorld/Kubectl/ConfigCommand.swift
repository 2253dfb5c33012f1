import Foundation

/// `kubectl config get-contexts | current-context | use-context | view | delete-context | rename-context`.
struct ConfigCommand {
    let world: World

    func run(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(
            args,
            specs: Kubectl.global + [
                .value("output", "o"), .bool("minify"), .bool("raw"), .bool("flatten"), .bool("no-headers"),
            ], style: .kubectl(command: "kubectl config"))
        let paths = Kubeconfig.readPaths(flag: p.last("kubeconfig"), env: world.env)
        let kc = try Kubeconfig.loadMerged(paths: paths)
        let words = p.positionals
        switch words.first {
        case "get-contexts":
            let selected = Array(words.dropFirst())
            let names = selected.isEmpty ? kc.contextNames : selected.filter { kc.contextNames.contains($0) }
            if p.last("output") == "name" {
                let missing = selected.filter { !kc.contextNames.contains($0) }
                return ToolResult(
                    stdout: names.map { $0 + "\n" }.joined(), stderr: missing.map { "error: context \($0) not found\n" }.joined(),
                    code: missing.isEmpty ? 0 : 1)
            }
            if let o = p.last("output") { throw ToolFailure(stderr: "error: output must be one of '' or 'name': \(o)") }
            var rows = [["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"]]
            for n in names {
                let c = kc.entry("contexts", n)
                rows.append([
                    n == kc.currentContext ? "*" : "", n, c?[path: "context", "cluster"]?.string ?? "",
                    c?[path: "context", "user"]?.string ?? "", c?[path: "context", "namespace"]?.string ?? "",
                ])
            }
            let missing = selected.filter { !kc.contextNames.contains($0) }
            return ToolResult(
                stdout: Printer.columns(rows), stderr: missing.map { "error: context \($0) not found\n" }.joined(),
                code: missing.isEmpty ? 0 : 1)
        case "current-context":
            guard !kc.currentContext.isEmpty else { throw ToolFailure(stderr: "error: current-context is not set") }
            return ToolResult(stdout: kc.currentContext + "\n")
        case "use-context", "use":
            guard words.count == 2 else {
                throw ToolFailure(
                    stderr: "error: Unexpected args: \(Array(words.dropFirst()))\nSee 'kubectl config use-context -h' for help and examples"
                )
            }
            guard kc.contextNames.contains(words[1]) else {
                throw ToolFailure(stderr: "error: no context exists with the name: \"\(words[1])\"")
            }
            let path = paths.first { FileManager.default.fileExists(atPath: $0) } ?? paths[0]
            try world.store.transaction { _ in
                var file = try Kubeconfig.load(path: path) ?? Kubeconfig(document: Kubeconfig.empty)
                file.document["current-context"] = .string(words[1])
                try file.write(path: path)
            }
            return ToolResult(stdout: "Switched to context \"\(words[1])\".\n")
        case "delete-context":
            guard words.count == 2 else { throw ToolFailure(stderr: "error: Unexpected args") }
            let path = paths[0]
            guard var file = try Kubeconfig.load(path: path), file.entry("contexts", words[1]) != nil else {
                throw ToolFailure(stderr: "error: cannot delete context \(words[1]), not in \(path)")
            }
            file.document["contexts"] = .array((file.document["contexts"]?.array ?? []).filter { $0["name"]?.string != words[1] })
            try file.write(path: path)
            return ToolResult(stdout: "deleted context \(words[1]) from \(path)\n")
        case "rename-context":
            return try renameContext(Array(words.dropFirst()), paths: paths, merged: kc, explicit: p.last("kubeconfig"))
        case "view":
            var doc = kc.document
            if p.bool("minify") {
                let ctx = p.last("context") ?? kc.currentContext
                guard let c = kc.entry("contexts", ctx) else {
                    throw ToolFailure(stderr: "error: cannot locate context \(ctx)")
                }
                let cl = c[path: "context", "cluster"]?.string ?? "", user = c[path: "context", "user"]?.string ?? ""
                doc["contexts"] = [c]
                doc["clusters"] = .array(kc.entry("clusters", cl).map { [$0] } ?? [])
                doc["users"] = .array(kc.entry("users", user).map { [$0] } ?? [])
                doc["current-context"] = .string(ctx)
            }
            if !p.bool("raw") { doc = redact(doc) }
            switch try Printer.format(p.last("output")) {
            case .json: return ToolResult(stdout: ordered(doc) + "\n")
            case .jsonpath(let t): return ToolResult(stdout: try Printer.jsonpath(t, doc))
            default: return ToolResult(stdout: Printer.yaml(doc))
            }
        case let w?:
            throw ToolFailure(stderr: "error: unknown command \"\(w)\" for \"kubectl config\"")
        case nil:
            throw ToolFailure(
                stderr: "error: Missing or incomplete configuration info.  Please point to an existing, complete config file:")
        }
    }

    /// `kubectl config rename-context OLD NEW` [SRC kubernetes
    /// staging/src/k8s.io/kubectl/pkg/cmd/config/rename_context.go v1.33 (Complete, Validate,
    /// RunRenameContext); client-go tools/clientcmd/loader.go and config.go (GetDefaultFilename,
    /// ModifyConfig: an entry is written back to the file that defines it)]: the context keeps its
    /// cluster and user; current-context follows the rename.
    func renameContext(_ args: [String], paths: [String], merged kc: Kubeconfig, explicit: String?) throws -> ToolResult {
        guard args.count == 2 else {
            throw ToolFailure(
                stderr:
                    "error: Unexpected args: [\(args.joined(separator: " "))]\nSee 'kubectl config rename-context -h' for help and examples"
            )
        }
        let (old, new) = (args[0], args[1])
        guard !new.isEmpty else { throw ToolFailure(stderr: "error: You must specify a new non-empty context name") }
        // GetDefaultFilename: the explicit file, else the only $KUBECONFIG path, else its first existing one, else its last.
        let fm = FileManager.default
        let configFile =
            explicit ?? (paths.count == 1 ? paths[0] : paths.first { fm.fileExists(atPath: $0) } ?? paths.last ?? "")
        guard kc.contextNames.contains(old) else {
            throw ToolFailure(stderr: "error: cannot rename the context \"\(old)\", it's not in \(configFile)")
        }
        guard !kc.contextNames.contains(new) else {
            throw ToolFailure(
                stderr: "error: cannot rename the context \"\(old)\", the context \"\(new)\" already exists in \(configFile)")
        }
        let renamedCurrent = kc.currentContext == old
        try world.store.transaction { _ in
            var contextDone = false, currentDone = !renamedCurrent
            for path in paths where !(contextDone && currentDone) {
                guard var file = try Kubeconfig.load(path: path) else { continue }
                var changed = false
                if !contextDone, var entry = file.entry("contexts", old) {
                    entry["name"] = .string(new)
                    file.document["contexts"] = .array(
                        (file.document["contexts"]?.array ?? []).map { $0["name"]?.string == old ? entry : $0 })
                    contextDone = true
                    changed = true
                }
                if !currentDone, let current = file.document["current-context"]?.string, !current.isEmpty {
                    // The first file that sets current-context is the one kubectl reads it from.
                    if current == old {
                        file.document["current-context"] = .string(new)
                        changed = true
                    }
                    currentDone = true
                }
                if changed { try file.write(path: path) }
            }
        }
        return ToolResult(stdout: "Context \"\(old)\" renamed to \"\(new)\".\n")
    }

    /// Secrets in a kubeconfig print as DATA+OMITTED / REDACTED unless --raw.
    func redact(_ doc: JSON) -> JSON {
        var d = doc
        d["clusters"] = .array(
            (doc["clusters"]?.array ?? []).map { c in
                var c = c
                if c[path: "cluster", "certificate-authority-data"] != nil {
                    c[path: "cluster", "certificate-authority-data"] = "DATA+OMITTED"
                }
                return c
            })
        d["users"] = .array(
            (doc["users"]?.array ?? []).map { u in
                var u = u
                for k in ["client-certificate-data", "client-key-data"] where u[path: "user", k] != nil {
                    u[path: "user", k] = "DATA+OMITTED"
                }
                if u[path: "user", "token"] != nil { u[path: "user", "token"] = "REDACTED" }
                return u
            })
        return d
    }

    /// `config view -o json`: Go struct order (kind, apiVersion, preferences, clusters, users, contexts, current-context), 4-space indent.
    func ordered(_ doc: JSON) -> String {
        let keys = ["kind", "apiVersion", "preferences", "clusters", "users", "contexts", "current-context"]
        let body = keys.map { k in
            "    \(JSON.quote(k)): \((doc[k] ?? (k == "preferences" ? .object([:]) : k == "current-context" ? "" : .array([]))).pretty(level: 1))"
        }
        return "{\n" + body.joined(separator: ",\n") + "\n}"
    }
}
