import Foundation

/// The TYPE/NAME arguments of get, delete and wait: `TYPE`, `TYPE NAME…`, `TYPE/NAME…`, `a,b,c`.
struct ResourceArgs {
    var requests: [(type: ResourceType, name: String?)] = []

    static func parse(_ args: [String], cluster: ClusterState, command: String) throws(ToolFailure) -> ResourceArgs {
        var r = ResourceArgs()
        guard let first = args.first else {
            // [SRC kubectl pkg/cmd/util/helpers.go + get.go] the usage hint, then the error.
            throw ToolFailure(
                stderr:
                    "You must specify the type of resource to \(command). Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl \(command) -h' for help and examples"
            )
        }
        func lookup(_ word: String) throws(ToolFailure) -> ResourceType {
            guard let t = cluster.type(word: word) else {
                // [SRC kubectl resource builder] the message names groupResource.Resource (no group).
                let resource = word.split(separator: ".").first.map(String.init) ?? word
                throw ToolFailure(stderr: "error: the server doesn't have a resource type \"\(resource)\"")
            }
            return t
        }
        if first.contains("/") {
            for a in args {
                let parts = a.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2 else {
                    throw ToolFailure(
                        stderr:
                            "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl \(command) resource/<resource_name>' instead of 'kubectl \(command) resource resource/<resource_name>'"
                    )
                }
                r.requests.append((try lookup(parts[0]), parts[1]))
            }
            return r
        }
        let types = try first.split(separator: ",").map { (w) throws(ToolFailure) -> ResourceType in try lookup(String(w)) }
        let names = args.dropFirst()
        if names.contains(where: { $0.contains("/") }) {
            throw ToolFailure(
                stderr:
                    "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl \(command) resource/<resource_name>' instead of 'kubectl \(command) resource resource/<resource_name>'"
            )
        }
        if names.isEmpty {
            r.requests = types.map { ($0, nil) }
        } else {
            for t in types { for n in names { r.requests.append((t, n)) } }
        }
        return r
    }
}

/// `kubectl get`.
struct Get {
    let world: World

    func run(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(
            args,
            specs: Kubectl.global + [
                .value("output", "o"), .value("selector", "l"), .bool("all-namespaces", "A"), .bool("ignore-not-found"),
                .value("field-selector"), .bool("show-labels"), .bool("show-managed-fields"), .bool("no-headers"),
                .value("filename", "f"), .bool("watch", "w"), .value("chunk-size"), .value("sort-by"), .value("label-columns", "L"),
            ], style: .kubectl(command: "kubectl get"))
        let format = try Printer.format(p.last("output"))
        let selector: LabelSelector?
        if let l = p.last("selector") {
            guard let s = LabelSelector.parse(l) else {
                throw ToolFailure(stderr: "error: unable to parse requirement: invalid label selector \"\(l)\"")
            }
            selector = s
        } else {
            selector = nil
        }
        let session = try Session(world: world, flags: p)
        let allNS = p.bool("all-namespaces")
        return try session.withCluster(lines: 5) { state, name in
            let cluster = state.clusters[name]!
            var requests: [(type: ResourceType, name: String?)]
            if p.has("filename") {
                requests = try Manifests.read(p.all("filename"), world: world).compactMap { m in
                    cluster.type(kind: m.object.kind ?? "", apiVersion: m.object["apiVersion"]?.string ?? "").map { ($0, m.object.name) }
                }
            } else {
                requests = try ResourceArgs.parse(p.positionals, cluster: cluster, command: "get").requests
            }
            let ns = session.namespace
            var found: [(ResourceType, JSON)] = []
            var errors: [String] = []
            let named = requests.contains { $0.name != nil }
            for req in requests {
                if let n = req.name {
                    if let obj = cluster.get(req.type, namespace: ns, name: n) {
                        found.append((req.type, obj))
                    } else if !p.bool("ignore-not-found") {
                        if req.type.namespaced && !cluster.namespaceExists(ns) {
                            // kubectl ≥1.32 re-checks the namespace after a 404.
                            errors.append("Error from server (NotFound): namespaces \"\(ns)\" not found")
                        } else {
                            errors.append("Error from server (NotFound): \(req.type.qualifiedPlural) \"\(n)\" not found")
                        }
                    }
                } else {
                    var items = cluster.list(req.type, namespace: allNS ? nil : ns)
                    if let selector { items = items.filter { selector.matches($0.labels) } }
                    if let fs = p.last("field-selector") {
                        for clause in fs.split(separator: ",") {
                            let kv = clause.split(separator: "=", maxSplits: 1).map(String.init)
                            if kv.count == 2 {
                                let path = kv[0].replacingOccurrences(of: "==", with: "").split(separator: ".").map(String.init)
                                let negate = kv[0].hasSuffix("!")
                                let key = negate ? Array(path.dropLast()) + [String(path.last!.dropLast())] : path
                                items = items.filter { ($0[pathArray: key]?.scalarText == kv[1]) != negate }
                            }
                        }
                    }
                    found += items.map { (req.type, $0) }
                }
            }
            let out = Output()
            let single = named && requests.count == 1 && found.count == 1
            switch format {
            case .json:
                if single {
                    out.say(Printer.clean(found[0].1).pretty())
                } else if !(named && found.isEmpty) {
                    out.say(Printer.list(found.map(\.1)).pretty())
                }
            case .yaml:
                if single {
                    out.out += Printer.yaml(Printer.clean(found[0].1))
                } else if !(named && found.isEmpty) {
                    out.out += Printer.yaml(Printer.list(found.map(\.1)))
                }
            case .name:
                for (t, o) in found { out.say("\(t.qualifiedKind)/\(o.name ?? "")") }
            case .jsonpath(let tpl):
                if single {
                    out.out += try Printer.jsonpath(tpl, found[0].1)
                } else if !(named && found.isEmpty) {
                    out.out += try Printer.jsonpath(tpl, Printer.list(found.map(\.1)))
                }
            case .table:
                if found.isEmpty && errors.isEmpty {
                    let anyNamespaced = requests.contains { $0.type.namespaced }
                    out.warn(allNS || !anyNamespaced ? "No resources found" : "No resources found in \(ns) namespace.")
                }
                let kinds = Set(found.map { $0.0.kind })
                var first = true
                for req in requests where kinds.contains(req.type.kind) {
                    let items = found.filter { $0.0.kind == req.type.kind }.map(\.1)
                    if items.isEmpty
                        || (req.name != nil
                            && requests.firstIndex(where: { $0.type.kind == req.type.kind })! != requests.firstIndex(where: {
                                $0.type.kind == req.type.kind && $0.name == req.name
                            })!)
                    {
                        continue
                    }
                    if !first { out.out += "\n" }
                    first = false
                    out.out += Printer.table(items, type: req.type, allNamespaces: allNS, now: world.now, withKind: kinds.count > 1)
                }
            }
            out.err += errors.map { $0 + "\n" }.joined()
            return out.result(errors.isEmpty ? 0 : 1)
        }
    }
}
