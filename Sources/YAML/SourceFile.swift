#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a source file for the parser without ever holding more than `limit + 1` bytes of it.
///
///     let text = try SourceFile.read(path: "spec.yaml")            // throws(Diagnostic)
///     let root = try YAMLParser.parse(text, file: "spec.yaml")
///
/// Refused, each with a diagnostic at `path:1:1` that says why:
/// - a directory: "is a directory, not a file";
/// - a file that cannot be opened or read: the system's reason from errno ("no such file",
///   "permission denied", …);
/// - a file over `limit` bytes: from `fstat` before reading anything, and for files whose size
///   `fstat` does not know (pipes, `/proc`) by reading at most `limit + 1` bytes;
/// - bytes that are not UTF-8: positioned at the line and column of the first bad byte.
package enum SourceFile {
    /// Why `bytes(path:limit:)` could not read a file, for callers to put in their own words.
    package enum Failure: Error, Sendable, Hashable {
        /// `open` failed with this errno.
        case open(Int32)
        /// `fstat` or `read` failed with this errno.
        case read(Int32)
        case isDirectory
        /// Over `limit` bytes; `size` is nil when `fstat` does not know it (a pipe).
        case tooLarge(size: Int?, limit: Int)
    }

    /// The bytes of the file at `path`, never more than `limit + 1` of them read: the size is
    /// checked with `fstat` first, and files without a size are read at most `limit + 1` bytes.
    package static func bytes(path: String, limit: Int) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .open(errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .read(errno) }
        let type = status.st_mode & S_IFMT
        if type == S_IFDIR { throw .isDirectory }
        if type == S_IFREG, Int(status.st_size) > limit { throw .tooLarge(size: Int(status.st_size), limit: limit) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while bytes.count <= limit {
            let wanted = min(chunk.count, limit + 1 - bytes.count)
            let got = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, wanted) }
            if got < 0 {
                if errno == EINTR { continue }
                throw .read(errno)
            }
            if got == 0 { break }
            bytes += chunk[..<got]
        }
        if bytes.count > limit { throw .tooLarge(size: nil, limit: limit) }
        return bytes
    }

    /// The text of the file at `path`; `file` names it in messages (default: the path).
    package static func read(
        path: String, file: String? = nil, limit: Int = ParseLimits.default.maxBytes
    ) throws(Diagnostic) -> String {
        let name = file ?? path
        func refuse(_ message: String) -> Diagnostic {
            Diagnostic(file: name, mark: Mark(line: 1, column: 1), message: message)
        }
        let bytes: [UInt8]
        do {
            bytes = try Self.bytes(path: path, limit: limit)
        } catch {
            switch error {
            case .open(let code), .read(let code): throw refuse(reason(code))
            case .isDirectory: throw refuse("cannot read \(name): it is a directory, not a file")
            case .tooLarge(let size, let limit): throw refuse(tooLarge(size, limit))
            }
        }
        if let bad = firstInvalidUTF8(bytes) {
            let text = String(decoding: bytes[..<bad], as: UTF8.self)
            let mark = SourceText(file: name, text: text).mark(atUTF8Offset: bad)
            let hex = String(bytes[bad], radix: 16, uppercase: true)
            throw Diagnostic(
                file: name, mark: mark,
                message: "invalid UTF-8 byte 0x\(hex.count == 1 ? "0" : "")\(hex) at byte \(bad); the file must be UTF-8 text")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.read(fd, buffer, count)
        #elseif canImport(Musl)
            Musl.read(fd, buffer, count)
        #else
            Darwin.read(fd, buffer, count)
        #endif
    }

    static func tooLarge(_ size: Int?, _ limit: Int) -> String {
        let what = size.map { "is \($0) bytes" } ?? "is over \(limit) bytes"
        return "the file \(what), over the limit of \(limit) bytes; split it into smaller files"
    }

    /// "cannot read the file: Permission denied (EACCES)" and so on, from errno.
    static func reason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        switch code {
        case ENOENT: return "no such file"
        case EACCES, EPERM: return "cannot read the file: permission denied (\(text))"
        case EISDIR: return "cannot read the file: it is a directory, not a file"
        default: return "cannot read the file: \(text)"
        }
    }

    /// The offset of the first byte that does not start or continue a valid UTF-8 sequence.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let length: Int
            let low: UInt8
            let high: UInt8
            switch b {
            case 0xC2...0xDF: (length, low, high) = (2, 0x80, 0xBF)
            case 0xE0: (length, low, high) = (3, 0xA0, 0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: (length, low, high) = (3, 0x80, 0xBF)
            case 0xED: (length, low, high) = (3, 0x80, 0x9F)  // no surrogates
            case 0xF0: (length, low, high) = (4, 0x90, 0xBF)
            case 0xF1...0xF3: (length, low, high) = (4, 0x80, 0xBF)
            case 0xF4: (length, low, high) = (4, 0x80, 0x8F)
            default: return i
            }
            guard i + length <= n, bytes[i + 1] >= low, bytes[i + 1] <= high else { return i }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }
}
