/// One node of the execution DAG: an id, a label for humans, the group it belongs to (a cluster
/// name, for per-cluster progress), the ids it depends on, and its async body.
package struct ExecutionJob: Sendable {
    package var id: String
    /// Human text, e.g. `create kind cluster primary`.
    package var label: String
    /// Usually the cluster name; `nil` for topology-wide jobs (network, KMS).
    package var group: String?
    /// Ids of jobs that must succeed before this one starts.
    package var dependencies: [String]
    /// Overrides the executor's retry policy for this job.
    package var retry: RetryPolicy?
    package var body: @Sendable (JobContext) async throws -> Void

    package init(
        id: String,
        label: String? = nil,
        group: String? = nil,
        dependencies: [String] = [],
        retry: RetryPolicy? = nil,
        body: @escaping @Sendable (JobContext) async throws -> Void
    ) {
        self.id = id
        self.label = label ?? id
        self.group = group
        self.dependencies = dependencies
        self.retry = retry
        self.body = body
    }
}

/// What a running job's body gets: who it is, which attempt this is, the clock, and ways to
/// report progress and to wait for readiness.
package struct JobContext: Sendable {
    package let id: String
    package let label: String
    package let group: String?
    /// 1 for the first attempt, 2 for the first retry, …
    package let attempt: Int
    package let clock: any ExecutionClock
    let isTransient: @Sendable (any Error) -> Bool
    let emitProgress: @Sendable (String) -> Void

    /// Public so callers can run a body outside the executor (tests, one-off steps).
    package init(
        id: String,
        label: String? = nil,
        group: String? = nil,
        attempt: Int = 1,
        clock: any ExecutionClock = SystemClock(),
        isTransient: @escaping @Sendable (any Error) -> Bool = RetryPolicy.conformsToTransientError,
        onProgress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.id = id
        self.label = label ?? id
        self.group = group
        self.attempt = attempt
        self.clock = clock
        self.isTransient = isTransient
        self.emitProgress = onProgress
    }

    /// Emits a progress event, e.g. `applying 3 manifests`.
    package func progress(_ message: String) { emitProgress(message) }

    /// Sleeps on the executor's clock (virtual in tests).
    package func sleep(for duration: Duration) async throws { try await clock.sleep(for: duration) }

    /// Polls `condition` until `.ready`, emitting `waiting for <description>` progress; throws
    /// `WaitTimeoutError` (`timed out after 2m0s waiting for <description> (last observed: …)`).
    /// Transient errors thrown by `condition` count as not ready yet.
    package func waitUntil(
        _ description: String,
        timeout: Duration,
        interval: Duration = .seconds(1),
        maxInterval: Duration = .seconds(5),
        condition: () async throws -> WaitState
    ) async throws {
        try await Wait.until(
            description, timeout: timeout, interval: interval, maxInterval: maxInterval,
            clock: clock, isTransient: isTransient, onProgress: emitProgress, condition: condition)
    }

    /// `waitUntil` for a condition without reasons.
    package func waitUntil(
        _ description: String,
        timeout: Duration,
        interval: Duration = .seconds(1),
        maxInterval: Duration = .seconds(5),
        condition: () async throws -> Bool
    ) async throws {
        try await waitUntil(description, timeout: timeout, interval: interval, maxInterval: maxInterval) {
            try await condition() ? .ready : .notYet
        }
    }
}
