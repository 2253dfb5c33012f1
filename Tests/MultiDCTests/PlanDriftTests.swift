import Foundation
import MultiDCTestSupport
import Testing
import YAML

@testable import MultiDC

/// Issue 10 "the spec is the truth": fields removed from a template, operator values drift, a
/// KMS that lost its keys, pool moves and overlaps, adoption of kind clusters.
@Suite struct PlanDriftTests {
    static func classic() throws -> LoadedTopology { try PlanFixture.load(PlanFixture.spec()) }

    static func plan(_ loaded: LoadedTopology, _ world: World, adopt: Bool = false, created: Set<String> = []) -> Plan {
        Planner.plan(PlanInput(loaded: loaded, world: world, adopt: adopt, createdClusters: created))
    }

    static func node(_ json: String) throws -> Node { try Node(json: Data(json.utf8)) }

    /// A live object carrying `lastApplied` as kubectl's annotation.
    static func live(_ json: String, lastApplied: String) throws -> Node {
        var node = try node(json)
        if node["metadata"] == nil { node["metadata"] = .mapping([]) }
        node["metadata"]?["annotations"] = .mapping([Node.Pair(key: .string(FieldDiff.lastAppliedAnnotation), value: .string(lastApplied))])
        return node
    }

    // MARK: FieldDiff.removals

