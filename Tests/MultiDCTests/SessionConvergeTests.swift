import Foundation
import MultiDCTestSupport
import Synchronization
import Testing
import YAML

@testable import MultiDC

/// `Session.converge` end to end over a `ScriptedWorld`: observe → plan → execute → health, each
/// outcome, and the one overall timeout shared by the rounds and the health check — in virtual
/// time (a `ManualClock`), never on the real clock.
@Suite struct SessionConvergeTests {
    /// Rounds the confirm closure saw.
    final class Confirms: Sendable {
        private let rounds = Mutex<[Int]>([])
        var all: [Int] { rounds.withLock { $0 } }
        func record(_ round: Int) { rounds.withLock { $0.append(round) } }
    }

    /// A flag any task may set.
    final class Flag: Sendable {
        private let value = Mutex(false)
        var isSet: Bool { value.withLock { $0 } }
        func set() { value.withLock { $0 = true } }
    }

    @Test func convergedWorldConvergesWithHealthAndWritesNothing() async throws {
        let loaded = try SessionFixture.loaded()
        let script = ScriptedWorld(loaded, world: try SessionFixture.builder(loaded).converged())
        let confirms = Confirms()
        let outcome = await SessionFixture.session(script).converge(loaded, options: ConvergeOptions()) { _, round in
            confirms.record(round)
            return true
        }
        guard case .converged(let rounds, let health?) = outcome else {
            Issue.record("not converged: \(outcome)")
            return
        }
        #expect(rounds.count == 1)
        #expect(rounds[0].report == nil)
        #expect(!rounds[0].plan.hasChanges)
        #expect(health.isHealthy)
        #expect(confirms.all.isEmpty)
        #expect(script.writes.isEmpty, "\(script.writes)")
        #expect(script.observations == 1)
        #expect(script.runner.calls.filter(ScriptedWorld.isVaultStatus).count == 3)
    }

    @Test func emptyWorldRunsThePlanThenTheHealthCheckWithoutASecondObservation() async throws {
        let loaded = try SessionFixture.loaded()
        let builder = SessionFixture.builder(loaded)
        let script = ScriptedWorld(loaded, world: builder.empty())
        let converged = try builder.converged()
        let confirms = Confirms()
        let outcome = await SessionFixture.session(script).converge(loaded, options: ConvergeOptions()) { plan, round in
            confirms.record(round)
            script.world = converged  // what the tools leave behind
            return true
        }
        guard case .converged(let rounds, let health?) = outcome else {
            Issue.record("not converged: \(outcome)")
            return
        }
        #expect(confirms.all == [1])
        #expect(rounds.count == 1)
        let report = try #require(rounds[0].report)
        #expect(report.succeeded, "\(report.jobs.filter { $0.status != .succeeded })")
        #expect(report.jobs.count == rounds[0].plan.changes.count)
        #expect(health.isHealthy)
        #expect(script.observations == 1)
        #expect(script.writes.contains { $0.argv.starts(with: ["kind", "create", "cluster"]) })
        // The health check comes after every write.
        let calls = script.runner.calls
        let firstStatus = try #require(calls.firstIndex(where: ScriptedWorld.isVaultStatus))
        #expect(!calls[firstStatus...].contains { !ScriptedWorld.isRead($0) })
    }

    @Test func planWithProblemsIsBlockedBeforeAnythingRuns() async throws {
        let loaded = try SessionFixture.loaded()
        let world = try SessionFixture.builder(loaded).converged().editing("secondary") {
            $0.reachability = .apiServerUnreachable(
                "The connection to the server 127.0.0.1:40123 was refused - did you specify the right host or port?")
        }
        let script = ScriptedWorld(loaded, world: world)
        let confirms = Confirms()
        let outcome = await SessionFixture.session(script).converge(loaded, options: ConvergeOptions()) { _, round in
            confirms.record(round)
            return true
        }
        guard case .blocked(let plan, let rounds) = outcome else {
            Issue.record("not blocked: \(outcome)")
            return
        }
        #expect(plan.problems.map(\.cluster) == ["secondary"])
        #expect(plan.problems[0].message.contains("127.0.0.1:40123 was refused"))
        #expect(rounds.count == 1)
        #expect(confirms.all.isEmpty)
        #expect(script.writes.isEmpty)
        #expect(!script.runner.calls.contains(where: ScriptedWorld.isVaultStatus))
    }

