import Foundation

/// `kubectl label|annotate TYPE NAME|TYPE/NAME k=v… k-… [--overwrite]`.
struct Label {
    let world: World
    let annotate: Bool

    func run(_ args: [String]) throws -> ToolResult {
        let verb = annotate ? "annotate" : "label"
        let p = try FlagParser.parse(
            args,
            specs: Kubectl.global + [
                .bool("overwrite"), .bool("all"), .value("selector", "l"), .value("output", "o"), .value("resource-version"), .bool("list"),
            ],
            style: .kubectl(command: "kubectl \(verb)"))
        let changes = p.positionals.filter { $0.contains("=") || ($0.hasSuffix("-") && !$0.contains("/")) }
        let targets = p.positionals.filter { !changes.contains($0) }
        guard !changes.isEmpty else {
            throw ToolFailure(stderr: "error: at least one \(annotate ? "annotation" : "label") update is required")
        }
        let session = try Session(world: world, flags: p)
        return try session.withCluster(lines: 5) { state, name in
            var c = state.clusters[name]!
            defer { state.clusters[name] = c }
            let reqs = try ResourceArgs.parse(targets, cluster: c, command: verb).requests
            var out = ""
            var errors: [String] = []
            for r in reqs {
                var objects: [JSON] = []
                if let n = r.name {
                    guard let o = c.get(r.type, namespace: session.namespace, name: n) else {
                        errors.append("Error from server (NotFound): \(r.type.qualifiedPlural) \"\(n)\" not found"); continue
                    }
                    objects = [o]
                } else {
                    let sel = p.last("selector").flatMap(LabelSelector.parse)
                    objects = c.list(r.type, namespace: session.namespace).filter { sel?.matches($0.labels) ?? p.bool("all") }
                }
                for var o in objects {
                    let field = annotate ? "annotations" : "labels"
                    var map = o[path: "metadata", field]?.object ?? [:]
                    var changed = false
                    for ch in changes {
                        if ch.hasSuffix("-") && !ch.contains("=") {
                            if map.removeValue(forKey: String(ch.dropLast())) != nil { changed = true }
                            continue
                        }
                        let kv = ch.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                        if let old = map[kv[0]]?.string, old != kv[1], !p.bool("overwrite") {
                            errors.append("error: '\(kv[0])' already has a value (\(old)), and --overwrite is false")
                            continue
                        }
                        if map[kv[0]]?.string != kv[1] { changed = true }
                        map[kv[0]] = .string(kv[1])
                    }
                    o[path: "metadata", field] = .object(map)
                    if changed { c.store(o, type: r.type) }
                    out +=
                        "\(r.type.qualifiedKind)/\(o.name ?? "") \(changed ? (annotate ? "annotated" : "labeled") : "not \(annotate ? "annotated" : "labeled")")\n"
                }
            }
            return ToolResult(stdout: out, stderr: errors.map { $0 + "\n" }.joined(), code: errors.isEmpty ? 0 : 1)
        }
    }
}
