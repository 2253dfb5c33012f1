import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A cross-process exclusive lock (flock(2) on a file): every read-modify-write of the world's
/// state happens under it, so parallel invocations never lose an update.
final class FileLock {
    private let fd: Int32

    init(path: String) throws(ToolFailure) {
        fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        if fd < 0 { throw ToolFailure(stderr: "fakeworld: cannot open lock file \(path): errno \(errno)") }
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    deinit { close(fd) }
}

/// Appends one line to a file atomically with respect to other processes (O_APPEND + flock).
func appendLine(_ line: String, to path: String) {
    let fd = open(path, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return }
    defer { close(fd) }
    flock(fd, LOCK_EX)
    defer { flock(fd, LOCK_UN) }
    var bytes = Array((line + "\n").utf8)
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
        if n <= 0 { break }
        written += n
    }
}