    @Test func dataLossIsRefusedWithoutAllowDataLoss() async throws {
        let loaded = try SessionFixture.loaded()
        let world = try SessionFixture.builder(loaded).converged().removingKMS()
        let script = ScriptedWorld(loaded, world: world)
        let confirms = Confirms()
        let outcome = await SessionFixture.session(script).converge(loaded, options: ConvergeOptions()) { _, round in
            confirms.record(round)
            return true
        }
        guard case .refused(let plan, _) = outcome else {
            Issue.record("not refused: \(outcome)")
            return
        }
        #expect(plan.dataLosses.map(\.id.description).contains("kms"))
        #expect(confirms.all.isEmpty)
        #expect(script.writes.isEmpty)
    }

    @Test func allowDataLossAsksAndADeclinedPlanRunsNothing() async throws {
        let loaded = try SessionFixture.loaded()
        let world = try SessionFixture.builder(loaded).converged().removingKMS()
        let script = ScriptedWorld(loaded, world: world)
        let confirms = Confirms()
        let outcome = await SessionFixture.session(script).converge(loaded, options: ConvergeOptions(allowDataLoss: true)) {
            plan, round in
            confirms.record(round)
            #expect(!plan.dataLosses.isEmpty)
            return false
        }
        guard case .declined(let plan, let rounds) = outcome else {
            Issue.record("not declined: \(outcome)")
            return
        }
        #expect(plan.hasChanges)
        #expect(rounds.count == 1 && rounds[0].report == nil)
        #expect(confirms.all == [1])
        #expect(script.writes.isEmpty)
    }

    @Test func stoppedClusterIsStartedThenPlannedAgainInASecondRound() async throws {
        let loaded = try SessionFixture.loaded()
        let builder = SessionFixture.builder(loaded)
        let converged = try builder.converged()
        var stopped = converged
        stopped.containers = stopped.containers.map {
            var c = $0
            if c.name == "tertiary-control-plane" {
                c.state = .exited
                c.ipv4Address = nil
            }
            return c
        }
        stopped.kindClusters = Kind.clusters(from: stopped.containers)
        stopped = stopped.editing("tertiary") {
            $0.reachability = .apiServerUnreachable(
                "The connection to the server 127.0.0.1:40123 was refused - did you specify the right host or port?")
        }
        let script = ScriptedWorld(loaded, world: stopped)
        let confirms = Confirms()
        let outcome = await SessionFixture.session(script).converge(loaded, options: ConvergeOptions()) { plan, round in
            confirms.record(round)
            #expect(plan.deferredClusters == ["tertiary"])
            script.world = converged
            return true
        }
        guard case .converged(let rounds, let health?) = outcome else {
            Issue.record("not converged: \(outcome)")
            return
        }
        #expect(rounds.count == 2)
        #expect(rounds[0].plan.changeRows == [PlanRow("cluster/tertiary", .update)])
        #expect(rounds[0].report?.succeeded == true)
        #expect(!rounds[1].plan.hasChanges)
        #expect(confirms.all == [1])
        #expect(script.observations == 2)
        #expect(health.isHealthy)
    }

