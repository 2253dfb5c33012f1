import Foundation

/// `kind load docker-image IMAGE… [--name N] [--nodes a,b]` [SRC kind
/// pkg/cmd/kind/load/docker-image/docker-image.go, pkg/cluster/nodeutils/util.go v0.32.0]: the images
/// must be in the REAL engine; a node that lacks one gets all of them (one `docker save` tar, imported
/// into every selected node at once). The nodes' image stores are the world's (ClusterState.images).
extension KindCommand {
    func loadDockerImage(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(args, specs: [.value("name", "n"), .value("nodes")] + KindCommand.global, style: .kind)
        let given = p.positionals + (p.afterDash ?? [])
        // cobra's Args check.
        if given.isEmpty { throw ToolFailure(stderr: "ERROR: a list of image names is required") }
        var images: [String] = []
        for image in given where !images.contains(image) { images.append(image) }
        let docker = world.docker
        var ids: [String] = []
        for image in images {
            let r = docker.run(["image", "inspect", "-f", "{{ .Id }}", image])
            let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
            guard r.ok, lines.count == 1 else { throw ToolFailure(stderr: "ERROR: image: \"\(image)\" not present locally") }
            ids.append(lines[0])
        }
        // cli.OverrideDefaultName: --name, else KIND_CLUSTER_NAME, else "kind".
        let name = clusterName(p)
        let nodeList = docker.containerNames(label: "\(KindCommand.clusterLabel)=\(name)")
        if nodeList.isEmpty { throw ToolFailure(stderr: "ERROR: no nodes found for cluster \"\(name)\"") }
        var candidates = nodeList
        let wanted = p.all("nodes").flatMap { $0.split(separator: ",").map(String.init) }
        if !wanted.isEmpty {
            candidates = []
            for n in wanted {
                guard nodeList.contains(n) else { throw ToolFailure(stderr: "ERROR: unknown node: \"\(n)\"") }
                candidates.append(n)
            }
        }
        let out = Output()
        let now = world.now
        let stores = world.store.read().clusters[name]?.images.onNode ?? [:]
        // What each node holds now (a pull still under way is not there yet: crictl inspecti fails).
        func present(_ node: String) -> [String: ImageOnNode] { (stores[node] ?? [:]).filter { $0.value.presentAt <= now } }
        var selected: [String] = []
        var retags: [(node: String, image: String, id: String)] = []
        for (i, image) in images.enumerated() {
            let id = ids[i]
            var processed = false
            for node in candidates {
                let held = present(node)
                let tags = Set(held.filter { $0.value.id == id }.keys)
                let sanitized = Kubelet.normalize(image)
                if !tags.isEmpty {
                    if tags.contains(sanitized) { continue }
                    out.warn("Image with ID: \(id) already present on the node \(node) but is missing the tag \(sanitized). re-tagging...")
                    retags.append((node, sanitized, id))
                    processed = true
                    continue
                }
                // nodeutils.ImageID: `crictl inspecti IMAGE` on the node.
                if held[sanitized]?.id != id {
                    if !selected.contains(node) { selected.append(node) }
                    out.warn("Image: \(goQuote(image)) with ID \(goQuote(id)) not yet present on node \(goQuote(node)), loading...")
                }
            }
            // As kind does: the check counts the nodes selected for any image so far.
            if selected.isEmpty && !processed {
                out.warn("Image: \(goQuote(image)) with ID \(goQuote(id)) found to be already present on all nodes.")
            }
        }
        if !selected.isEmpty {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("images-tar\(UInt32.random(in: 0...UInt32.max))")
            try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let save = ["save", "-o", dir.appendingPathComponent("images.tar").path] + images
            let r = docker.run(save)
            if !r.ok {
                out.warn("ERROR: command \"\(Docker.commandLine(save))\" failed with error: exit status \(r.code)")
                out.warn("\nCommand Output: \(r.stderr.trimmingCharacters(in: .newlines))")
                return quiet(p, out.result(1))
            }
            // The selected nodes import the tar concurrently (errors.UntilErrorConcurrent): one
            // image-load per image, once.
            world.sleep(world.settings.latency[.imageLoad] * Double(images.count))
        }
        let loadedAt = world.now
        if !selected.isEmpty || !retags.isEmpty {
            try world.store.transaction { state in
                guard var c = state.clusters[name] else { return }
                for (node, image, id) in retags { c.images.onNode[node, default: [:]][image] = ImageOnNode(id: id, presentAt: now) }
                for node in selected {
                    for (i, image) in images.enumerated() {
                        let ref = Kubelet.normalize(image)
                        let old = c.images.onNode[node]?[ref]
                        let since = old.map { $0.presentAt <= loadedAt ? $0.presentAt : loadedAt } ?? loadedAt
                        c.images.onNode[node, default: [:]][ref] = ImageOnNode(id: ids[i], presentAt: since)
                    }
                }
                state.clusters[name] = c
            }
        }
        return quiet(p, out.result())
    }
}

/// Go's %q for the plain strings kind prints (image names, IDs, node names).
func goQuote(_ s: String) -> String {
    "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}
