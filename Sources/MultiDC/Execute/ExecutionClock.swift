/// The time source of the executor, readiness waits and health polling: the one seam that
/// lets tests run retries, backoff and timeouts in virtual time.
///
/// `now` is the time elapsed since an arbitrary fixed origin of the clock (monotonic).
package protocol ExecutionClock: Sendable {
    /// Time elapsed since the clock's origin.
    var now: Duration { get }
    /// Suspends for `duration`; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The production clock: `ContinuousClock`, measured from the moment the value was made.
package struct SystemClock: ExecutionClock {
    private let origin: ContinuousClock.Instant

    package init() { origin = ContinuousClock.now }

    package var now: Duration { ContinuousClock.now - origin }

    package func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration, clock: .continuous)
    }
}
