import Foundation
import Testing
import YAML

@testable import MultiDC

/// destroy plans: only what carries this topology's ownership marks.
@Suite struct PlanDestroyTests {
    static func destroy(_ loaded: LoadedTopology, _ world: World) -> Plan {
        Planner.destroyPlan(PlanInput(loaded: loaded, world: world))
    }

    @Test func convergedClassicWorld() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let plan = Self.destroy(loaded, try WorldBuilder(loaded).converged())
        #expect(plan.purpose == .destroy)
        #expect(plan.problems.isEmpty)
        #expect(
            plan.rows == [
                PlanRow("cluster/primary", .delete),
                PlanRow("cluster/secondary", .delete),
                PlanRow("cluster/tertiary", .delete),
                PlanRow("kms", .delete, ["cluster/primary", "cluster/secondary", "cluster/tertiary"]),
            ])
        #expect(plan.action("cluster/secondary")?.dataLoss == "the Vault node(s) vault-secondary in cluster secondary")
        #expect(plan.action("cluster/secondary")?.observed == "1 node(s)")
        #expect(plan.action("kms")?.dataLoss == "the unseal keys and root tokens kept in KMS container central-vault")
        // kind's own network carries no topology label: kept.
        #expect(plan.notes == ["docker network kind is kept: multidc did not create it"])
        #expect(plan.summaryLine == "Plan: 0 to add, 0 to change, 4 to destroy.")
        #expect(plan.deletesOrReplaces)
        #expect(PlanRenderer().render(plan).hasPrefix("Topology vault-raft: what destroy would do\n"))
    }

    @Test func foreignClusterIsLeftAloneWithANote() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().editing("secondary") { $0.objects.ownership = nil }
        let plan = Self.destroy(loaded, world)
        #expect(
            plan.rows == [
                PlanRow("cluster/primary", .delete),
                PlanRow("cluster/tertiary", .delete),
                PlanRow("kms", .delete, ["cluster/primary", "cluster/tertiary"]),
            ])
        #expect(plan.notes.contains("kind cluster secondary is left alone: it carries no ownership record of topology vault-raft"))
    }

    @Test func unreachableKindClusterIsDeletedByName() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().editing("tertiary") {
            $0.reachability = .apiServerUnreachable("connection refused")
            $0.objects = ClusterObjects()
        }
        let plan = Self.destroy(loaded, world)
        #expect(plan.action("cluster/tertiary")?.change == .delete)
        #expect(plan.action("cluster/tertiary")?.dataLoss == nil)
        #expect(plan.notes.contains("kind cluster tertiary is not reachable; it is deleted by name as the spec lists it"))
    }

    @Test func ownedNetworkIsRemovedOnlyWhenLeftEmpty() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(network: "multidc-test", subnet: "172.30.0.0/16"))
        var builder = WorldBuilder(loaded)
        builder.networkLabels = Ownership.labels(topology: "vault-raft")
        let world = try builder.converged()
        var plan = Self.destroy(loaded, world)
        #expect(
            plan.rows == [
                PlanRow("cluster/primary", .delete),
                PlanRow("cluster/secondary", .delete),
                PlanRow("cluster/tertiary", .delete),
                PlanRow("kms", .delete, ["cluster/primary", "cluster/secondary", "cluster/tertiary"]),
                PlanRow("network", .delete, ["cluster/primary", "cluster/secondary", "cluster/tertiary", "kms"]),
            ])
        #expect(plan.action("network")?.reason == "created by topology vault-raft and left empty")
        guard let remove = plan.action("network")?.step as? NetworkResource.Remove, remove.name == "multidc-test" else {
            Issue.record("network step")
            return
        }

        // A foreign container on it keeps the network (and survives).
        var withForeign = world
        var network = try #require(withForeign.network.value)
        network.containers.append(
            .init(containerID: "f" + String(repeating: "0", count: 63), name: "bystander", ipv4Address: "172.30.0.200"))
        withForeign.network = .present(network)
        plan = Self.destroy(loaded, withForeign)
        #expect(plan.action("network") == nil)
        #expect(plan.notes.contains("docker network multidc-test is kept: bystander still use(s) it"))
        #expect(!plan.actions.contains { $0.resource.contains("bystander") })

        // A network that does not carry the topology label is kept even when empty.
        builder.networkLabels = [:]
        plan = Self.destroy(loaded, try builder.converged())
        #expect(plan.action("network") == nil)
        #expect(plan.notes.contains("docker network multidc-test is kept: multidc did not create it"))
    }

    @Test func kmsWithoutTheLabelIsLeftAlone() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        var world = try WorldBuilder(loaded).converged()
        var kms = try #require(world.kms.container)
        kms.labels = [:]
        world.kms = .present(kms)
        let plan = Self.destroy(loaded, world)
        #expect(plan.action("kms") == nil)
        #expect(plan.notes.contains("container central-vault is left alone: it does not carry label multidc/topology=vault-raft"))
        #expect(plan.rows.map(\.id) == ["cluster/primary", "cluster/secondary", "cluster/tertiary"])
    }

    @Test func emptyWorldDestroysNothing() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let plan = Self.destroy(loaded, WorldBuilder(loaded).empty())
        #expect(plan.actions.isEmpty)
        #expect(plan.problems.isEmpty)
        #expect(plan.summaryLine == "No changes.")
    }

    @Test func existingProviderRemovesOnlyOwnedObjects() throws {
        let loaded = try PlanFixture.example("existing")
        let world = try WorldBuilder(loaded).converged(leaderLoadBalancerIP: "203.0.113.10")
        let plan = Self.destroy(loaded, world)
        #expect(plan.problems.isEmpty)
        // The leader's TLS secret is the operator's (no ownership labels): never deleted; the copies are.
        #expect(
            plan.rows == [
                PlanRow("vault/eu-west-1", .delete),
                PlanRow("operator/eu-west-1", .delete, ["vault/eu-west-1"]),
                PlanRow("ownership/eu-west-1", .delete, ["vault/eu-west-1", "operator/eu-west-1"]),
                PlanRow("vault/us-east-1", .delete),
                PlanRow("secret/vault-eu-west-1-tls/us-east-1", .delete),
                PlanRow("operator/us-east-1", .delete, ["vault/us-east-1"]),
                PlanRow("ownership/us-east-1", .delete, ["vault/us-east-1", "secret/vault-eu-west-1-tls/us-east-1", "operator/us-east-1"]),
                PlanRow("vault/ap-south-1", .delete),
                PlanRow("secret/vault-eu-west-1-tls/ap-south-1", .delete),
                PlanRow("operator/ap-south-1", .delete, ["vault/ap-south-1"]),
                PlanRow(
                    "ownership/ap-south-1", .delete, ["vault/ap-south-1", "secret/vault-eu-west-1-tls/ap-south-1", "operator/ap-south-1"]),
            ])
        #expect(!plan.actions.contains { $0.id.description.hasPrefix("cluster/") || $0.id == "kms" || $0.id == "network" })
        #expect(plan.action("vault/us-east-1")?.dataLoss == "the Vault node(s) vault-us-east-1 in cluster us-east-1")

        // An unowned cluster: nothing removed there.
        let foreign = world.editing("ap-south-1") { $0.objects.ownership = nil }
        let plan2 = Self.destroy(loaded, foreign)
        #expect(!plan2.actions.contains { $0.cluster == "ap-south-1" })
        #expect(plan2.notes == ["cluster ap-south-1 carries no ownership record of topology vault-multi-region; nothing removed there"])
        // An unreachable cluster: a problem naming it.
        let down = world.editing("us-east-1") { $0.reachability = .apiServerUnreachable("dial tcp: i/o timeout") }
        #expect(
            Self.destroy(loaded, down).problems == [
                PlanProblem(
                    cluster: "us-east-1",
                    "context arn:aws:eks:us-east-1:123456789012:cluster/vault is unreachable; nothing can be removed there")
            ])
    }
}
