import Dispatch
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
/// While the trap is active the signals' default action (terminating the process) is
/// replaced; `cancel()` (or deinit) restores it. Children started through swift-subprocess
/// get default signal dispositions and an empty mask back before exec, so they still die on
/// SIGINT/SIGTERM. The CLI maps `receivedSignal` to its exit
/// code (130 for SIGINT, 143 for SIGTERM).
public final class SignalTrap: Sendable {
    /// Dispatch sources are thread-safe; only `cancel()` touches them after init.
    nonisolated(unsafe) private let sources: [any DispatchSourceSignal]
    private let signals: [Int32]
    private let received = Mutex<Int32?>(nil)
    private let active = Mutex(true)

    /// Installs the trap; `handler` runs (on a dispatch queue) for each signal received.
    public init(signals: [Int32] = [SIGINT, SIGTERM], handler: @escaping @Sendable (Int32) -> Void) {
        self.signals = signals
        let queue = DispatchQueue(label: "multidc.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            sources.append(source)
        }
        self.sources = sources
        for (number, source) in zip(signals, sources) {
            source.setEventHandler { [weak self] in
                self?.received.withLock { if $0 == nil { $0 = number } }
                handler(number)
            }
            source.resume()
        }
    }

    /// A trap that cancels `task` on the first signal.
    public convenience init<Success, Failure>(
        cancelling task: Task<Success, Failure>,
        signals: [Int32] = [SIGINT, SIGTERM]
    ) {
        self.init(signals: signals) { _ in task.cancel() }
    }

    /// The first signal received, if any.
    public var receivedSignal: Int32? { received.withLock { $0 } }

    /// Removes the trap and restores the signals' default action (idempotent).
    public func cancel() {
        let wasActive = active.withLock { a -> Bool in
            defer { a = false }
            return a
        }
        guard wasActive else { return }
        for source in sources { source.cancel() }
        for number in signals { signal(number, SIG_DFL) }
    }

    deinit { cancel() }

    /// The conventional exit status for a process ended by `signal`: 128 + the number.
    public static func exitCode(for signal: Int32) -> Int32 { 128 + signal }
}
