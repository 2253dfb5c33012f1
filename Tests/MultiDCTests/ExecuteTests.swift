import MultiDCTestSupport
import Testing

@testable import MultiDC

@Suite("Executor")
struct ExecuteTests {
    /// A job that sleeps `seconds` of virtual time.
    func sleeper(_ id: String, _ seconds: Int, after deps: [String] = [], group: String? = nil) -> ExecutionJob {
        ExecutionJob(id: id, label: "job \(id)", group: group, dependencies: deps) { ctx in
            try await ctx.sleep(for: .seconds(seconds))
        }
    }

    @Test func diamondRunsInDependencyOrder() async throws {
        let log = EventLog()
        let jobs = [
            sleeper("d", 1, after: ["b", "c"]),
            sleeper("b", 1, after: ["a"]),
            sleeper("c", 1, after: ["a"]),
            sleeper("a", 1),
        ]
        let report = try await JobExecutor(clock: ManualClock()).run(jobs, onEvent: log.callback)
        #expect(report.succeeded)
        let started = log.startOrder
        let succeeded = log.successOrder
        #expect(started.first == "a")
        #expect(started.last == "d")
        #expect(Set(started) == ["a", "b", "c", "d"])
        // d starts only after both b and c succeeded.
        let dStart = try #require(log.all.firstIndex { $0.jobID == "d" && $0.kind == .started(attempt: 1) })
        for dep in ["b", "c"] {
            let done = try #require(log.all.firstIndex { $0.jobID == dep && $0.kind == .succeeded })
            #expect(done < dStart)
        }
        #expect(succeeded.last == "d")
        #expect(report.jobs.map(\.id) == ["d", "b", "c", "a"], "report keeps definition order")
        #expect(report.jobs.allSatisfy { $0.attempts == 1 })
    }

    @Test func parallelismBoundIsRespected() async throws {
        let concurrency = Concurrency()
        let jobs = (1...8).map { i in
            ExecutionJob(id: "j\(i)", group: "c\(i % 3)") { ctx in
                concurrency.enter()
                defer { concurrency.leave() }
                for _ in 0..<20 { await Task.yield() }
                try await ctx.sleep(for: .seconds(1))
            }
        }
        let report = try await JobExecutor(parallelism: 2, clock: ManualClock()).run(jobs)
        #expect(report.succeeded)
        #expect(concurrency.max <= 2)
        #expect(concurrency.max >= 1)
    }

    @Test func parallelismTwoHoldsTwoJobsAtOnceOnAManualClock() async throws {
        let clock = ManualClock(autoAdvance: false)
        let jobs = (1...4).map { sleeper("j\($0)", 10) }
        let executor = JobExecutor(parallelism: 2, clock: clock)
        let run = Task { try await executor.run(jobs) }
        await clock.waitForSleepers(2)
        for _ in 0..<200 { await Task.yield() }
        #expect(clock.sleeperCount == 2, "only two jobs may run at once")
        clock.advance(by: .seconds(10))
        await clock.waitForSleepers(2)
        clock.advance(by: .seconds(10))
        let report = try await run.value
        #expect(report.succeeded)
        #expect(report.wallTime == .seconds(20))
    }

    @Test func failureSkipsDependentsButIndependentJobsFinish() async throws {
        let log = EventLog()
        let jobs = [
            ExecutionJob(id: "primary.create", group: "primary") { _ in
                throw PermanentError(description: "kind create cluster failed: exit 1")
            },
            sleeper("primary.metallb", 1, after: ["primary.create"], group: "primary"),
            sleeper("primary.vault", 1, after: ["primary.metallb"], group: "primary"),
            sleeper("secondary.create", 5, group: "secondary"),
            sleeper("secondary.metallb", 1, after: ["secondary.create"], group: "secondary"),
        ]
        let report = try await JobExecutor(clock: ManualClock()).run(jobs, onEvent: log.callback)
        #expect(!report.succeeded)
        #expect(report["primary.create"]?.status == .failed)
        #expect(report["primary.create"]?.error == "kind create cluster failed: exit 1")
        #expect(report["primary.metallb"]?.status == .skipped)
        #expect(report["primary.metallb"]?.blockedBy == ["primary.create"])
        #expect(report["primary.metallb"]?.error == "dependency 'primary.create' did not succeed")
        #expect(report["primary.vault"]?.status == .skipped)
        #expect(report["primary.vault"]?.blockedBy == ["primary.metallb"])
        #expect(report.ids(.succeeded) == ["secondary.create", "secondary.metallb"])
        #expect(log.kinds(of: "primary.vault") == [.skipped(blockedBy: ["primary.metallb"])])
        #expect(log.kinds(of: "primary.create").contains(.failed("kind create cluster failed: exit 1")))
    }

