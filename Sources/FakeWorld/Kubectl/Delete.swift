import Foundation

/// `kubectl delete` (TYPE NAME, TYPE/NAME, -f, -l, --all, --ignore-not-found).
struct Delete {
    let world: World

    func run(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(
            args,
            specs: Kubectl.global + [
                .value("filename", "f"), .bool("ignore-not-found"), .value("selector", "l"), .bool("all"), .bool("all-namespaces", "A"),
                .value("grace-period"), .bool("force"), .value("timeout"), .value("wait"), .bool("now"), .value("output", "o"),
                .value("cascade"), .bool("recursive", "R"), .value("dry-run"),
            ], style: .kubectl(command: "kubectl delete"))
        let session = try Session(world: world, flags: p)
        let manifests = p.has("filename") ? try Manifests.read(p.all("filename"), world: world) : []
        return try session.withCluster(lines: 5) { state, name in
            var cluster = state.clusters[name]!
            defer { state.clusters[name] = cluster }
            var targets: [(ResourceType, String, String?)] = []
            var errors: [String] = []
            if p.has("filename") {
                for m in manifests {
                    guard let t = cluster.type(kind: m.object.kind ?? "", apiVersion: m.object["apiVersion"]?.string ?? "") else {
                        errors.append(
                            "error: resource mapping not found for name: \"\(m.object.name ?? "")\" namespace: \"\(m.object.namespace ?? "")\" from \"\(m.source)\": no matches for kind \"\(m.object.kind ?? "")\" in version \"\(m.object["apiVersion"]?.string ?? "")\"\nensure CRDs are installed first"
                        )
                        continue
                    }
                    targets.append((t, m.object.name ?? "", t.namespaced ? (m.object.namespace ?? session.namespace) : nil))
                }
            } else {
                let reqs = try ResourceArgs.parse(p.positionals, cluster: cluster, command: "delete").requests
                for r in reqs {
                    if let n = r.name { targets.append((r.type, n, session.namespace)); continue }
                    guard p.bool("all") || p.has("selector") else {
                        throw ToolFailure(stderr: "error: resource(s) were provided, but no name was specified")
                    }
                    let sel = p.last("selector").flatMap(LabelSelector.parse)
                    for o in cluster.list(r.type, namespace: p.bool("all-namespaces") ? nil : session.namespace)
                    where sel?.matches(o.labels) ?? true {
                        targets.append((r.type, o.name ?? "", o.namespace))
                    }
                }
            }
            let out = Output()
            if targets.isEmpty && errors.isEmpty && !p.has("filename") { out.warn("No resources found") }
            for (t, n, ns) in targets {
                if cluster.delete(t, namespace: ns, name: n) != nil {
                    out.say("\(t.qualifiedKind) \"\(n)\" deleted")
                } else if !p.bool("ignore-not-found") {
                    errors.append("Error from server (NotFound): \(t.qualifiedPlural) \"\(n)\" not found")
                }
            }
            out.err += errors.map { $0 + "\n" }.joined()
            return out.result(errors.isEmpty ? 0 : 1)
        }
    }
}
