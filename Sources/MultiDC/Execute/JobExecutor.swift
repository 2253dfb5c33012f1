import Synchronization

/// Runs a DAG of jobs: ready jobs concurrently (up to `parallelism`), transient failures
/// retried with backoff, dependents of failed jobs skipped while independent jobs carry on,
/// one overall timeout, and cooperative cancellation of the calling task.
///
/// It never throws for job failures: it returns an `ExecutionReport`. It throws only for an
/// invalid graph (`ExecutionGraphError`), before anything runs.
package struct JobExecutor: Sendable {
    /// Maximum jobs running at once; `nil` for no limit.
    package var parallelism: Int?
    /// The overall timeout; when it passes, running jobs are cancelled and reported timed out.
    package var timeout: Duration?
    /// Retry policy for jobs without their own.
    package var retry: RetryPolicy
    package var clock: any ExecutionClock

    package init(
        parallelism: Int? = nil,
        timeout: Duration? = nil,
        retry: RetryPolicy = RetryPolicy(),
        clock: any ExecutionClock = SystemClock()
    ) {
        self.parallelism = parallelism.map { max(1, $0) }
        self.timeout = timeout
        self.retry = retry
        self.clock = clock
    }

    /// Checks ids, dependencies and acyclicity without running anything.
    package static func validate(_ jobs: [ExecutionJob]) throws(ExecutionGraphError) {
        _ = try ExecutionGraph(jobs)
    }

    private enum Outcome: Sendable {
        case succeeded
        case failed(String)
        case cancelled
    }

    private struct Finished: Sendable {
        let index: Int
        let outcome: Outcome
        let attempts: Int
        let startedAt: Duration
        let endedAt: Duration
    }

    private enum Message: Sendable {
        case finished(Finished)
        case timeout
        case timerStopped
    }

    /// Runs `jobs` and reports. `onEvent` is called from any task as jobs progress.
    package func run(
        _ jobs: [ExecutionJob],
        onEvent: @escaping @Sendable (ExecutionEvent) -> Void = { _ in }
    ) async throws(ExecutionGraphError) -> ExecutionReport {
        let graph = try ExecutionGraph(jobs)
        let clock = self.clock
        let origin = clock.now
        let defaultRetry = retry
        let limit = parallelism ?? Int.max

        var results = jobs.map {
            JobResult(
                id: $0.id, label: $0.label, group: $0.group, status: .notStarted,
                startedAt: nil, endedAt: nil, attempts: 0, error: nil, blockedBy: [])
        }
        var remainingDeps = graph.dependencies.map(\.count)
        var ready = graph.order.filter { remainingDeps[$0] == 0 }
        var running = 0
        var timedOut = false
        var cancelled = false

        let emit: @Sendable (Int, ExecutionEvent.Kind) -> Void = { index, kind in
            let job = jobs[index]
            onEvent(ExecutionEvent(jobID: job.id, label: job.label, group: job.group, elapsed: clock.now - origin, kind: kind))
        }
        var rank = Array(repeating: 0, count: jobs.count)
        for (position, node) in graph.order.enumerated() { rank[node] = position }

        /// Marks everything downstream of `index` as skipped (transitively).
        func skipDependents(of index: Int) {
            var queue = [index]
            while let current = queue.popLast() {
                for dependent in graph.dependents[current] where results[dependent].status == .notStarted {
                    let blockers = graph.dependencies[dependent]
                        .filter { [.failed, .skipped, .cancelled, .timedOut].contains(results[$0].status) }
                        .map { jobs[$0].id }
                    guard results[dependent].status == .notStarted, !blockers.isEmpty else { continue }
                    results[dependent].status = .skipped
                    results[dependent].blockedBy = blockers
                    results[dependent].error =
                        (blockers.count == 1 ? "dependency " : "dependencies ")
                        + blockers.map { "'\($0)'" }.joined(separator: ", ") + " did not succeed"
                    emit(dependent, .skipped(blockedBy: blockers))
                    queue.append(dependent)
                }
            }
        }

        // What each job last said it was doing, so a timeout can say what was awaited.
        let lastProgress = ProgressLog()
        await withTaskGroup(of: Message.self) { group in
            if let timeout {
                group.addTask {
                    do {
                        try await clock.sleep(for: timeout)
                        return .timeout
                    } catch {
                        return .timerStopped
                    }
                }
            }

            func start(_ index: Int) {
                let job = jobs[index]
                let policy = job.retry ?? defaultRetry
                running += 1
                group.addTask {
                    let startedAt = clock.now - origin
                    var attempt = 0
                    while true {
                        attempt += 1
                        emit(index, .started(attempt: attempt))
                        let context = JobContext(
                            id: job.id, label: job.label, group: job.group, attempt: attempt, clock: clock,
                            isTransient: policy.isTransient,
                            onProgress: { message in
                                lastProgress.record(index, message)
                                emit(index, .progress(message))
                            })
                        let outcome: Outcome?
                        do {
                            try await job.body(context)
                            outcome = .succeeded
                        } catch {
                            if Task.isCancelled || error is CancellationError {
                                outcome = .cancelled
                            } else if policy.shouldRetry(error, afterAttempt: attempt) {
                                let delay = policy.delay(afterAttempt: attempt)
                                emit(index, .retrying(attempt: attempt, delay: delay, reason: ErrorText.describe(error)))
                                do {
                                    try await clock.sleep(for: delay)
                                    outcome = nil
                                } catch {
                                    outcome = .cancelled
                                }
                            } else {
                                outcome = .failed(ErrorText.describe(error))
                            }
                        }
                        if let outcome {
                            return .finished(
                                Finished(
                                    index: index, outcome: outcome, attempts: attempt,
                                    startedAt: startedAt, endedAt: clock.now - origin))
                        }
                    }
                }
            }

            func startReady() {
                guard !timedOut, !cancelled else { return }
                if Task.isCancelled {
                    cancelled = true
                    return
                }
                while running < limit, !ready.isEmpty {
                    start(ready.removeFirst())
                }
            }

            startReady()
            while running > 0 {
                guard let message = await group.next() else { break }
                switch message {
                case .timerStopped:
                    continue
                case .timeout:
                    if running > 0 {
                        timedOut = true
                        group.cancelAll()
                    }
                    continue
                case .finished(let finished):
                    running -= 1
                    let i = finished.index
                    results[i].startedAt = finished.startedAt
                    results[i].endedAt = finished.endedAt
                    results[i].attempts = finished.attempts
                    switch finished.outcome {
                    case .succeeded:
                        results[i].status = .succeeded
                        emit(i, .succeeded)
                        for dependent in graph.dependents[i] {
                            remainingDeps[dependent] -= 1
                            if remainingDeps[dependent] == 0, results[dependent].status == .notStarted {
                                ready.append(dependent)
                            }
                        }
                        ready.sort { rank[$0] < rank[$1] }
                    case .failed(let message):
                        results[i].status = .failed
                        results[i].error = message
                        emit(i, .failed(message))
                        skipDependents(of: i)
                    case .cancelled where !timedOut && !Task.isCancelled:
                        // The body threw CancellationError on its own: a failure like any other.
                        results[i].status = .failed
                        results[i].error = "cancelled by the job itself"
                        emit(i, .failed("cancelled by the job itself"))
                        skipDependents(of: i)
                    case .cancelled:
                        if Task.isCancelled { cancelled = true }
                        results[i].status = timedOut ? .timedOut : .cancelled
                        let doing = lastProgress.last(i).map { " while \($0)" } ?? ""
                        results[i].error =
                            timedOut
                            ? "cancelled: the overall --timeout passed\(doing)"
                            : "cancelled\(doing)"
                        emit(i, .cancelled(timedOut: timedOut))
                    }
                    startReady()
                }
            }
            if Task.isCancelled, results.contains(where: { $0.status == .notStarted }) { cancelled = true }
            group.cancelAll()
        }

        let path = CriticalPath.compute(graph, durations: results.map(\.duration))
        return ExecutionReport(
            jobs: results,
            wallTime: clock.now - origin,
            timedOut: timedOut,
            cancelled: cancelled,
            criticalPath: path.map { CriticalPathStep(id: jobs[$0].id, label: jobs[$0].label, duration: results[$0].duration ?? .zero) })
    }
}

/// What each job last reported, shared between the job tasks and the executor.
private final class ProgressLog: Sendable {
    private let messages = Mutex<[Int: String]>([:])

    func record(_ index: Int, _ message: String) { messages.withLock { $0[index] = message } }
    func last(_ index: Int) -> String? { messages.withLock { $0[index] } }
}
