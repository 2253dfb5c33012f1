import MultiDC
import Synchronization

/// A virtual clock for tests (in its own target like swift-log's InMemoryLogging; the product never links it).
///
/// Two modes:
/// - `autoAdvance: true`: `sleep(for:)` moves virtual time forward by the duration and returns
///   at once. Right for sequential code (retries, readiness waits, health polling) — but a
///   timer sleeping alongside (the executor's overall timeout) fires at once too.
/// - `autoAdvance: false`: sleepers stay suspended until the test calls `advance(by:)`; use
///   `waitForSleepers(_:)` to know that the code under test reached its sleeps. Right for
///   timeouts and cancellation of concurrent work; `advanceToNextDeadline()` steps from one
///   wake-up to the next.
package final class ManualClock: ExecutionClock, Sendable {
    private struct Sleeper {
        let id: UInt64
        let deadline: Duration
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Duration = .zero
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
        var cancelledBeforeRegistering: Set<UInt64> = []
    }

    private let state = Mutex(State())
    /// Whether `sleep(for:)` advances time itself instead of waiting for `advance(by:)`.
    package let autoAdvance: Bool

    package init(autoAdvance: Bool = true) { self.autoAdvance = autoAdvance }

    package var now: Duration { state.withLock { $0.now } }

    /// The number of tasks currently suspended in `sleep(for:)`.
    package var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    package func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        if autoAdvance || duration <= .zero {
            state.withLock { $0.now += max(duration, .zero) }
            await Task.yield()
            try Task.checkCancellation()
            return
        }
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = state.withLock { s -> Bool in
                    if s.cancelledBeforeRegistering.remove(id) != nil { return true }
                    s.sleepers.append(Sleeper(id: id, deadline: s.now + duration, continuation: continuation))
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let continuation = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                if let index = s.sleepers.firstIndex(where: { $0.id == id }) {
                    return s.sleepers.remove(at: index).continuation
                }
                s.cancelledBeforeRegistering.insert(id)
                return nil
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Moves virtual time forward and wakes every sleeper whose deadline has passed.
    package func advance(by duration: Duration) {
        let due = state.withLock { s -> [Sleeper] in
            s.now += duration
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            s.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Moves virtual time to the earliest sleeper's deadline (if any) and wakes it: steps a
    /// `autoAdvance: false` clock from one wake-up to the next without overshooting.
    package func advanceToNextDeadline() {
        let next = state.withLock { s in s.sleepers.map(\.deadline).min().map { max(.zero, $0 - s.now) } }
        if let next { advance(by: next) }
    }

    /// Waits (by yielding, never by sleeping) until at least `count` tasks sleep on this clock.
    package func waitForSleepers(_ count: Int) async {
        while sleeperCount < count { await Task.yield() }
    }
}
