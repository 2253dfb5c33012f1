/// What a readiness condition observed: ready, or not yet with the reason seen.
package enum WaitState: Sendable, Equatable {
    case ready
    /// Not ready; `reason` (if any) is what was observed, e.g. `condition Established=False`.
    case notYet(String?)

    /// Not ready, without a reason.
    package static var notYet: WaitState { .notYet(nil) }
}

/// A bounded readiness wait ran out of time.
///
/// `description`: `timed out after 2m0s waiting for CRD vaults.vault.banzaicloud.com to be
/// Established (last observed: condition Established=False)`.
package struct WaitTimeoutError: Error, CustomStringConvertible, Equatable {
    /// What was awaited, e.g. `CRD vaults.vault.banzaicloud.com to be Established`.
    package var subject: String
    package var timeout: Duration
    /// The reason of the last `.notYet`, if it had one.
    package var lastReason: String?

    package init(subject: String, timeout: Duration, lastReason: String?) {
        self.subject = subject
        self.timeout = timeout
        self.lastReason = lastReason
    }

    package var description: String {
        var text = "timed out after \(DurationText.format(timeout)) waiting for \(subject)"
        if let lastReason, !lastReason.isEmpty { text += " (last observed: \(lastReason))" }
        return text
    }
}

/// Polling with backoff until a condition holds or a deadline passes.
package enum Wait {
    /// Polls `condition` until it returns `.ready`, sleeping `interval` between polls and growing
    /// it by `backoff` up to `maxInterval`; throws `WaitTimeoutError` after `timeout`.
    ///
    /// A `condition` that throws an error `isTransient` accepts counts as `.notYet(error)`;
    /// other errors end the wait. `onProgress` gets `waiting for <subject>` once and then each
    /// new reason, for progress views.
    package static func until(
        _ subject: String,
        timeout: Duration,
        interval: Duration = .seconds(1),
        maxInterval: Duration = .seconds(5),
        backoff: Double = 1.5,
        clock: any ExecutionClock,
        isTransient: @Sendable (any Error) -> Bool = RetryPolicy.conformsToTransientError,
        onProgress: (String) -> Void = { _ in },
        condition: () async throws -> WaitState
    ) async throws {
        let start = clock.now
        var lastReason: String?
        var reported = false
        var step = 0
        while true {
            try Task.checkCancellation()
            let state: WaitState
            do {
                state = try await condition()
            } catch let error where !(error is CancellationError) && isTransient(error) {
                state = .notYet(ErrorText.describe(error))
            }
            guard case .notYet(let reason) = state else { return }
            if !reported {
                onProgress("waiting for \(subject)" + (reason.map { ": \($0)" } ?? ""))
                reported = true
            } else if let reason, reason != lastReason {
                onProgress("waiting for \(subject): \(reason)")
            }
            if let reason { lastReason = reason }
            let elapsed = clock.now - start
            if elapsed >= timeout {
                throw WaitTimeoutError(subject: subject, timeout: timeout, lastReason: lastReason)
            }
            let pause = Backoff.delay(step: step, initial: interval, multiplier: backoff, max: max(interval, maxInterval))
            step += 1
            try await clock.sleep(for: min(pause, timeout - elapsed))
        }
    }
}
