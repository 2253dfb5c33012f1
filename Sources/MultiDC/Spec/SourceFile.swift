import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads the text files multidc parses (specs, templates), bounded: the size is checked with
/// `fstat` before reading, and at most `limit + 1` bytes are ever read (a pipe or device
/// without a size cannot make multidc read more than that either).
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

    /// The file's text, or why it cannot be read.
    package static func read(_ path: String, limit: Int) throws(ReadError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw openError(errno, path: path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .cannotRead(String(cString: strerror(errno))) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory }
        if (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) > limit { throw .tooLarge(size: Int(info.st_size), limit: limit) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while bytes.count <= limit {
            let wanted = min(chunk.count, limit + 1 - bytes.count)
            let n = chunk.withUnsafeMutableBytes { readBytes(fd, $0.baseAddress, wanted) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EISDIR { throw .isDirectory }
                throw .cannotRead(String(cString: strerror(errno)))
            }
            if n == 0 { break }
            bytes += chunk[..<n]
        }
        if bytes.count > limit { throw .tooLarge(size: nil, limit: limit) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        return text
    }

    private static func readBytes(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.read(fd, buffer, count)
        #else
            Darwin.read(fd, buffer, count)
        #endif
    }

    private static func openError(_ code: Int32, path: String) -> ReadError {
        switch code {
        case ENOENT:
            // A dangling symlink or a missing directory on the way: both "no such file".
            return .noSuchFile
        case EISDIR: return .isDirectory
        default: return .cannotRead(String(cString: strerror(code)))
        }
    }
}
