/// An error that can say whether it is transient: worth retrying with backoff (connection
/// refused while an API server starts, a webhook that is not ready yet, a CRD not yet
/// Established). The one transience mechanism: retries and readiness waits both ask it.
///
/// Errors that do not conform are permanent unless a `RetryPolicy` classifier says otherwise.
package protocol TransientError: Error {
    var isTransient: Bool { get }
}

extension TransientError {
    /// Conforming types are transient unless they say otherwise.
    package var isTransient: Bool { true }
}

/// A ready-made transient error carrying a message.
package struct TransientFailure: TransientError, CustomStringConvertible, Equatable {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

/// How a job is retried after a transient error: exponential backoff, bounded attempts.
///
/// The delay before attempt `n + 1` is `initialDelay * multiplier^(n-1)`, capped at
/// `maxDelay`, optionally spread by `jitter` (a fraction: 0.2 means ±20 %).
package struct RetryPolicy: Sendable {
    /// Total attempts including the first; 1 means never retry.
    package var maxAttempts: Int
    package var initialDelay: Duration
    package var multiplier: Double
    package var maxDelay: Duration
    /// Random spread of each delay as a fraction of it, 0 for none (the default: deterministic).
    package var jitter: Double
    /// Decides which errors are transient. Default: errors conforming to `TransientError`.
    package var isTransient: @Sendable (any Error) -> Bool

    package init(
        maxAttempts: Int = 5,
        initialDelay: Duration = .milliseconds(500),
        multiplier: Double = 2,
        maxDelay: Duration = .seconds(10),
        jitter: Double = 0,
        isTransient: @escaping @Sendable (any Error) -> Bool = RetryPolicy.conformsToTransientError
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.isTransient = isTransient
    }

    /// A policy that never retries.
    package static let none = RetryPolicy(maxAttempts: 1)

    /// The default classifier: a `TransientError` that says it is transient.
    package static func conformsToTransientError(_ error: any Error) -> Bool {
        (error as? any TransientError)?.isTransient ?? false
    }

    /// Whether a failure of attempt `attempt` (1-based) with `error` should be retried.
    package func shouldRetry(_ error: any Error, afterAttempt attempt: Int) -> Bool {
        attempt < maxAttempts && !(error is CancellationError) && isTransient(error)
    }

    /// The delay after failed attempt `attempt` (1-based), before the next one.
    package func delay(afterAttempt attempt: Int) -> Duration {
        let base = Backoff.delay(step: attempt - 1, initial: initialDelay, multiplier: multiplier, max: maxDelay)
        guard jitter > 0 else { return base }
        let factor = 1 + Double.random(in: -jitter...jitter)
        return base * max(0, factor)
    }
}

/// Exponential backoff arithmetic shared by retries and readiness polling.
enum Backoff {
    static func delay(step: Int, initial: Duration, multiplier: Double, max maxDelay: Duration) -> Duration {
        var delay = initial
        var remaining = step
        while remaining > 0 && delay < maxDelay {
            delay = delay * multiplier
            remaining -= 1
        }
        return min(delay, maxDelay)
    }
}
