import Foundation

/// `kind load image-archive FILE… [--name N] [--nodes a,b]` [SRC kind
/// pkg/cmd/kind/load/image-archive/image-archive.go, pkg/cluster/nodeutils/util.go v0.32.0]: every
/// archive is imported into every selected node as it is (no image-ID check, unlike docker-image).
/// The images an archive holds are read from its `manifest.json` (docker-archive format, written by
/// `docker save` on every docker version): each entry's `RepoTags`, with the image ID from `Config`.
extension KindCommand {
    func loadImageArchive(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(args, specs: [.value("name", "n"), .value("nodes")] + KindCommand.global, style: .kind)
        let files = p.positionals + (p.afterDash ?? [])
        // cobra's Args check, then PreRun's warning.
        if files.isEmpty { throw ToolFailure(stderr: "ERROR: name of image archive is required") }
        let out = Output()
        if files.count > 1 {
            out.warn(
                "It is suggested that you save multiple images into a common archive and load that instead of loading multiple archives for better performance"
            )
        }
        func fail(_ line: String) -> ToolResult {
            out.warn(line)
            return quiet(p, out.result(1))
        }
        // os.Stat of every archive before anything else; Go's *PathError text.
        for file in files {
            if !FileManager.default.fileExists(atPath: file) { return fail("ERROR: stat \(file): no such file or directory") }
        }
        let name = clusterName(p)
        let docker = world.docker
        let wanted = p.all("nodes").flatMap { $0.split(separator: ",").map(String.init) }
        for file in files {
            // loadArchiveToNodes, once per archive: the nodes are listed each time.
            let nodeList = docker.containerNames(label: "\(KindCommand.clusterLabel)=\(name)")
            if nodeList.isEmpty { return fail("ERROR: no nodes found for cluster \"\(name)\"") }
            var selected = nodeList
            if !wanted.isEmpty {
                selected = []
                for n in wanted {
                    guard nodeList.contains(n) else { return fail("ERROR: unknown node: \(n)") }
                    selected.append(n)
                }
            }
            // LoadImageArchive asks for the snapshotter before it imports.
            if let failure = snapshotterFailure(selected) { return fail(failure) }
            let images: [(ref: String, id: String)]
            switch KindCommand.archiveImages(file) {
            case .success(let found): images = found
            case .failure(let message):
                // Every node's ctr fails alike; errors.UntilErrorConcurrent returns the first.
                return fail(KindCommand.ctrImportFailure(node: selected[0], output: message.text))
            }
            // The nodes import concurrently: one image-load per image, once.
            world.sleep(world.settings.latency[.imageLoad] * Double(images.count))
            try record(retags: [], loaded: selected.map { ($0, images) }, cluster: name, now: world.now)
        }
        return quiet(p, out.result())
    }

    struct ArchiveError: Error { var text: String }

    /// The tagged images of a docker-archive tar (its manifest.json), read with the host's tar. A file
    /// that is not a tar, or has no manifest.json, fails with an approximation of ctr's message
    /// (containerd's archive importer: archive/tar's header error; "unrecognized image format").
    static func archiveImages(_ file: String) -> Result<[(ref: String, id: String)], ArchiveError> {
        guard let list = runTar(["-tf", file]) else { return .failure(ArchiveError(text: "ctr: archive/tar: invalid tar header")) }
        let entries = Set(list.split(separator: "\n").map(String.init))
        guard let entry = ["manifest.json", "./manifest.json"].first(where: entries.contains),
            let text = runTar(["-xOf", file, entry]), let manifest = try? JSON.parse(text), let items = manifest.array
        else { return .failure(ArchiveError(text: "ctr: unrecognized image format")) }
        var images: [(ref: String, id: String)] = []
        for item in items {
            // "blobs/sha256/<hex>" (docker 25+, OCI layout) or "<hex>.json" (older docker).
            let config = item["Config"]?.string ?? ""
            var hex = (config as NSString).lastPathComponent
            if hex.hasSuffix(".json") { hex = String(hex.dropLast(5)) }
            for tag in item["RepoTags"]?.array ?? [] {
                guard let tag = tag.string else { continue }
                images.append((Kubelet.normalize(tag), "sha256:" + hex))
            }
        }
        return .success(images)
    }

    /// Runs the host's tar; its stdout, or nil when it fails.
    static func runTar(_ args: [String]) -> String? {
        let process = Process()
        let tar = ["/bin/tar", "/usr/bin/tar"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/bin/tar"
        process.executableURL = URL(fileURLWithPath: tar)
        process.arguments = args
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
