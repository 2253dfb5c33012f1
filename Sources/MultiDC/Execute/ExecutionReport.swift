/// How one job ended.
package enum JobStatus: String, Sendable, Equatable, CaseIterable {
    case succeeded
    case failed
    /// Not run because a dependency did not succeed.
    case skipped
    /// Cancelled while running (Ctrl-C, SIGTERM, task cancellation).
    case cancelled
    /// Cancelled while running because the overall timeout passed.
    case timedOut = "timed out"
    /// Never started: the execution was cancelled or timed out first.
    case notStarted = "not started"
}

/// The outcome of one job.
package struct JobResult: Sendable, Equatable {
    package var id: String
    package var label: String
    package var group: String?
    package var status: JobStatus
    /// Start of the first attempt, on the executor's clock, relative to the execution's start.
    package var startedAt: Duration?
    /// End of the last attempt, relative to the execution's start.
    package var endedAt: Duration?
    package var attempts: Int
    /// The error of the last attempt (failed), or why it did not run (skipped).
    package var error: String?
    /// For skipped jobs: the dependencies that did not succeed.
    package var blockedBy: [String]

    /// `endedAt - startedAt`, when the job ran.
    package var duration: Duration? {
        guard let startedAt, let endedAt else { return nil }
        return endedAt - startedAt
    }
}

/// One link of the critical path.
package struct CriticalPathStep: Sendable, Equatable {
    package var id: String
    package var label: String
    package var duration: Duration
}

/// What an execution did: every job's outcome in definition order, the wall time and the
/// critical path (the dependency chain with the longest sum of durations).
package struct ExecutionReport: Sendable, Equatable {
    package var jobs: [JobResult]
    package var wallTime: Duration
    /// The overall timeout passed and running jobs were cancelled.
    package var timedOut: Bool
    /// The execution was cancelled (task cancellation, e.g. SIGINT).
    package var cancelled: Bool
    /// Longest chain through the DAG by the sum of its jobs' durations, first job first.
    package var criticalPath: [CriticalPathStep]

    /// True when every job succeeded.
    package var succeeded: Bool { jobs.allSatisfy { $0.status == .succeeded } }
    /// Sum of the critical path's durations.
    package var criticalPathDuration: Duration { criticalPath.reduce(.zero) { $0 + $1.duration } }

    /// The result of job `id`.
    package subscript(id: String) -> JobResult? { jobs.first { $0.id == id } }

    /// Ids of jobs with the given status, in definition order.
    package func ids(_ status: JobStatus) -> [String] { jobs.filter { $0.status == status }.map(\.id) }
}

enum CriticalPath {
    /// Longest path through the DAG where each job weighs its duration (0 if it never ran).
    /// Jobs that never ran are left out of the result.
    static func compute(_ graph: ExecutionGraph, durations: [Duration?]) -> [Int] {
        guard !graph.order.isEmpty else { return [] }
        var best = Array(repeating: Duration.zero, count: graph.jobs.count)
        var previous = Array(repeating: Int?.none, count: graph.jobs.count)
        for node in graph.order {
            var longest = Duration.zero
            var predecessor: Int?
            for dep in graph.dependencies[node] where predecessor == nil || best[dep] > longest {
                longest = best[dep]
                predecessor = dep
            }
            previous[node] = predecessor
            best[node] = longest + (durations[node] ?? .zero)
        }
        var end = graph.order[0]
        // Ties go to the later job, so a chain ending in zero-length jobs (a quick failure) shows them.
        for node in graph.order where best[node] >= best[end] { end = node }
        var path = [end]
        while let p = previous[path[path.count - 1]] { path.append(p) }
        return path.reversed().filter { durations[$0] != nil }
    }
}
