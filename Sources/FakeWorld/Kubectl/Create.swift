import Foundation

/// `kubectl create secret generic|tls` and `kubectl create namespace`.
struct Create {
    let world: World

    func run(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(
            args,
            specs: Kubectl.global + [
                .value("from-literal"), .value("from-file"), .value("from-env-file"), .value("type"), .value("dry-run"),
                .value("output", "o"), .value("filename", "f"), .bool("save-config"), .value("cert"), .value("key"), .bool("append-hash"),
            ], style: .kubectl(command: "kubectl create"))
        let words = p.positionals
        var obj: JSON
        var type: ResourceType
        switch (words.first, words.dropFirst().first) {
        case ("secret", "generic"), ("secret", "tls"):
            guard words.count == 3 else {
                throw ToolFailure(
                    stderr:
                        "error: exactly one NAME is required, got \(max(0, words.count - 2))\nSee 'kubectl create secret \(words[1]) -h' for help and examples"
                )
            }
            var data: [String: JSON] = [:]
            for lit in p.all("from-literal") {
                let kv = lit.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard kv.count == 2, !kv[0].isEmpty else {
                    throw ToolFailure(stderr: "error: invalid literal source \(lit), expected key=value")
                }
                data[kv[0]] = .string(Data(kv[1].utf8).base64EncodedString())
            }
            for f in p.all("from-file") {
                let kv = f.split(separator: "=", maxSplits: 1).map(String.init)
                let path = kv.last!, key = kv.count == 2 ? kv[0] : URL(fileURLWithPath: path).lastPathComponent
                guard let contents = FileManager.default.contents(atPath: path) else {
                    throw ToolFailure(stderr: "error: error reading \(path): no such file or directory")
                }
                data[key] = .string(contents.base64EncodedString())
            }
            var secretType = p.last("type") ?? "Opaque"
            if words[1] == "tls" {
                secretType = "kubernetes.io/tls"
                for (flag, key) in [("cert", "tls.crt"), ("key", "tls.key")] {
                    guard let path = p.last(flag), let contents = FileManager.default.contents(atPath: path) else {
                        throw ToolFailure(stderr: "error: open \(p.last(flag) ?? ""): no such file or directory")
                    }
                    data[key] = .string(contents.base64EncodedString())
                }
            }
            obj = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(words[2])], "type": .string(secretType)]
            if !data.isEmpty { obj["data"] = .object(data) }
            type = .secret
        case ("namespace", _), ("ns", _):
            guard words.count == 2 else {
                throw ToolFailure(
                    stderr:
                        "error: exactly one NAME is required, got \(words.count - 1)\nSee 'kubectl create namespace -h' for help and examples"
                )
            }
            obj = [
                "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(words[1])], "spec": .object([:]),
                "status": .object([:]),
            ]
            type = .namespace
        case (let w?, _):
            throw ToolFailure(stderr: "error: unknown command \"\(w)\" for \"kubectl create\"")
        default:
            throw ToolFailure(stderr: "error: must specify one of -f and -k")
        }
        let session = try Session(world: world, flags: p)
        if type.namespaced { obj[path: "metadata", "namespace"] = .string(session.namespace) }
        let format = try Printer.format(p.last("output"))
        if let dry = p.last("dry-run"), dry == "client" || dry == "true" {
            // Client dry run prints Go struct order; creationTimestamp null (not modelled: sorted keys).
            obj[path: "metadata", "creationTimestamp"] = .null
            switch format {
            case .json: return ToolResult(stdout: obj.pretty() + "\n")
            case .yaml: return ToolResult(stdout: Printer.yaml(obj))
            default: return ToolResult(stdout: "\(type.qualifiedKind)/\(obj.name ?? "") created (dry run)\n")
            }
        }
        return try session.withCluster(lines: 5) { state, name in
            var c = state.clusters[name]!
            defer { state.clusters[name] = c }
            if type.namespaced, let ns = obj.namespace, !c.namespaceExists(ns) {
                throw ToolFailure(stderr: "error: failed to create \(type.singular) namespaces \"\(ns)\" not found")
            }
            if c.get(type, namespace: obj.namespace, name: obj.name ?? "") != nil {
                // [kubectl create secret]: "failed to create secret <status message>"; create namespace prints the raw status.
                if type.kind == "Namespace" {
                    throw ToolFailure(stderr: "Error from server (AlreadyExists): namespaces \"\(obj.name ?? "")\" already exists")
                }
                throw ToolFailure(stderr: "error: failed to create \(type.singular) \(type.plural) \"\(obj.name ?? "")\" already exists")
            }
            let created = c.create(obj, type: type, now: world.now)
            switch format {
            case .json: return ToolResult(stdout: created.pretty() + "\n")
            case .yaml: return ToolResult(stdout: Printer.yaml(created))
            case .name: return ToolResult(stdout: "\(type.qualifiedKind)/\(obj.name ?? "")\n")
            default: return ToolResult(stdout: "\(type.qualifiedKind)/\(obj.name ?? "") created\n")
            }
        }
    }
}
