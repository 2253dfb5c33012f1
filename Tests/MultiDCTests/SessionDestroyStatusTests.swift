import Foundation
import MultiDCTestSupport
import Testing
import YAML

@testable import MultiDC

/// `Session.destroy` and `Session.status` over a `ScriptedWorld`.
@Suite struct SessionDestroyStatusTests {
    /// A step that must never run.
    struct NeverRuns: Step {
        func run(_ context: StepContext) async throws { Issue.record("a step ran") }
    }

    // MARK: destroy

    @Test func destroyPlansAndReportsWhatItRemoved() async throws {
        let loaded = try SessionFixture.loaded()
        let script = ScriptedWorld(loaded, world: try SessionFixture.builder(loaded).converged())
        let (plan, result, confirmed) = await SessionFixture.session(script).destroy(loaded, execution: .init()) { plan in
            #expect(plan.purpose == .destroy)
            return true
        }
        #expect(confirmed)
        #expect(plan.problems.isEmpty)
        #expect(plan.changes.allSatisfy { $0.change == .delete })
        let report = try #require(result)
        #expect(report.succeeded, "\(report.jobs.filter { $0.status != .succeeded })")
        #expect(report.jobs.count == plan.changes.count)
        let deleted = script.writes.filter { $0.argv.starts(with: ["kind", "delete", "cluster"]) }
        #expect(deleted.count == 3)
        #expect(script.writes.contains { $0.argv.starts(with: ["docker", "rm"]) && $0.arguments.contains("central-vault") })
    }

    @Test func declinedDestroyRunsNothing() async throws {
        let loaded = try SessionFixture.loaded()
        let script = ScriptedWorld(loaded, world: try SessionFixture.builder(loaded).converged())
        let (plan, report, confirmed) = await SessionFixture.session(script).destroy(loaded, execution: .init()) { _ in false }
        #expect(!confirmed)
        #expect(plan.hasChanges)
        #expect(report == nil)
        #expect(script.writes.isEmpty)
    }

    @Test func destroyOfAnEmptyWorldHasNothingToDoAndDoesNotAsk() async throws {
        let loaded = try SessionFixture.loaded()
        let script = ScriptedWorld(loaded, world: SessionFixture.builder(loaded).empty())
        let (plan, report, confirmed) = await SessionFixture.session(script).destroy(loaded, execution: .init()) { _ in
            Issue.record("asked to destroy nothing")
            return false
        }
        #expect(confirmed)
        #expect(!plan.hasChanges)
        #expect(report == nil)
        #expect(script.writes.isEmpty)
    }

    @Test func destroyWithAnUnreachableEngineReportsTheProblem() async throws {
        let loaded = try SessionFixture.loaded()
        let script = ScriptedWorld(loaded, world: SessionFixture.builder(loaded).empty()) { runner in
            runner.on(
                ["docker"], exitCode: 1,
                stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n")
        }
        let (plan, report, _) = await SessionFixture.session(script).destroy(loaded, execution: .init()) { _ in true }
        // The preflight finds it before anything is observed or changed.
        #expect(
            plan.problems.map(\.message) == [
                "nothing was changed: docker does not answer (`docker version --format '{{.Server.Version}}'`: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?). Install what is missing (docs/tools.md lists the versions multidc is tested with) or put it on PATH."
            ])
        #expect(report == nil)
        #expect(script.writes.isEmpty)
    }

    @Test func graphErrorComesBackAsAPlanProblemNotSwallowed() async throws {
        let loaded = try SessionFixture.loaded()
        let script = ScriptedWorld(loaded, world: SessionFixture.builder(loaded).empty())
        var action = PlanAction(id: .kms, change: .delete, step: NeverRuns(), resource: "kms central-vault", reason: "owned")
        action.dependsOn = [.network]  // not an action of the plan: the graph cannot be built
        let plan = Plan(topology: "vault-raft", purpose: .destroy, actions: [action])
        let (result, report, confirmed) = await SessionFixture.session(script).destroy(loaded, plan: plan, execution: .init())
        #expect(confirmed)
        #expect(report == nil)
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.message.hasPrefix("internal error: ") == true)
        #expect(result.problems.first?.message.contains("network") == true)
        #expect(script.runner.calls.isEmpty)
    }

    // MARK: status

    @Test func statusOfAConvergedHealthyWorld() async throws {
        let loaded = try SessionFixture.loaded()
        let script = ScriptedWorld(loaded, world: try SessionFixture.builder(loaded).converged())
        let status = await SessionFixture.session(script).status(loaded)
        #expect(status.health.isHealthy)
        #expect(status.rows.map(\.cluster) == ["primary", "secondary", "tertiary"])
        #expect(status.rows.allSatisfy { $0.reachable == "yes" && $0.operatorRelease == "deployed" && $0.sealed == "false" })
        #expect(status.rows.map(\.pool) == ["172.30.1.128/25", "172.30.2.128/25", "172.30.3.128/25"])
        #expect(status.rows.map(\.loadBalancerIP) == ["172.30.1.128", "172.30.2.128", "172.30.3.128"])
        #expect(status.rows.map(\.raftRole) == ["leader", "follower", "follower"])
        #expect(status.rows[0].vaultPod == "vault-primary-0 Ready")
        #expect(status.renderText().hasPrefix("Topology vault-raft\nCLUSTER"))
        #expect(status.json().contains(#""formatVersion" : "multidc.status/v2""#))
        // Read only: one observation and one `vault status` per pod, no polling.
        #expect(script.writes.isEmpty)
        #expect(script.observations == 1)
        #expect(script.runner.calls.filter(ScriptedWorld.isVaultStatus).count == 3)
    }

    @Test func statusNamesAnUnreachableClusterAndIsUnhealthy() async throws {
        let loaded = try SessionFixture.loaded()
        let world = try SessionFixture.builder(loaded).converged().editing("tertiary") {
            $0.reachability = .contextMissing("error: context was not found for specified context: kind-tertiary")
        }
        let script = ScriptedWorld(loaded, world: world, health: .sealed(["tertiary"]))
        let status = await SessionFixture.session(script).status(loaded)
        #expect(!status.health.isHealthy)
        #expect(status.rows[2].reachable == "no (no context)")
        // Not read, so not known: unknown, never absent.
        #expect(status.rows[2].operatorRelease == "unknown")
        #expect(status.rows[2].sealed == "true")
        #expect(status.rows[0].reachable == "yes")
    }
}
