import Foundation
import MultiDCTestSupport
import Testing

@testable import MultiDC

/// Issue 11: durations as people read them, tables that fit, cascades collapsed per cause.
@Suite struct HumanOutputTests {
    @Test(arguments: [
        (Duration.zero, "0s"), (.milliseconds(340), "340ms"), (.milliseconds(1456), "1.46s"), (.seconds(2), "2.00s"),
        (.milliseconds(12_340), "12.3s"), (.seconds(125), "2m05s"), (.nanoseconds(4_903_987_291), "4.90s"),
        (.seconds(3725), "1h02m"), (.seconds(59.96), "1m00s"),
    ])
    func durationsAreRounded(_ duration: Duration, _ text: String) {
        #expect(DurationText.human(duration) == text)
    }

    @Test func tablesAreClippedToTheWidth() {
        let rows = [["JOB", "GROUP", "STATUS"], [String(repeating: "x", count: 100), "primary", "succeeded"]]
        let text = TextTable.render(rows, width: 40)
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 40 }, "\(text)")
        #expect(text.contains("…"))
        #expect(TextTable.render(rows) == TextTable.render(rows, width: 1000))
    }

    @Test func aCascadeCollapsesToItsCause() async throws {
        let jobs =
            [
                ExecutionJob(id: "p4", label: "+ kind cluster p4", group: "p4") { _ in throw PermanentError(description: "boom") }
            ] + (1...7).map { i in ExecutionJob(id: "after\(i)", group: "p4", dependencies: [i == 1 ? "p4" : "after\(i - 1)"]) { _ in } }
        let report = try await JobExecutor(clock: ManualClock()).run(jobs)
        #expect(report.skippedLines == ["7 skipped: blocked by + kind cluster p4"])
        let summary = report.renderSummary()
        #expect(summary.contains("7 skipped: blocked by + kind cluster p4\n"))
        #expect(!summary.contains("after3"))
        #expect(summary.contains("wall time 0s: 8 steps, 1 failed, 7 skipped"))
    }

    @Test func theSummaryFits80ColumnsWithLongLabels() async throws {
        let label = "+ Vault CR vault-e2e-abcdef-a-very-long-cluster-name in namespace vault-system"
        let jobs = [ExecutionJob(id: "a", label: label, group: "e2e-abcdef-a-very-long-cluster-name") { _ in }]
        let report = try await JobExecutor(clock: ManualClock()).run(jobs)
        #expect(report.renderSummary().split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(report.renderSummary())")
    }
}
