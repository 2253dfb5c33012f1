import ArgumentParser
import MultiDC

/// `multidc version`: the version and the commit the binary was built from.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version and the commit multidc was built from.",
        discussion: """
            The commit is stamped into the binary by scripts/install.sh at build time (never looked up over the network); a plain `swift build` says `commit unknown`.

            Example:
              multidc version
            """
    )

    static var text: String {
        let commit = BuildInfo.commit.map { "commit \($0)" } ?? "commit unknown"
        let dirty = BuildInfo.dirty ? ", with uncommitted changes" : ""
        return "multidc \(MultiDCVersion.current) (\(commit)\(dirty))"
    }

    /// The version an apply records in its provenance: `0.1.0`, with the commit when stamped
    /// (`0.1.0 (commit 0123abcd4567)`).
    static var recordedVersion: String {
        guard let commit = BuildInfo.commit else { return MultiDCVersion.current }
        return "\(MultiDCVersion.current) (commit \(commit)\(BuildInfo.dirty ? ", with uncommitted changes" : ""))"
    }

    func run() throws {
        Terminal.out(Self.text + "\n")
    }
}
