import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns termination signals (SIGINT, SIGTERM) into a callback, typically cancelling the Task
/// that runs an apply, so the executor stops children and reports what finished.
///
/// The signal handler is installed synchronously by `init` (a self-pipe: the C handler writes
/// the signal number to a pipe, a reader thread calls the Swift handlers), so a signal that
/// arrives right after `init` returns is never lost. While a trap is active the signal no
/// longer terminates the process; `cancel()` (or deinit) of the last trap for a signal
/// restores the default action. A caught signal resets to its default in exec'd children,
/// so kubectl, kind and helm still die on SIGINT/SIGTERM.
package final class SignalTrap: Sendable {
    private let id: UInt64
    private let signals: [Int32]
    private let receivedBox: ReceivedBox
    private let active = Mutex(true)

    /// Installs the trap; `handler` runs on a background thread for each signal received.
    package init(signals: [Int32] = [SIGINT, SIGTERM], handler: @escaping @Sendable (Int32) -> Void) {
        self.signals = signals
        let received = ReceivedBox()
        self.receivedBox = received
        self.id = SignalDispatcher.shared.register(signals: signals) { number in
            received.record(number)
            handler(number)
        }
    }

    /// A trap that cancels `task` on the first signal.
    package convenience init<Success, Failure>(
        cancelling task: Task<Success, Failure>,
        signals: [Int32] = [SIGINT, SIGTERM]
    ) {
        self.init(signals: signals) { _ in task.cancel() }
    }

    /// The first signal received, if any.
    package var receivedSignal: Int32? { receivedBox.first }

    /// Removes the trap; the last trap of a signal restores its default action (idempotent).
    package func cancel() {
        let wasActive = active.withLock { a -> Bool in
            defer { a = false }
            return a
        }
        guard wasActive else { return }
        SignalDispatcher.shared.unregister(id)
    }

    deinit { cancel() }

    /// The conventional exit status for a process ended by `signal`: 128 + the number.
    package static func exitCode(for signal: Int32) -> Int32 { 128 + signal }
}

/// The first signal a trap saw.
private final class ReceivedBox: Sendable {
    private let value = Mutex<Int32?>(nil)
    var first: Int32? { value.withLock { $0 } }
    func record(_ number: Int32) { value.withLock { if $0 == nil { $0 = number } } }
}

/// Write end of the self-pipe, read by the C signal handler (set once before any handler).
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// The C signal handler: only async-signal-safe work (one `write`).
private func writeSignalToPipe(_ number: Int32) {
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipeWriteEnd, &byte, 1)
}

/// Process-wide registry of traps, the self-pipe and its reader thread.
private final class SignalDispatcher: Sendable {
    static let shared = SignalDispatcher()

    private struct Entry {
        let signals: [Int32]
        let handler: @Sendable (Int32) -> Void
    }

    private struct State {
        var nextID: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
        var installed: Set<Int32> = []
    }

    private let state = Mutex(State())

    private init() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        signalPipeWriteEnd = fds[1]
        let readEnd = fds[0]
        let thread = Thread { [self] in
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n == 1 {
                    deliver(Int32(byte))
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
        thread.name = "multidc.signals"
        thread.start()
    }

    private func deliver(_ number: Int32) {
        let handlers = state.withLock { s in
            s.entries.sorted { $0.key < $1.key }.filter { $0.value.signals.contains(number) }.map(\.value.handler)
        }
        for handler in handlers { handler(number) }
    }

    func register(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) -> UInt64 {
        state.withLock { s in
            s.nextID += 1
            s.entries[s.nextID] = Entry(signals: signals, handler: handler)
            for number in signals where !s.installed.contains(number) {
                _ = signal(number, { writeSignalToPipe($0) })
                s.installed.insert(number)
            }
            return s.nextID
        }
    }

    func unregister(_ id: UInt64) {
        state.withLock { s in
            guard let entry = s.entries.removeValue(forKey: id) else { return }
            for number in entry.signals where !s.entries.values.contains(where: { $0.signals.contains(number) }) {
                _ = signal(number, SIG_DFL)
                s.installed.remove(number)
            }
        }
    }
}
