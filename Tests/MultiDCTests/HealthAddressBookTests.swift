import Foundation
import MultiDCTestSupport
import Testing
import YAML

@testable import MultiDC

/// The health check places each Raft peer by its address: a pool, or an observed Vault Service.
/// With `loadBalancer: none` (provider existing: a cloud gives the addresses) there is no pool, and
/// the Services an apply just made were not in its last observation: their addresses are read when
/// a peer is unclaimed (found by the `multidc init --provider existing` e2e scenario, where the
/// check stayed unhealthy — "the Vault node of no cluster in the spec" — until its timeout).
@Suite struct HealthAddressBookTests {
    /// examples/existing as an apply leaves it: each Vault Service has a cloud address.
    static func world(_ loaded: LoadedTopology, addresses: Bool) throws -> World {
        var world = try SessionFixture.builder(loaded).converged(leaderLoadBalancerIP: "203.0.113.1")
        for (i, cluster) in loaded.topology.clusters.enumerated() {
            world = world.editing(cluster.name) { observation in
                observation.objects.vaultServices = observation.objects.vaultServices.map {
                    var service = $0
                    service.ingressIPs = addresses ? ["203.0.113.\(i + 1)"] : []
                    return service
                }
            }
        }
        return world
    }

    @Test func peersOfServicesMadeAfterTheLastObservationArePlaced() async throws {
        let loaded = try PlanFixture.example("existing")
        let live = try Self.world(loaded, addresses: true)
        let script = ScriptedWorld(loaded, world: live) { runner in
            // `kubectl get services -n vault -o json`: the live Services.
            runner.on(where: { $0.executable == "kubectl" && $0.arguments.contains("services") }) { command in
                let context = ScriptedWorld.context(of: command)
                let objects = live.clusters.first { $0.context == context }?.objects ?? ClusterObjects()
                return .result(CommandResult(stdout: ScriptedWorld.kubectlList(objects, topology: loaded.topology)))
            }
        }
        let session = SessionFixture.session(script)
        // The apply's last observation: the Services did not exist (no address) yet.
        let report = await session.health(loaded, world: try Self.world(loaded, addresses: false), timeout: .seconds(5))
        #expect(report.isHealthy, "\(report.problems)")
        let reads = script.runner.calls.filter { $0.arguments.contains("services") }
        #expect(reads.count == loaded.topology.clusters.count)
        #expect(reads.first?.arguments.suffix(5) == ["get", "services", "-n", "vault", "-o", "json"].suffix(5))

        // A book that already places every peer reads nothing more.
        let again = ScriptedWorld(loaded, world: live)
        let placed = await SessionFixture.session(again).health(loaded, world: live, timeout: .seconds(5))
        #expect(placed.isHealthy, "\(placed.problems)")
        #expect(!again.runner.calls.contains { $0.arguments.contains("services") })
    }
}
