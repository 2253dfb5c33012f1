import Foundation
import YAML

/// Resolves the paths a spec names against the spec file's directory (or the directory the
/// caller names), and checks them in the spec's `SpecFiles`.
struct PathResolver {
    /// The spec's directory as the user gave it ("" for the current directory).
    let displayDirectory: String
    /// The spec's directory, absolute.
    let absoluteDirectory: String
    /// When false, missing files are not reported (specs parsed from memory in tests).
    let checkFiles: Bool
    /// Where the files are looked up (the disk, or a git revision).
    let files: any SpecFiles

    /// - Parameters:
    ///   - directory: anchors relative paths instead of the spec file's directory; messages then
    ///     show paths as written, or under `displayDirectory` when given.
    init(
        specFile: String, directory: String? = nil, displayDirectory: String? = nil, checkFiles: Bool,
        files: any SpecFiles = LocalFiles()
    ) {
        let dir = directory ?? (specFile as NSString).deletingLastPathComponent
        self.displayDirectory = directory == nil ? dir : (displayDirectory ?? "")
        absoluteDirectory = Self.absolute(dir)
        self.checkFiles = checkFiles
        self.files = files
    }

    /// A directory as an absolute, standardized path ("" is the current directory).
    static func absolute(_ directory: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let absolute = directory.hasPrefix("/") ? directory : (directory.isEmpty ? cwd : cwd + "/" + directory)
        return (absolute as NSString).standardizingPath
    }

    /// `path` relative to the directory `base` (both absolute and standardized): `x.yaml`,
    /// `../shared/x.yaml`.
    static func relative(from base: String, to path: String) -> String {
        let from = base.split(separator: "/")
        let to = path.split(separator: "/")
        var common = 0
        while common < from.count, common < to.count, from[common] == to[common] { common += 1 }
        return (Array(repeating: "..", count: from.count - common) + to[common...].map(String.init)).joined(separator: "/")
    }

    /// A template reference; templates that exist are remembered in `reader.templates`, so
    /// they are checked even when the spec itself has errors.
    func template(_ written: String, at node: Node, reader: inout SpecReader) -> FileReference? {
        if FileReference.isURL(written) {
            reader.error(
                "template '\(written)' is a URL; templates must be local files (multidc parses and checks them before apply)",
                at: node.mark)
            return FileReference(written: written, resolved: written, display: written)
        }
        let before = reader.diagnostics.count
        let reference = reference(written, at: node, reader: &reader)
        if let reference, reader.diagnostics.count == before, reader.templateMarks[reference.resolved] == nil {
            reader.templates.append(reference)
            reader.templateMarks[reference.resolved] = node.mark
        }
        return reference
    }

    /// The reference for `written`; a missing local file is an error at `node` (the reference
    /// is still returned, so that one missing file does not cascade into more errors).
    func reference(_ written: String, at node: Node, reader: inout SpecReader) -> FileReference? {
        if FileReference.isURL(written) {
            return FileReference(written: written, resolved: written, display: written)
        }
        let isAbsolute = written.hasPrefix("/")
        let resolved = isAbsolute ? written : ((absoluteDirectory + "/" + written) as NSString).standardizingPath
        let display = files.display(isAbsolute || displayDirectory.isEmpty ? written : displayDirectory + "/" + written)
        if checkFiles {
            let looked = display == written ? "" : " (looked for \(display))"
            switch files.entry(resolved) {
            case .missing: reader.error("file '\(written)' does not exist\(looked)", at: node.mark)
            case .directory: reader.error("'\(written)' is a directory, not a file\(looked)", at: node.mark)
            case .file: break
            }
        }
        let reference = FileReference(written: written, resolved: resolved, display: display)
        reader.references.append(reference)
        return reference
    }
}
