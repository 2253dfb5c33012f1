import Foundation
import YAML

/// One file named by `spec.manifests`, read and parsed once, by the loader.
package struct ManifestFile: Sendable {
    package var reference: FileReference
    /// Its YAML documents; empty for a URL (the tool fetches it at apply time).
    package var documents: [Node]
    /// The bytes as read (empty for a URL); what the digest covers.
    var bytes: [UInt8]
}

/// Reads the spec's `manifests` files once, at load time, so that a missing, unreadable or
/// broken manifest is a positioned error of `validate`, and planning does no I/O.
enum ManifestFiles {
    /// The files read and parsed, or every problem found in them.
    static func load(
        _ references: [FileReference], from source: any SpecFiles = LocalFiles(), limit: Int = ParseLimits.default.maxBytes,
        at field: (Int) -> Diagnostic.Builder
    ) -> (
        files: [ManifestFile], problems: [Diagnostic]
    ) {
        var files: [ManifestFile] = []
        var problems: [Diagnostic] = []
        for (index, reference) in references.enumerated() {
            guard !reference.isURL else {
                files.append(ManifestFile(reference: reference, documents: [], bytes: []))
                continue
            }
            switch source.entry(reference.resolved) {
            case .missing:
                problems.append(field(index)("manifest '\(reference.written)' does not exist"))
                continue
            case .directory:
                problems.append(field(index)("manifest '\(reference.written)' is a directory; name the YAML files in it"))
                continue
            case .file:
                break
            }
            let bytes: [UInt8]
            let text: String
            do {
                bytes = try source.bytes(reference.resolved, limit: limit)
                text = try SourceFile.text(bytes)
            } catch {
                switch error {
                case .notUTF8: problems.append(field(index)("manifest '\(reference.written)' is not UTF-8 text"))
                case .tooLarge: problems.append(field(index)("manifest '\(reference.written)' is too large: \(error)"))
                default: problems.append(field(index)("cannot read manifest '\(reference.written)': \(error)"))
                }
                continue
            }
            do {
                let documents = try YAMLParser.parseDocuments(text, file: reference.display)
                files.append(ManifestFile(reference: reference, documents: documents, bytes: bytes))
            } catch {
                problems.append(error)
            }
        }
        return (files, problems)
    }

    /// SHA-256 over the files' names and contents, in order (nil when there are none): what the
    /// ownership record keeps, so a changed file is re-applied.
    static func digest(_ files: [ManifestFile]) -> String? {
        guard !files.isEmpty else { return nil }
        var bytes: [UInt8] = []
        for file in files {
            bytes += Array(file.reference.written.utf8) + [0]
            bytes += file.bytes
            bytes.append(0)
        }
        return SHA256.hex(bytes)
    }
}

extension Diagnostic {
    /// Makes a diagnostic from a message, at a place decided by the caller.
    typealias Builder = (String) -> Diagnostic
}
