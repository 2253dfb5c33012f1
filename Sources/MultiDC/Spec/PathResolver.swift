import Foundation
import YAML

/// Resolves the paths a spec names against the spec file's directory.
struct PathResolver {
    /// The spec's directory as the user gave it ("" for the current directory).
    let displayDirectory: String
    /// The spec's directory, absolute.
    let absoluteDirectory: String
    /// When false, missing files are not reported (specs parsed from memory in tests).
    let checkFiles: Bool

    init(specFile: String, directory: String? = nil, checkFiles: Bool) {
        let dir = directory ?? (specFile as NSString).deletingLastPathComponent
        displayDirectory = directory == nil ? dir : ""
        let cwd = FileManager.default.currentDirectoryPath
        let absolute = dir.hasPrefix("/") ? dir : (dir.isEmpty ? cwd : cwd + "/" + dir)
        absoluteDirectory = (absolute as NSString).standardizingPath
        self.checkFiles = checkFiles
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
        let display = isAbsolute || displayDirectory.isEmpty ? written : displayDirectory + "/" + written
        if checkFiles {
            var isDirectory: ObjCBool = false
            let looked = display == written ? "" : " (looked for \(display))"
            if !FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) {
                reader.error("file '\(written)' does not exist\(looked)", at: node.mark)
            } else if isDirectory.boolValue {
                reader.error("'\(written)' is a directory, not a file\(looked)", at: node.mark)
            }
        }
        return FileReference(written: written, resolved: resolved, display: display)
    }
}