    @Test func clusterThatNeverStartsIsNotConvergedAfterMaxRounds() async throws {
        let loaded = try SessionFixture.loaded()
        var stopped = try SessionFixture.builder(loaded).converged()
        stopped.containers = stopped.containers.map {
            var c = $0
            if c.name == "tertiary-control-plane" {
                c.state = .exited
                c.ipv4Address = nil
            }
            return c
        }
        stopped.kindClusters = Kind.clusters(from: stopped.containers)
        stopped = stopped.editing("tertiary") {
            $0.reachability = .apiServerUnreachable(
                "The connection to the server 127.0.0.1:40123 was refused - did you specify the right host or port?")
        }
        // `docker start` "succeeds" but the world stays as it was.
        let script = ScriptedWorld(loaded, world: stopped)
        let confirms = Confirms()
        let outcome = await SessionFixture.session(script).converge(loaded, options: ConvergeOptions(maxRounds: 2)) { _, round in
            confirms.record(round)
            return true
        }
        guard case .notConverged(let plan, let rounds) = outcome else {
            Issue.record("not notConverged: \(outcome)")
            return
        }
        #expect(plan.changeRows == [PlanRow("cluster/tertiary", .update)])
        #expect(rounds.count == 3)  // two executed rounds and the plan that is left
        #expect(rounds.prefix(2).allSatisfy { $0.report?.succeeded == true })
        #expect(confirms.all == [1, 2])
        #expect(script.observations == 3)
        #expect(!script.runner.calls.contains(where: ScriptedWorld.isVaultStatus))
    }

    @Test func failingActionEndsTheApplyAsFailedWithoutHealthCheck() async throws {
        let loaded = try SessionFixture.loaded()
        let builder = SessionFixture.builder(loaded)
        let script = ScriptedWorld(loaded, world: builder.empty()) { runner in
            runner.on(
                ["kind", "create", "cluster", "--name", "secondary"], exitCode: 1,
                stderr: "ERROR: failed to create cluster: node(s) already exist for a cluster with the name \"secondary\"\n")
        }
        let converged = try builder.converged()
        let outcome = await SessionFixture.session(script).converge(loaded, options: ConvergeOptions()) { _, _ in
            script.world = converged
            return true
        }
        guard case .failed(let rounds) = outcome else {
            Issue.record("not failed: \(outcome)")
            return
        }
        let report = try #require(rounds.last?.report)
        #expect(!report.succeeded)
        #expect(report["cluster/secondary"]?.status == .failed)
        #expect(report["cluster/secondary"]?.error?.contains("node(s) already exist") == true)
        #expect(report["cluster/primary"]?.status == .succeeded)
        #expect(!script.runner.calls.contains(where: ScriptedWorld.isVaultStatus))
    }

    @Test func sealedPodIsUnhealthyAfterItsHealthTimeoutInVirtualTime() async throws {
        let loaded = try SessionFixture.loaded()
        let script = ScriptedWorld(loaded, world: try SessionFixture.builder(loaded).converged(), health: .sealed(["secondary"]))
        let clock = ManualClock()
        let reports = Mutex(0)
        let outcome = await SessionFixture.session(script, clock: clock).converge(
            loaded, options: ConvergeOptions(healthTimeout: .seconds(30)), onHealth: { _ in reports.withLock { $0 += 1 } })
        guard case .unhealthy(let rounds, let health) = outcome else {
            Issue.record("not unhealthy: \(outcome)")
            return
        }
        #expect(rounds.count == 1)
        #expect(!health.isHealthy)
        #expect(health.nodes.first { $0.cluster == "secondary" }?.sealed == true)
        #expect(clock.now == .seconds(30))
        // Polled every 500ms: at 0, 0.5, …, 30s.
        #expect(reports.withLock { $0 } == 61)
    }

    @Test func overallTimeoutBoundsTheHealthCheck() async throws {
        let loaded = try SessionFixture.loaded()
        let script = ScriptedWorld(loaded, world: try SessionFixture.builder(loaded).converged(), health: .sealed(["tertiary"]))
        let clock = ManualClock()
        let outcome = await SessionFixture.session(script, clock: clock).converge(
            loaded, options: ConvergeOptions(execution: .init(timeout: .seconds(45))))
        guard case .unhealthy = outcome else {
            Issue.record("not unhealthy: \(outcome)")
            return
        }
        // health.raft.timeout is 10m; the overall --timeout of 45s ends the check.
        #expect(loaded.topology.health.raft.timeout == .seconds(600))
        #expect(clock.now == .seconds(45))
    }

