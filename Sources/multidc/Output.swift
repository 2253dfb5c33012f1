import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The one way the executable writes to stdout and stderr: `write(2)` in a loop, with every
/// error handled and none trapping (Foundation's `FileHandle.write` traps on EPIPE, ENOSPC and
/// EBADF; `print` loses them silently).
///
/// - A failed stdout write is remembered and later stdout writes are dropped; the exit code
///   becomes 141 for a closed pipe (EPIPE, the SIGPIPE convention 128 + 13, without a message:
///   `multidc diff spec.yaml | head` is normal use), or 1 otherwise with a message on stderr.
/// - A failed stderr write is dropped: there is nowhere left to report it.
/// - A standard descriptor closed at start (`2>&-`) is opened on /dev/null, so that no file
///   multidc opens later takes its number; writes to it count as failed.
enum Output {
    enum Stream: Sendable {
        case out, err

        var descriptor: Int32 { self == .out ? STDOUT_FILENO : STDERR_FILENO }
        var name: String { self == .out ? "standard output" : "standard error" }
    }

    /// The exit status a failed stdout write leads to.
    static let brokenPipeExitCode: Int32 = 141

    private struct State {
        var closedAtStart: Set<Int32> = []
        /// The exit code stdout's failure leads to, once it failed.
        var stdoutFailure: Int32?
        var stderrFailed = false
    }
    private static let state = Mutex(State())

    /// Call first: ignores SIGPIPE (EPIPE is handled where it happens) and opens closed
    /// standard descriptors on /dev/null.
    static func prepare() {
        _ = signal(SIGPIPE, SIG_IGN)
        var closed: Set<Int32> = []
        for fd: Int32 in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let null = open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY)
            if null >= 0, null != fd {
                _ = dup2(null, fd)
                _ = close(null)
            }
            closed.insert(fd)
        }
        state.withLock { $0.closedAtStart = closed }
    }

    /// Writes `text` whole, or records why it could not.
    static func write(_ text: String, to stream: Stream) {
        let failure: Int32? = state.withLock { s in
            if stream == .out, s.stdoutFailure != nil { return nil }
            if stream == .err, s.stderrFailed { return nil }
            let error = s.closedAtStart.contains(stream.descriptor) ? EBADF : writeAll(text, to: stream.descriptor)
            guard error != 0 else { return nil }
            switch stream {
            case .err:
                s.stderrFailed = true
                return nil
            case .out:
                s.stdoutFailure = error == EPIPE ? brokenPipeExitCode : 1
                return error
            }
        }
        if let failure, failure != EPIPE {
            write("error: cannot write to standard output: \(String(cString: strerror(failure)))\n", to: .err)
        }
    }

    /// The exit code to end with: a failed stdout turns success (0, and 2 of
    /// `diff --detailed-exitcode`) into its failure code; other failures keep their own code.
    static func exitCode(for code: Int32) -> Int32 {
        guard let failure = state.withLock({ $0.stdoutFailure }), code == 0 || code == 2 else { return code }
        return failure
    }

    /// `write(2)` until every byte is out; 0, or the errno that stopped it.
    private static func writeAll(_ text: String, to fd: Int32) -> Int32 {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n >= 0 {
                bytes = bytes.dropFirst(n)
                continue
            }
            let error = errno
            switch error {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                // A non-blocking descriptor (shared with a parent): wait until it takes more.
                var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&poller, 1, -1)
            default:
                return error
            }
        }
        return 0
    }
}