    @Test func transientErrorIsRetriedWithBackoffThenSucceeds() async throws {
        let log = EventLog()
        let calls = Counter()
        let policy = RetryPolicy(maxAttempts: 5, initialDelay: .seconds(1), multiplier: 2, maxDelay: .seconds(3))
        let job = ExecutionJob(id: "metallb.pool") { ctx in
            let n = calls.next()
            #expect(ctx.attempt == n)
            if n < 4 { throw TransientFailure("failed calling webhook \"ipaddresspoolvalidationwebhook.metallb.io\": connection refused") }
        }
        let clock = ManualClock()
        let report = try await JobExecutor(retry: policy, clock: clock).run([job], onEvent: log.callback)
        #expect(report.succeeded)
        #expect(report["metallb.pool"]?.attempts == 4)
        #expect(calls.count == 4)
        let retries = log.kinds(of: "metallb.pool").compactMap { kind -> Duration? in
            if case .retrying(_, let delay, let reason) = kind {
                #expect(reason.contains("connection refused"))
                return delay
            }
            return nil
        }
        #expect(retries == [.seconds(1), .seconds(2), .seconds(3)], "exponential, capped at maxDelay")
        #expect(report["metallb.pool"]?.duration == .seconds(6))
    }

    @Test func transientErrorGivesUpAfterMaxAttempts() async throws {
        let calls = Counter()
        let job = ExecutionJob(id: "api", retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(100))) { _ in
            calls.next()
            throw TransientFailure("dial tcp 172.18.0.2:6443: connect: connection refused")
        }
        let report = try await JobExecutor(clock: ManualClock()).run([job])
        #expect(report["api"]?.status == .failed)
        #expect(report["api"]?.attempts == 3)
        #expect(report["api"]?.error == "dial tcp 172.18.0.2:6443: connect: connection refused")
        #expect(calls.count == 3)
    }

    @Test func permanentErrorIsNotRetried() async throws {
        let calls = Counter()
        let log = EventLog()
        let job = ExecutionJob(id: "helm") { _ in
            calls.next()
            throw PermanentError(description: "Error: INSTALLATION FAILED: chart not found")
        }
        let report = try await JobExecutor(clock: ManualClock()).run([job], onEvent: log.callback)
        #expect(report["helm"]?.status == .failed)
        #expect(report["helm"]?.attempts == 1)
        #expect(calls.count == 1)
        #expect(!log.all.contains { if case .retrying = $0.kind { true } else { false } })
    }

    @Test func classifierClosureDecidesWhatIsTransient() async throws {
        let calls = Counter()
        let policy = RetryPolicy(maxAttempts: 3, initialDelay: .seconds(1)) { error in
            "\(error)".contains("connection refused")
        }
        let job = ExecutionJob(id: "kubectl") { _ in
            if calls.next() == 1 {
                throw PermanentError(
                    description:
                        "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?: connection refused"
                )
            }
        }
        let report = try await JobExecutor(retry: policy, clock: ManualClock()).run([job])
        #expect(report.succeeded)
        #expect(report["kubectl"]?.attempts == 2)
    }

    @Test func overallTimeoutCancelsRunningJobsAndReportsThem() async throws {
        let clock = ManualClock(autoAdvance: false)
        let log = EventLog()
        let jobs = [
            sleeper("fast", 1),
            ExecutionJob(id: "webhook", group: "primary") { ctx in
                try await ctx.waitUntil("MetalLB webhook to be ready", timeout: .seconds(3600)) { .notYet("no endpoints") }
            },
            sleeper("after-webhook", 1, after: ["webhook"]),
        ]
        let executor = JobExecutor(timeout: .seconds(60), clock: clock)
        let run = Task { try await executor.run(jobs, onEvent: log.callback) }
        await clock.waitForSleepers(3)  // the timer, "fast" and the webhook poll
        clock.advance(by: .seconds(1))
        // Keep moving time until the overall timeout fires.
        while clock.now < .seconds(60) {
            await clock.waitForSleepers(2)
            clock.advance(by: .seconds(1))
        }
        let report = try await run.value
        #expect(report.timedOut)
        #expect(!report.cancelled)
        #expect(report["fast"]?.status == .succeeded)
        #expect(report["webhook"]?.status == .timedOut)
        #expect(
            report["webhook"]?.error
                == "cancelled: the overall --timeout passed while waiting for MetalLB webhook to be ready: no endpoints")
        #expect(report["after-webhook"]?.status == .notStarted)
        #expect(log.kinds(of: "webhook").contains(.cancelled(timedOut: true)))
        #expect(log.kinds(of: "webhook").contains(.progress("waiting for MetalLB webhook to be ready: no endpoints")))
    }

    @Test func cancellationStopsRunningJobsAndListsNotStarted() async throws {
        let clock = ManualClock(autoAdvance: false)
        let jobs = [
            ExecutionJob(id: "done") { _ in },
            sleeper("slow-a", 100, group: "primary"),
            sleeper("after-a", 1, after: ["slow-a"], group: "primary"),
            sleeper("slow-b", 100, group: "secondary"),
        ]
        let executor = JobExecutor(clock: clock)
        let run = Task { try await executor.run(jobs) }
        await clock.waitForSleepers(2)
        run.cancel()  // what the SIGINT trap does
        let report = try await run.value
        #expect(report.cancelled)
        #expect(!report.timedOut)
        #expect(report["done"]?.status == .succeeded)
        #expect(report.ids(.cancelled) == ["slow-a", "slow-b"])
        #expect(report.ids(.notStarted) == ["after-a"])
        #expect(!report.succeeded)
    }

    @Test func alreadyCancelledTaskStartsNothing() async throws {
        let calls = Counter()
        let jobs = [ExecutionJob(id: "a") { _ in calls.next() }]
        let run = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await JobExecutor(clock: ManualClock()).run(jobs)
        }
        let report = try await run.value
        #expect(report.cancelled)
        #expect(report["a"]?.status == .notStarted)
        #expect(calls.count == 0)
    }

    @Test func cycleIsReportedWithItsJobs() async throws {
        let jobs = [
            sleeper("network", 1),
            sleeper("a", 1, after: ["network", "c"]),
            sleeper("b", 1, after: ["a"]),
            sleeper("c", 1, after: ["b"]),
        ]
        let error = try #require(throws: ExecutionGraphError.self) {
            try JobExecutor.validate(jobs)
        }
        #expect(error.code == .cycle)
        #expect(error.description == "dependency cycle: a → c → b → a (each job depends on the next)")
        #expect(Set(error.jobs) == ["a", "b", "c"])
        await #expect(throws: ExecutionGraphError.self) { try await JobExecutor(clock: ManualClock()).run(jobs) }
    }

    @Test func unknownDependencyAndDuplicateIdAreReported() throws {
        let unknown = try #require(throws: ExecutionGraphError.self) {
            try JobExecutor.validate([sleeper("vault.primary", 1, after: ["operator.primary"])])
        }
        #expect(unknown.code == .unknownDependency)
        #expect(unknown.description == "job 'vault.primary' depends on unknown job 'operator.primary'")
        let duplicate = try #require(throws: ExecutionGraphError.self) {
            try JobExecutor.validate([sleeper("x", 1), sleeper("x", 2)])
        }
        #expect(duplicate.code == .duplicateJob)
        #expect(duplicate.description == "job id 'x' is used twice")
    }

    @Test func criticalPathIsTheLongestChainByDuration() async throws {
        // network(1) → kms(2) → vault.primary(1)
        // network(1) → create.secondary(10) → metallb.secondary(3) → vault.secondary(4)
        // create.primary(6) → vault.primary
        let jobs = [
            sleeper("network", 1),
            sleeper("kms", 2, after: ["network"]),
            sleeper("create.primary", 6),
            sleeper("vault.primary", 1, after: ["kms", "create.primary"]),
            sleeper("create.secondary", 10, after: ["network"]),
            sleeper("metallb.secondary", 3, after: ["create.secondary"]),
            sleeper("vault.secondary", 4, after: ["metallb.secondary", "kms"]),
        ]
        // parallelism 1 makes virtual durations exact with an auto-advancing clock.
        let report = try await JobExecutor(parallelism: 1, clock: ManualClock()).run(jobs)
        #expect(report.succeeded)
        #expect(report.criticalPath.map(\.id) == ["network", "create.secondary", "metallb.secondary", "vault.secondary"])
        #expect(report.criticalPath.map(\.duration) == [.seconds(1), .seconds(10), .seconds(3), .seconds(4)])
        #expect(report.criticalPathDuration == .seconds(18))
        #expect(report.criticalPath.first?.label == "job network")
    }

    @Test func criticalPathWithConcurrentJobsOnAManualClock() async throws {
        let clock = ManualClock(autoAdvance: false)
        let jobs = [sleeper("a", 5), sleeper("b", 2), sleeper("c", 1, after: ["b"])]
        let log = EventLog()
        let run = Task { try await JobExecutor(clock: clock).run(jobs, onEvent: log.callback) }
        await clock.waitForSleepers(2)
        clock.advance(by: .seconds(2))  // b done, c starts
        await clock.waitForSleepers(2)
        clock.advance(by: .seconds(1))  // c done at 3s
        while !log.successOrder.contains("c") { await Task.yield() }
        clock.advance(by: .seconds(2))  // a done at 5s
        let report = try await run.value
        #expect(report.wallTime == .seconds(5))
        #expect(report.criticalPath.map(\.id) == ["a"], "a (5s) is longer than b → c (3s)")
        #expect(report["c"]?.startedAt == .seconds(2))
        #expect(report["c"]?.duration == .seconds(1))
    }

    @Test func progressEventsCarryGroupAndLabel() async throws {
        let log = EventLog()
        let job = ExecutionJob(id: "crd.primary", label: "wait for Vault CRD", group: "primary") { ctx in
            ctx.progress("applying operator chart")
        }
        _ = try await JobExecutor(clock: ManualClock()).run([job], onEvent: log.callback)
        let event = try #require(log.all.first { $0.kind == .progress("applying operator chart") })
        #expect(event.group == "primary")
        #expect(event.label == "wait for Vault CRD")
        #expect(log.kinds(of: "crd.primary") == [.started(attempt: 1), .progress("applying operator chart"), .succeeded])
    }
}
