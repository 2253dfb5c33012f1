import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who holds a topology lock; written as JSON into the lock file by the holder.
package struct LockHolder: Codable, Sendable, Equatable {
    package var pid: Int32
    /// `apply` or `destroy`.
    package var command: String
    package var host: String
    /// RFC 3339 UTC, e.g. `2026-11-27T05:00:00Z`.
    package var started: String
    package var topology: String

    package init(pid: Int32, command: String, host: String, started: String, topology: String) {
        self.pid = pid
        self.command = command
        self.host = host
        self.started = started
        self.topology = topology
    }
}

/// Taking a topology lock failed.
package struct TopologyLockError: Error, CustomStringConvertible, Equatable {
    /// An open set of error codes (compare with `==`).
    package struct Code: Hashable, Sendable {
        let name: String
        /// Another process holds the lock.
        package static let held = Code(name: "held")
        /// The lock file could not be created or locked.
        package static let io = Code(name: "io")
    }

    package var code: Code
    package var topology: String
    package var path: String
    /// The holder's info when `code == .held` and the holder wrote it.
    package var holder: LockHolder?
    package var description: String
}

/// An exclusive lock per topology, so two `apply`/`destroy` runs never race.
///
/// A `flock(LOCK_EX|LOCK_NB)` on `<state dir>/locks/<topology>.lock`. The kernel releases it
/// when the holder exits, however it dies, so there is never a stale lock to clean up. The
/// state dir is `$MULTIDC_STATE_DIR`, else `$XDG_RUNTIME_DIR/multidc`, else
/// `~/.cache/multidc`. Released by `release()` or when the value is deinitialised.
package final class TopologyLock: Sendable {
    package let topology: String
    /// The lock file.
    package let path: String
    package let holder: LockHolder
    private let descriptor: Mutex<Int32?>

    private init(topology: String, path: String, holder: LockHolder, descriptor: Int32) {
        self.topology = topology
        self.path = path
        self.holder = holder
        self.descriptor = Mutex(descriptor)
    }

    deinit { release() }

    /// The directory lock files live in, from the environment.
    package static func lockDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir = environment["MULTIDC_STATE_DIR"], !dir.isEmpty { return dir + "/locks" }
        if let dir = environment["XDG_RUNTIME_DIR"], !dir.isEmpty { return dir + "/multidc/locks" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/multidc/locks"
    }

    /// Takes the lock for `topology` or throws `TopologyLockError` naming the holder.
    /// - Parameters:
    ///   - command: what the holder does (`apply`, `destroy`), shown to a second acquirer.
    ///   - directory: the lock directory; default `lockDirectory(environment:)`.
    package static func acquire(
        topology: String,
        command: String,
        directory: String? = nil,
        now: Date = Date()
    ) throws(TopologyLockError) -> TopologyLock {
        let directory = directory ?? lockDirectory()
        let safeName = String(topology.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        let path = directory + "/" + safeName + ".lock"
        func ioError(_ what: String) -> TopologyLockError {
            let reason = String(cString: strerror(errno))
            return TopologyLockError(
                code: .io, topology: topology, path: path, holder: nil,
                description: "cannot \(what) lock file \(path) for topology \(topology): \(reason)")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TopologyLockError(
                code: .io, topology: topology, path: path, holder: nil,
                description: "cannot create lock directory \(directory) for topology \(topology): \(ErrorText.describe(error))")
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ioError("open") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let lockErrno = errno
            defer { close(fd) }
            guard lockErrno == EWOULDBLOCK else {
                errno = lockErrno
                throw ioError("lock")
            }
            let holder = readHolder(fd)
            throw TopologyLockError(
                code: .held, topology: topology, path: path, holder: holder,
                description: heldMessage(topology: topology, path: path, holder: holder))
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        let holder = LockHolder(
            pid: getpid(), command: command, host: ProcessInfo.processInfo.hostName,
            started: formatter.string(from: now), topology: topology)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var bytes = [UInt8]((try? encoder.encode(holder)) ?? Data())
        bytes.append(UInt8(ascii: "\n"))
        _ = ftruncate(fd, 0)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return TopologyLock(topology: topology, path: path, holder: holder, descriptor: fd)
    }

    /// Releases the lock (idempotent). The file stays; only its content is cleared.
    package func release() {
        guard
            let fd = descriptor.withLock({ d -> Int32? in
                defer { d = nil }
                return d
            })
        else { return }
        _ = ftruncate(fd, 0)
        _ = flock(fd, LOCK_UN)
        close(fd)
    }

    /// Whether this value still holds the lock.
    package var isHeld: Bool { descriptor.withLock { $0 != nil } }

    private static func readHolder(_ fd: Int32) -> LockHolder? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return try? JSONDecoder().decode(LockHolder.self, from: Data(buffer[0..<count]))
    }

    static func heldMessage(topology: String, path: String, holder: LockHolder?) -> String {
        let who: String
        if let holder {
            let host = holder.host == ProcessInfo.processInfo.hostName ? "" : " on \(holder.host)"
            who = "another multidc \(holder.command) (pid \(holder.pid)\(host), started \(holder.started))"
        } else {
            who = "another multidc process"
        }
        return "\(who) holds the lock for topology \(topology) (\(path)); wait for it to finish, "
            + "or stop it (Ctrl-C) if it should not run. A holder that died releases the lock by itself, "
            + "so a lock that is still held belongs to a live process."
    }
}