    @Test func roundsAndHealthCheckShareOneOverallTimeout() async throws {
        let loaded = try SessionFixture.loaded()
        let builder = SessionFixture.builder(loaded)
        let converged = try builder.converged()
        let world = converged.editing("secondary") {
            $0.objects.vaults = [:]
            $0.objects.vaultPods = []
            $0.objects.vaultServices = []
        }
        let clock = ManualClock(autoAdvance: false)
        // The new Vault pod gets Ready only after 10s of virtual time.
        let script = ScriptedWorld(loaded, world: world, health: .sealed(["secondary"])) { runner in
            runner.on(where: { $0.arguments.contains("wait") && $0.arguments.contains("pod/vault-secondary-0") }) { _ in
                clock.now < .seconds(10)
                    ? .result(CommandResult(exitCode: 1, stderr: "error: timed out waiting for the condition on pods/vault-secondary-0\n"))
                    : .result(CommandResult(stdout: "pod/vault-secondary-0 condition met\n"))
            }
        }
        let healthStarted = Flag()
        let session = SessionFixture.session(script, clock: clock)
        let run = Task {
            await session.converge(
                loaded, options: ConvergeOptions(execution: .init(timeout: .seconds(60))),
                confirm: { _, _ in
                    script.world = converged
                    return true
                },
                onHealth: { _ in healthStarted.set() })
        }
        // Drive virtual time: while the round runs, the executor's overall timer and the
        // readiness poll sleep (step to the poll's wake-up, never past it); then the health poll.
        let finished = Flag()
        let driver = Task {
            while !finished.isSet {
                let expected = healthStarted.isSet ? 1 : 2
                if clock.sleeperCount >= expected { clock.advanceToNextDeadline() }
                await Task.yield()
            }
        }
        let outcome = await run.value
        finished.set()
        await driver.value
        guard case .unhealthy(let rounds, _) = outcome else {
            Issue.record("not unhealthy: \(outcome)")
            return
        }
        let report = try #require(rounds.first?.report)
        #expect(report.succeeded, "\(report.jobs.filter { $0.status != .succeeded })")
        let ready = try #require(report["vault-ready/secondary"])
        #expect((ready.endedAt ?? .zero) >= .seconds(10))
        // The health check got what the round left of the 60s, not its own 10m.
        #expect(clock.now == .seconds(60))
    }

    @Test func overallTimeoutBoundsARoundsReadinessWait() async throws {
        let loaded = try SessionFixture.loaded()
        let converged = try SessionFixture.builder(loaded).converged()
        let world = converged.editing("secondary") {
            $0.objects.vaults = [:]
            $0.objects.vaultPods = []
            $0.objects.vaultServices = []
        }
        let clock = ManualClock(autoAdvance: false)
        // The new Vault pod never gets Ready; its wait alone would last --wait-timeout (5m).
        let script = ScriptedWorld(loaded, world: world) { runner in
            runner.on(["kubectl", "--context", "kind-secondary", "-n", "default", "wait"], exitCode: 1, stderr: "error: timed out\n")
        }
        let session = SessionFixture.session(script, clock: clock)
        let run = Task {
            await session.converge(loaded, options: ConvergeOptions(execution: .init(timeout: .seconds(20))))
        }
        // The executor's overall timer and the readiness poll sleep; step from wake-up to wake-up.
        let finished = Flag()
        let driver = Task {
            while !finished.isSet {
                if clock.sleeperCount >= 2 { clock.advanceToNextDeadline() }
                await Task.yield()
            }
        }
        let outcome = await run.value
        finished.set()
        await driver.value
        guard case .failed(let rounds) = outcome else {
            Issue.record("not failed: \(outcome)")
            return
        }
        let report = try #require(rounds.last?.report)
        #expect(report.timedOut)
        #expect(report["vault-ready/secondary"]?.status == .timedOut)
        #expect(clock.now == .seconds(20))
        #expect(!script.runner.calls.contains(where: ScriptedWorld.isVaultStatus))
    }
}
