import MultiDCTestSupport
import Testing

@testable import MultiDC

@Suite("Executor waits and durations")
struct ExecuteWaitTests {
    @Test func waitUntilTimesOutWithTheLastReason() async throws {
        let clock = ManualClock()
        let progress = EventLog()
        let context = JobContext(
            id: "crd", clock: clock,
            onProgress: { message in
                progress.record(ExecutionEvent(jobID: "crd", label: "", group: nil, elapsed: .zero, kind: .progress(message)))
            })
        let polls = Counter()
        let error = await #expect(throws: WaitTimeoutError.self) {
            try await context.waitUntil("CRD vaults.vault.banzaicloud.com to be Established", timeout: .seconds(120)) {
                polls.next() < 3 ? .notYet("not found") : .notYet("condition Established=False")
            }
        }
        #expect(
            error?.description
                == "timed out after 2m0s waiting for CRD vaults.vault.banzaicloud.com to be Established (last observed: condition Established=False)"
        )
        #expect(clock.now == .seconds(120), "it waits the whole timeout, not longer")
        #expect(polls.count > 3)
        #expect(
            progress.all.map(\.kind) == [
                .progress("waiting for CRD vaults.vault.banzaicloud.com to be Established: not found"),
                .progress("waiting for CRD vaults.vault.banzaicloud.com to be Established: condition Established=False"),
            ])
    }

    @Test func waitUntilWithoutReasonHasShortMessage() async throws {
        let context = JobContext(id: "x", clock: ManualClock())
        let error = await #expect(throws: WaitTimeoutError.self) {
            try await context.waitUntil("pod vault-primary-0 to be Ready", timeout: .seconds(90)) { false }
        }
        #expect(error?.description == "timed out after 1m30s waiting for pod vault-primary-0 to be Ready")
    }

    @Test func waitUntilReturnsWhenReadyAndTreatsTransientErrorsAsNotYet() async throws {
        let clock = ManualClock()
        let polls = Counter()
        let context = JobContext(id: "api", clock: clock)
        try await context.waitUntil("API server to answer", timeout: .seconds(60), interval: .seconds(1)) {
            let n = polls.next()
            if n == 1 { throw TransientFailure("connection refused") }
            return n >= 3 ? .ready : .notYet
        }
        #expect(polls.count == 3)
        #expect(clock.now == .milliseconds(2500), "1s then 1.5s backoff")
    }

    @Test func waitUntilStopsOnPermanentError() async throws {
        let context = JobContext(id: "x", clock: ManualClock())
        await #expect(throws: PermanentError.self) {
            try await context.waitUntil("anything", timeout: .seconds(60)) { () async throws -> WaitState in
                throw PermanentError(description: "forbidden")
            }
        }
    }

    @Test(arguments: [
        (Duration.seconds(120), "2m0s"),
        (.seconds(90), "1m30s"),
        (.milliseconds(1500), "1.5s"),
        (.milliseconds(250), "250ms"),
        (.seconds(3600), "1h0m0s"),
        (.seconds(3725), "1h2m5s"),
        (.zero, "0s"),
        (.seconds(5), "5s"),
    ])
    func goStyleDurations(duration: Duration, text: String) {
        #expect(DurationText.format(duration) == text)
    }

    @Test func retryDelaysGrowAndCap() {
        let policy = RetryPolicy(maxAttempts: 10, initialDelay: .milliseconds(500), multiplier: 2, maxDelay: .seconds(3))
        #expect((1...5).map { policy.delay(afterAttempt: $0) } == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(3)])
        let jittered = RetryPolicy(initialDelay: .seconds(1), jitter: 0.5).delay(afterAttempt: 1)
        #expect(jittered >= .milliseconds(500) && jittered <= .milliseconds(1500))
        #expect(!policy.shouldRetry(CancellationError(), afterAttempt: 1))
        #expect(policy.shouldRetry(TransientFailure("x"), afterAttempt: 9))
        #expect(!policy.shouldRetry(TransientFailure("x"), afterAttempt: 10))
    }
}
