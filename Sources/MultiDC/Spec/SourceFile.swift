import Foundation
import YAML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads the text files multidc parses (specs, templates), bounded by `YAML.SourceFile.bytes`
/// (the size checked with `fstat` first, never more than `limit + 1` bytes read), with the
/// spec layer's own phrases for what went wrong.
package enum SourceFile {
    /// Why a file cannot be used, as a phrase for the user.
    package enum ReadError: Error, Sendable, Hashable, CustomStringConvertible {
        case noSuchFile
        case isDirectory
        /// `open` or `read` failed: the reason from `strerror` (Permission denied, …).
        case cannotRead(String)
        /// Larger than the limit; `size` is nil when the file has no size (a pipe).
        case tooLarge(size: Int?, limit: Int)
        case notUTF8

        package var description: String {
            switch self {
            case .noSuchFile: return "no such file"
            case .isDirectory: return "is a directory, not a file"
            case .cannotRead(let reason): return "cannot read the file: \(reason)"
            case .tooLarge(let size?, let limit):
                return "input is \(size) bytes, over the limit of \(limit) bytes; split it into smaller files"
            case .tooLarge(nil, let limit):
                return "input is over the limit of \(limit) bytes; split it into smaller files"
            case .notUTF8: return "the file is not UTF-8 text"
            }
        }
    }

    /// The file's text, or why it cannot be read (the bounded read is the YAML module's).
    package static func read(_ path: String, limit: Int) throws(ReadError) -> String {
        try text(bytes(path, limit: limit))
    }

    /// The file's bytes, at most `limit` of them, or why it cannot be read.
    package static func bytes(_ path: String, limit: Int) throws(ReadError) -> [UInt8] {
        do {
            return try YAML.SourceFile.bytes(path: path, limit: limit)
        } catch {
            switch error {
            case .open(let code): throw openError(code)
            case .read(let code): throw code == EISDIR ? .isDirectory : .cannotRead(String(cString: strerror(code)))
            case .isDirectory: throw .isDirectory
            case .tooLarge(let size, let limit): throw .tooLarge(size: size, limit: limit)
            }
        }
    }

    /// Bytes as UTF-8 text (`notUTF8` otherwise).
    package static func text(_ bytes: [UInt8]) throws(ReadError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        return text
    }

    private static func openError(_ code: Int32) -> ReadError {
        switch code {
        case ENOENT:
            // A dangling symlink or a missing directory on the way: both "no such file".
            return .noSuchFile
        case EISDIR: return .isDirectory
        default: return .cannotRead(String(cString: strerror(code)))
        }
    }
}
