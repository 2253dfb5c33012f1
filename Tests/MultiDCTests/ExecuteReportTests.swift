import Foundation
import MultiDCTestSupport
import Testing

@testable import MultiDC

@Suite("Executor reports and events")
struct ExecuteReportTests {
    @Test func summaryListsJobsCriticalPathAndCounts() async throws {
        let jobs = [
            ExecutionJob(id: "net", label: "network create") { try await $0.sleep(for: .seconds(2)) },
            ExecutionJob(id: "kind", label: "kind create cluster primary", group: "primary", dependencies: ["net"]) {
                try await $0.sleep(for: .seconds(60))
            },
            ExecutionJob(id: "broken", label: "helm install", group: "secondary") { _ in
                throw PermanentError(description: "chart not found")
            },
            ExecutionJob(id: "after", label: "vault CR", group: "secondary", dependencies: ["broken"]) { _ in },
        ]
        let report = try await JobExecutor(parallelism: 1, clock: ManualClock()).run(jobs)
        #expect(
            report.renderSummary() == """
                JOB                          GROUP      STATUS     TIME   TRIES
                network create               -          succeeded  2.00s  1
                kind create cluster primary  primary    succeeded  1m00s  1
                helm install                 secondary  failed     0s     1
                1 skipped: blocked by helm install
                critical path (1m02s): network create 2.00s → kind create cluster primary 1m00s
                wall time 1m02s: 4 steps, 2 succeeded, 1 failed, 1 skipped

                """)
    }

    @Test func eventsEncodeAsFlatJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let retry = ExecutionEvent(
            jobID: "pool.primary", label: "MetalLB pool", group: "primary", elapsed: .milliseconds(1500),
            kind: .retrying(attempt: 1, delay: .seconds(2), reason: "webhook not ready"))
        #expect(
            String(decoding: try encoder.encode(retry), as: UTF8.self)
                == #"{"attempt":1,"delay":2,"elapsed":1.5,"event":"retrying","group":"primary","job":"pool.primary","label":"MetalLB pool","message":"webhook not ready"}"#
        )
        let skipped = ExecutionEvent(jobID: "x", label: "x", group: nil, elapsed: .zero, kind: .skipped(blockedBy: ["a"]))
        #expect(
            String(decoding: try encoder.encode(skipped), as: UTF8.self)
                == #"{"blocked_by":["a"],"elapsed":0,"event":"skipped","job":"x","label":"x"}"#)
    }

    @Test func aJobThatCancelsItselfCountsAsFailed() async throws {
        let jobs = [
            ExecutionJob(id: "a") { _ in throw CancellationError() },
            ExecutionJob(id: "b", dependencies: ["a"]) { _ in },
        ]
        let report = try await JobExecutor(clock: ManualClock()).run(jobs)
        #expect(!report.cancelled)
        #expect(report["a"]?.status == .failed)
        #expect(report["b"]?.status == .skipped)
    }

    @Test func reportEncodesAsJSON() async throws {
        let jobs = [
            ExecutionJob(id: "a", group: "primary") { try await $0.sleep(for: .milliseconds(1500)) },
            ExecutionJob(id: "b", dependencies: ["a"]) { _ in throw PermanentError(description: "boom") },
        ]
        let report = try await JobExecutor(clock: ManualClock()).run(jobs)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let object = try #require(try JSONSerialization.jsonObject(with: encoder.encode(report)) as? [String: Any])
        #expect(object["succeeded"] as? Bool == false)
        #expect(object["wall_time"] as? Double == 1.5)
        let jobsJSON = try #require(object["jobs"] as? [[String: Any]])
        #expect(jobsJSON.map { $0["status"] as? String } == ["succeeded", "failed"])
        #expect(jobsJSON[0]["duration"] as? Double == 1.5)
        #expect(jobsJSON[1]["error"] as? String == "boom")
        let path = try #require(object["critical_path"] as? [[String: Any]])
        #expect(path.map { $0["id"] as? String } == ["a", "b"])
    }
}
