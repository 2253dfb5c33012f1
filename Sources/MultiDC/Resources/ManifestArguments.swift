/// How a step hands the manifest files a spec names to `kubectl apply`: as `-f PATH` (and
/// `-f URL`) when they are on disk; for a spec read from a git revision (`--rev`), whose files are
/// not on disk, their text on stdin (`-f -`), in spec order, with URLs still as `-f URL`.
/// Decided at plan time from the loaded spec (no I/O: the revision's files are in memory).
struct ManifestArguments: Sendable, Hashable {
    /// `-f` arguments: paths and URLs.
    var files: [String]
    /// The local files' text, as one multi-document YAML stream (nil: none inline).
    var inline: String?

    init(files: [String], inline: String? = nil) {
        self.files = files
        self.inline = inline
    }

    init(_ references: [FileReference], loaded: LoadedTopology) {
        guard case .revision = loaded.origin else {
            self.init(files: references.map(\.resolved))
            return
        }
        var documents: [String] = []
        for reference in references where !reference.isURL {
            // The loader checked every file exists at the revision; a read cannot fail here.
            let text = (try? loaded.files.text(reference.resolved, limit: Int.max)) ?? ""
            documents.append(text.hasSuffix("\n") ? text : text + "\n")
        }
        self.init(files: references.filter(\.isURL).map(\.resolved), inline: documents.isEmpty ? nil : documents.joined(separator: "---\n"))
    }

    /// The `kubectl apply` of these manifests.
    func apply(_ kubectl: Kubectl) -> Command {
        if let inline { return kubectl.apply(inline: inline, files: files) }
        return kubectl.apply(files: files)
    }
}
