import Foundation
import MultiDC
import MultiDCTestSupport
import Testing

@testable import multidc

/// `multidc diff SPEC --out plan.json` then `multidc apply plan.json`: exactly the saved plan, or
/// a refusal saying what moved.
@Suite struct PlanFileCLITests {
    static func planPath(_ spec: String) -> String {
        URL(fileURLWithPath: spec).deletingLastPathComponent().appendingPathComponent("plan.json").path
    }

    @Test func aSavedPlanAppliesAsSavedAndCarriesNoSecret() async throws {
        let spec = try CLIFixture.write()
        let out = Self.planPath(spec.path)
        let diff = await CLI.run(["diff", spec.path, "--out", out], session: CLIFixture.session(CLIFixture.emptyWorld()))
        #expect(diff.exitCode == 0, "\(diff)")
        #expect(diff.stderr.contains("Saved the plan to \(out)"))
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("\"formatVersion\" : \"multidc.plan/v1\""))
        #expect(text.contains("\"specSHA256\""))
        #expect(!text.contains(CLIFixture.token))
        let applied = await CLI.run(["apply", out, "--yes"], session: CLIFixture.session(CLIFixture.emptyWorld()))
        #expect(applied.exitCode == 0, "\(applied)")
        #expect(applied.stdout.contains("Apply complete."), "\(applied)")
    }

    @Test func aChangedSpecIsRefusedBeforeAnythingRuns() async throws {
        let spec = try CLIFixture.write()
        let out = Self.planPath(spec.path)
        _ = await CLI.run(["diff", spec.path, "--out", out], session: CLIFixture.session(CLIFixture.emptyWorld()))
        let template = URL(fileURLWithPath: spec.path).deletingLastPathComponent().appendingPathComponent("vault-cr.yaml")
        try (try String(contentsOf: template, encoding: .utf8) + "\n# edited\n").write(to: template, atomically: true, encoding: .utf8)
        let runner = CLIFixture.emptyWorld()
        let refused = await CLI.run(["apply", out, "--yes"], session: CLIFixture.session(runner))
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("the spec changed since the plan was made"), "\(refused)")
        #expect(!runner.calls.contains { $0.argv.starts(with: ["kind", "create"]) })
    }

    @Test func aWorldThatMovedIsRefusedNamingWhatMoved() async throws {
        let spec = try CLIFixture.write()
        let out = Self.planPath(spec.path)
        _ = await CLI.run(["diff", spec.path, "--out", out], session: CLIFixture.session(CLIFixture.emptyWorld()))
        // Someone created the network since: the plan's `network` create is gone.
        let moved = CLIFixture.emptyWorld { runner in
            runner.on(where: { $0.argv.starts(with: ["docker", "network", "inspect", "multidc-test"]) && $0.argv.count == 4 }) { _ in
                .result(CommandResult(stdout: CLIFixture.networkJSON))
            }
        }
        let refused = await CLI.run(["apply", out, "--yes"], session: CLIFixture.session(moved))
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("the world changed since the plan was made; nothing was applied:"), "\(refused)")
        #expect(refused.stderr.contains("network: planned create, now nothing to do"), "\(refused)")
        #expect(!moved.calls.contains { $0.argv.starts(with: ["kind", "create"]) })
    }

    @Test func specsAndPlainPlanDocumentsAreNotSavedPlans() async throws {
        #expect(PlanFile.isPlanFile("apiVersion: multidc/v1alpha1\n") == false)
        #expect(PlanFile.isPlanFile(#"{"formatVersion": "multidc.plan/v1", "actions": []}"#) == false)
        #expect(throws: PlanFile.ReadError.self) {
            try PlanFile.parse(#"{"formatVersion": "multidc.plan/v1", "source": {}}"#, file: "p.json")
        }
    }
}
