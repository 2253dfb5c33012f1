/// Something that happened to one job, delivered through the executor's event callback (from
/// any task; the callback must be thread-safe).
package struct ExecutionEvent: Sendable, Equatable {
    /// What happened.
    package enum Kind: Sendable, Equatable {
        /// An attempt began (1 for the first).
        case started(attempt: Int)
        /// A message from the job's body, e.g. `waiting for CRD … to be Established`.
        case progress(String)
        /// Attempt `attempt` failed transiently; the next starts after `delay`.
        case retrying(attempt: Int, delay: Duration, reason: String)
        case succeeded
        case failed(String)
        /// Not run because these dependencies failed, were skipped or cancelled.
        case skipped(blockedBy: [String])
        /// Cancelled while running; `timedOut` when the overall timeout did it.
        case cancelled(timedOut: Bool)
    }

    package var jobID: String
    package var label: String
    package var group: String?
    /// Time since the execution started, on the executor's clock.
    package var elapsed: Duration
    package var kind: Kind

    package init(jobID: String, label: String, group: String?, elapsed: Duration, kind: Kind) {
        self.jobID = jobID
        self.label = label
        self.group = group
        self.elapsed = elapsed
        self.kind = kind
    }
}