    @Test func aFieldTheLastAppliedConfigurationHasAndTheTemplateDropsIsRemoved() throws {
        let rendered = try Self.node(#"{"spec":{"size":1,"nested":{"keep":"a"}}}"#)
        let live = try Self.live(
            #"{"metadata":{"uid":"u1"},"spec":{"size":1,"image":"vault:1.6.2","nested":{"keep":"a","gone":"b"},"serverSet":"x"},"status":{}}"#,
            lastApplied: #"{"spec":{"size":1,"image":"vault:1.6.2","nested":{"keep":"a","gone":"b"}}}"#)
        let removed = FieldDiff.removals(rendered: rendered, lastApplied: FieldDiff.lastApplied(of: live), live: live)
        #expect(
            removed == [
                FieldChange(path: "spec.image", before: "vault:1.6.2", after: nil),
                FieldChange(path: "spec.nested.gone", before: "b", after: nil),
            ])
    }

    @Test func serverSetFieldsAndFieldsAlreadyGoneAreNotRemovals() throws {
        let rendered = try Self.node(#"{"spec":{"size":1}}"#)
        // `serverSet` is not in the last-applied configuration; `old` is, but the live object lost it already.
        let live = try Self.live(#"{"spec":{"size":1,"serverSet":"x"}}"#, lastApplied: #"{"spec":{"size":1,"old":"y"}}"#)
        #expect(FieldDiff.removals(rendered: rendered, lastApplied: FieldDiff.lastApplied(of: live), live: live).isEmpty)
        // No annotation (applied server-side, or by another tool): nothing is known to be ours.
        #expect(FieldDiff.lastApplied(of: try Self.node(#"{"spec":{"size":1}}"#)) == nil)
    }

    @Test func theAnnotationsKubectlRecordsAreNotRemovals() throws {
        // kubectl records `"annotations":{}` and keeps its own annotation on the live object.
        let rendered = try Self.node(#"{"metadata":{"name":"v"},"spec":{"size":1}}"#)
        let live = try Self.live(
            #"{"metadata":{"name":"v"},"spec":{"size":1}}"#,
            lastApplied: #"{"metadata":{"annotations":{},"name":"v"},"spec":{"size":1}}"#)
        #expect(FieldDiff.removals(rendered: rendered, lastApplied: FieldDiff.lastApplied(of: live), live: live).isEmpty)
        // An annotation the template had and dropped is a removal like any field.
        var annotated = try Self.live(
            #"{"metadata":{"name":"v"},"spec":{"size":1}}"#,
            lastApplied: #"{"metadata":{"annotations":{"team":"a"},"name":"v"},"spec":{"size":1}}"#)
        annotated["metadata"]?["annotations"]?["team"] = .string("a")
        #expect(
            FieldDiff.removals(rendered: rendered, lastApplied: FieldDiff.lastApplied(of: annotated), live: annotated) == [
                FieldChange(path: "metadata.annotations.team", before: "a", after: nil)
            ])
    }

    @Test func aRemovedSecretPrintsAsSensitive() throws {
        let rendered = try Self.node(#"{"spec":{}}"#)
        let live = try Self.live(#"{"spec":{"token":"t0k3n"}}"#, lastApplied: #"{"spec":{"token":"t0k3n"}}"#)
        let removed = FieldDiff.removals(
            rendered: rendered, lastApplied: FieldDiff.lastApplied(of: live), live: live, isSensitive: { $0 == "t0k3n" })
        #expect(removed == [FieldChange(path: "spec.token", before: FieldDiff.sensitive, after: nil)])
    }

    @Test func theVaultPlanShowsAFieldRemovedFromTheTemplate() throws {
        let loaded = try Self.classic()
        let world = try WorldBuilder(loaded).converged().editing("secondary") { observation in
            guard var vault = observation.objects.vaults["vault-secondary"] else { return }
            // What the last apply sent had `spec.serviceType`; the template no longer has it.
            vault.node["spec"]?["veleroEnabled"] = .scalar("true")
            var applied = vault.node
            for key in ["uid", "resourceVersion", "generation", "creationTimestamp"] { applied["metadata"]?[key] = nil }
            applied["status"] = nil
            let text = (try? applied.jsonString()) ?? "{}"
            vault.node["metadata"]?["annotations"] = .mapping([
                Node.Pair(key: .string(FieldDiff.lastAppliedAnnotation), value: .string(text))
            ])
            observation.objects.vaults["vault-secondary"] = KubeObject(node: vault.node)
        }
        let plan = Self.plan(loaded, world)
        let action = try #require(plan.action("vault/secondary"))
        #expect(action.change == .update)
        #expect(action.fields == [FieldChange(path: "vault-secondary: spec.veleroEnabled", before: "true", after: nil)])
        #expect(PlanRenderer().render(plan).contains("vault-secondary: spec.veleroEnabled: true → (removed)"))
        #expect(plan.action("vault/primary")?.change == .inSync)
    }

    // MARK: operator values

    static func withValues(_ values: String) throws -> LoadedTopology {
        let text = PlanFixture.spec().replacingOccurrences(of: "\n  vault:\n", with: "\n    values: \(values)\n  vault:\n")
        #expect(text.contains("values:"))
        return try PlanFixture.load(text)
    }

    @Test func operatorValuesInSyncWhenTheRecordedDigestMatches() throws {
        let loaded = try Self.classic()
        let plan = Self.plan(loaded, try WorldBuilder(loaded).converged())
        #expect(!plan.hasChanges, "\(plan.changeRows)")
    }

    @Test func changedOperatorValuesAreAnUpdateShowingBothDigests() throws {
        let before = try Self.classic()
        let world = try WorldBuilder(before).converged()
        let loaded = try Self.withValues("{ image: { tag: 1.13.0 } }")
        let plan = Self.plan(loaded, world)
        for cluster in ["primary", "secondary", "tertiary"] {
            let action = try #require(plan.action("operator/\(cluster)"))
            #expect(action.change == .update)
            #expect(action.reason == "operator.values changed since the release was installed")
            let old = String(OperatorResource.valuesDigest(before.topology.vaultOperator).prefix(12))
            let new = String(OperatorResource.valuesDigest(loaded.topology.vaultOperator).prefix(12))
            #expect(action.fields == [FieldChange(path: "operator.values (sha256)", before: old, after: new)])
            #expect(action.dataLoss == nil)
        }
    }

    @Test func unrecordedValuesAreUpgradedOnceAndAForeignRevisionIsDrift() throws {
        let loaded = try Self.classic()
        let unrecorded = try WorldBuilder(loaded).converged().editing("primary") {
            $0.objects.ownership?.node["metadata"]?["annotations"] = nil
        }
        let a = try #require(Self.plan(loaded, unrecorded).action("operator/primary"))
        #expect(a.change == .update)
        #expect(a.observed == "not recorded")

        let upgradedByHand = try WorldBuilder(loaded).converged().editing("secondary") {
            $0.helmReleases[0].revision = 3
        }
        let b = try #require(Self.plan(loaded, upgradedByHand).action("operator/secondary"))
        #expect(b.change == .update)
        #expect(b.reason.hasPrefix("revision 3 is deployed but multidc installed revision 1"))
    }

    // MARK: the KMS's keys

    /// The KMS restarted: same container, a new network endpoint.
    static func restartedKMS(_ world: World) -> World {
        var world = world
        if var network = world.network.value, let i = network.containers.firstIndex(where: { $0.name == "central-vault" }) {
            network.containers[i].endpointID = "ep-after-restart"
            world.network = .present(network)
        }
        return world
    }

    @Test func aRestartedKMSLostItsKeysAndEveryVaultIsReinitialised() throws {
        let loaded = try Self.classic()
        let plan = Self.plan(loaded, Self.restartedKMS(try WorldBuilder(loaded).converged()))
        let kms = try #require(plan.action("kms"))
        #expect(kms.change == .inSync)
        #expect(kms.reason.contains("it lost its unseal keys: KMS container central-vault restarted since the Vault clusters in"))
        for cluster in ["primary", "secondary", "tertiary"] {
            let vault = try #require(plan.action("vault/\(cluster)"))
            #expect(vault.change == .replace)
            #expect(vault.reason.hasPrefix("the KMS lost its unseal keys"))
            #expect(vault.dataLoss?.contains("PersistentVolumeClaims") == true)
            let step = try #require(vault.step as? VaultResource.Apply)
            #expect(step.deleteFirst)
        }
        #expect(plan.dataLosses.count == 3)
    }

    @Test func aStoppedKMSLostItsKeysToo() throws {
        let loaded = try Self.classic()
        let builder = WorldBuilder(loaded)
        var world = try builder.converged()
        let stopped = try #require(builder.kmsContainer(state: .exited))
        world.kms = .present(stopped)
        world.containers = world.containers.map { $0.name == stopped.name ? stopped : $0 }
        let plan = Self.plan(loaded, world)
        let kms = try #require(plan.action("kms"))
        #expect(kms.change == .update)
        #expect(kms.reason.hasPrefix("the container is exited; start it; it lost its unseal keys: KMS container central-vault is exited"))
        #expect(plan.action("vault/primary")?.change == .replace)
        #expect(plan.action("vault/primary")?.dependsOn.contains(.kms) == true)
    }

    @Test func aKMSWithoutARecordedEndpointIsTrusted() throws {
        let loaded = try Self.classic()
        var world = Self.restartedKMS(try WorldBuilder(loaded).converged())
        for name in ["primary", "secondary", "tertiary"] {
            world = world.editing(name) { $0.objects.ownership?.node["metadata"]?["annotations"]?[OwnershipResource.kmsEndpointKey] = nil }
        }
        let plan = Self.plan(loaded, world)
        #expect(plan.action("vault/primary")?.change != .replace)
        #expect(plan.action("kms")?.reason == "running vault:1.6.2")
    }

    /// Every cluster re-created (no Vault node left anywhere), the KMS kept.
    static func everyClusterRecreated(_ loaded: LoadedTopology) throws -> World {
        var world = try WorldBuilder(loaded).converged()
        for name in ["primary", "secondary", "tertiary"] { world = world.removingCluster(name) }
        return world
    }

    @Test func aRecreatedVaultClusterRestartsTheKeptKMSFirst() throws {
        let loaded = try Self.classic()
        let plan = Self.plan(loaded, try Self.everyClusterRecreated(loaded))
        let leader = try #require(plan.action("vault/primary"))
        #expect(leader.change == .create)
        #expect(leader.reason.contains("KMS container central-vault is restarted first to clear the unseal keys"))
        let step = try #require(leader.step as? VaultResource.Apply)
        #expect(step.restartKMS == "central-vault")
        // No Vault node is left: nothing is lost by emptying the KMS.
        #expect(plan.dataLosses.isEmpty)
        let follower = try #require(plan.action("vault/secondary")?.step as? VaultResource.Apply)
        #expect(follower.restartKMS == nil)
    }

    @Test func aRecreatedLeaderWithSurvivingFollowersKeepsTheKMS() throws {
        // The followers' Raft cluster and its keys live on: the KMS is not emptied.
        let loaded = try Self.classic()
        let plan = Self.plan(loaded, try WorldBuilder(loaded).converged().removingCluster("primary"))
        let step = try #require(plan.action("vault/primary")?.step as? VaultResource.Apply)
        #expect(step.restartKMS == nil)
        #expect(plan.action("vault/secondary")?.change != .replace)
    }

    @Test func aNewKMSNeedsNoRestart() throws {
        let loaded = try Self.classic()
        let plan = Self.plan(loaded, WorldBuilder(loaded).empty())
        let step = try #require(plan.action("vault/primary")?.step as? VaultResource.Apply)
        #expect(step.restartKMS == nil)
    }

    // MARK: pools

    @Test func movingThePoolOfAClusterHoldingAVaultNodeIsADataLoss() throws {
        let loaded = try Self.classic()
        let world = try WorldBuilder(loaded).converged().editing("secondary") {
            $0.objects.metalLB.legacyConfig?.pools =
                MetalLBState.parseLegacyConfig(
                    "address-pools:\n- name: default\n  protocol: layer2\n  addresses:\n  - 172.18.9.128/25\n"
                ).pools
        }
        let plan = Self.plan(loaded, world)
        let pool = try #require(plan.action("pool/secondary"))
        #expect(pool.change == .update)
        #expect(
            pool.dataLoss
                == "cluster secondary holds Vault node vault-secondary: its LoadBalancer address comes from this pool and is its Raft address, so moving the pool cuts the node off from the Raft cluster"
        )
        let fresh = try WorldBuilder(loaded).converged().editing("secondary") {
            $0.objects.vaults = [:]
            $0.objects.metalLB.legacyConfig?.pools = []
        }
        #expect(Self.plan(loaded, fresh).action("pool/secondary")?.dataLoss == nil)
    }

    @Test func poolsOverlappingAnotherTopologysOnTheNetworkAreRefusedNamingIt() throws {
        let loaded = try Self.classic()
        let builder = WorldBuilder(loaded)
        var world = try builder.converged()
        let theirs = try #require(builder.pools["secondary"]).cidr
        world.containers.append(
            DockerContainer(
                id: "other0000000" + String(repeating: "0", count: 52), name: "other-kms", image: "vault:1.6.2", state: .running,
                labels: Ownership.labels(topology: "other").merging([PoolResource.poolsLabel: "10.0.0.0/24 \(theirs)"]) { $1 },
                networks: [loaded.topology.network.name]))
        let plan = Self.plan(loaded, world)
        #expect(
            plan.problems == [
                PlanProblem(
                    cluster: "secondary",
                    "the pool \(theirs) of cluster secondary overlaps the pool \(theirs) of topology other on network kind (label multidc/pools of its KMS container other-kms); pin clusters[].pool to a free range"
                )
            ])
        // On another network it does not matter.
        world.containers[world.containers.count - 1].networks = ["elsewhere"]
        #expect(Self.plan(loaded, world).problems.isEmpty)
    }

    @Test func thePoolsLabelJoinsCIDRsWithSpaces() throws {
        let loaded = try Self.classic()
        let pools = WorldBuilder(loaded).pools.values.sorted { $0.index < $1.index }
        #expect(PoolResource.poolsLabelValue(pools) == "172.18.1.128/25 172.18.2.128/25 172.18.3.128/25")
    }

    // MARK: adoption

    static func unrecorded(_ loaded: LoadedTopology) throws -> World {
        try WorldBuilder(loaded).converged().editing("tertiary") { $0.objects.ownership = nil }
    }

    @Test func aKindClusterWithoutARecordIsRefusedNamingAdopt() throws {
        let loaded = try Self.classic()
        let plan = Self.plan(loaded, try Self.unrecorded(loaded))
        #expect(
            plan.problems == [
                PlanProblem(
                    cluster: "tertiary",
                    "kind cluster tertiary exists but carries no ownership record (ConfigMap default/multidc-ownership), and no earlier apply of topology vault-raft on this machine created it; rerun with --adopt to take it over, or choose another cluster name"
                )
            ])
    }

    @Test func aClusterThisMachineCreatedIsAdopted() throws {
        let loaded = try Self.classic()
        let plan = Self.plan(loaded, try Self.unrecorded(loaded), created: ["tertiary"])
        #expect(plan.problems.isEmpty)
        let record = try #require(plan.action("ownership/tertiary"))
        #expect(record.change == .create)
        #expect(record.reason == "adopted: an earlier apply on this machine created it and was interrupted before its ownership record")
    }

    @Test func adoptTakesOverAnyClusterWithoutARecord() throws {
        let loaded = try Self.classic()
        let plan = Self.plan(loaded, try Self.unrecorded(loaded), adopt: true)
        #expect(plan.problems.isEmpty)
        #expect(plan.action("ownership/tertiary")?.reason == "adopted (--adopt): the cluster carries no ownership record")
    }

    @Test func theCreationRecordNamesTheClustersAPlanCreates() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("multidc-created-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["MULTIDC_STATE_DIR": dir]
        #expect(CreationRecord.path(topology: "vault-raft", environment: env) == dir + "/created/vault-raft.clusters")
        #expect(CreationRecord.clusters(topology: "vault-raft", environment: env).isEmpty)
        let loaded = try Self.classic()
        let plan = Self.plan(loaded, WorldBuilder(loaded).empty())
        #expect(CreationRecord.created(by: plan) == ["primary", "secondary", "tertiary"])
        try CreationRecord.note(["secondary"], topology: "vault-raft", environment: env)
        try CreationRecord.note(["primary", "secondary"], topology: "vault-raft", environment: env)
        #expect(CreationRecord.clusters(topology: "vault-raft", environment: env) == ["primary", "secondary"])
        #expect(CreationRecord.clusters(topology: "other", environment: env).isEmpty)
        try CreationRecord.forget(["primary"], topology: "vault-raft", environment: env)
        #expect(CreationRecord.clusters(topology: "vault-raft", environment: env) == ["secondary"])
        try CreationRecord.forget(["secondary"], topology: "vault-raft", environment: env)
        #expect(!FileManager.default.fileExists(atPath: CreationRecord.path(topology: "vault-raft", environment: env)))
    }
}
