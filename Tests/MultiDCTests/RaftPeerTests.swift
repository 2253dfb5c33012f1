import Foundation
import MultiDCTestSupport
import Synchronization
import Testing
import YAML

@testable import MultiDC

/// Raft membership as observed state: stale peers, prune of clusters that left the spec, the
/// quorum rule, health from the Raft configuration.
@Suite struct RaftPeerTests {
    static let four = ["primary", "secondary", "tertiary", "p4"]

    /// A converged world of `clusters`, with the Raft peers every Vault node makes (at its pool's
    /// first address, primary leading), planned against a spec of `spec` clusters: the clusters
    /// left out are former clusters (this machine created them).
    static func world(clusters: [String] = four, spec: [String], extraPeers: [RaftPeer] = []) throws -> (LoadedTopology, World) {
        let all = try PlanFixture.load(PlanFixture.spec(clusters: clusters))
        let builder = WorldBuilder(all)
        var world = try builder.converged()
        guard case .success(let pools) = PoolSlicer.pools(for: all.topology, subnet: builder.subnet) else {
            throw CocoaError(.coderInvalidValue)
        }
        var peers = pools.map {
            RaftPeer(nodeID: "node-\($0.cluster)", address: "\($0.loadBalancerIP):8201", leader: $0.cluster == "primary", voter: true)
        }
        peers += extraPeers
        let loaded = try PlanFixture.load(PlanFixture.spec(clusters: spec))
        world.formerClusters = world.clusters.filter { !spec.contains($0.name) }
        world.clusters.removeAll { !spec.contains($0.name) }
        let primary = try #require(world.cluster(named: "primary"))
        let cr = try #require(primary.objects.vaults["vault-primary"])
        let store = try VaultCLI.KeyStore.from(vaultCR: cr.node).get()
        let access = RaftAccess(cluster: "primary", context: "kind-primary", namespace: "default", pod: "vault-primary-0", keyStore: store)
        world.raft = .peers(peers, access: access)
        return (loaded, world)
    }

    static func plan(_ loaded: LoadedTopology, _ world: World) -> Plan {
        Planner.plan(PlanInput(loaded: loaded, world: world, createdClusters: Set(four)))
    }

    @Test func aConvergedWorldWithItsPeersHasNoChanges() throws {
        let (loaded, world) = try Self.world(clusters: ["primary", "secondary", "tertiary"], spec: ["primary", "secondary", "tertiary"])
        let plan = Self.plan(loaded, world)
        #expect(plan.problems.isEmpty)
        #expect(!plan.hasChanges, "\(plan.changes.map(\.id))")
    }

    @Test func scaleInRemovesThePeerThenTheCRThenTheCluster() throws {
        let (loaded, world) = try Self.world(spec: ["primary", "secondary", "tertiary"])
        let plan = Self.plan(loaded, world)
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        let ids = plan.changes.map(\.id)
        #expect(ids.contains(.raftPeer("node-p4")))
        let vault = try #require(plan.changes.first { $0.id == .vault("p4") })
        let cluster = try #require(plan.changes.first { $0.id == .cluster("p4") })
        #expect(vault.change == .delete && cluster.change == .delete)
        #expect(vault.dependsOn == [.raftPeer("node-p4")])
        #expect(cluster.dependsOn == [.vault("p4")])
        // Replicated data is not lost: no --allow-data-loss needed.
        #expect(plan.dataLosses.isEmpty)
        // The remove-peer runs as root in the leader's pod with the token on stdin only.
        let peer = try #require(plan.changes.first { $0.id == .raftPeer("node-p4") })
        let step = try #require(peer.step as? RaftPeerResource.RemovePeer)
        let command = step.access.command(VaultCLI.removePeer(step.nodeID))
        #expect(command.argv.starts(with: ["kubectl", "--context", "kind-primary", "-n", "default", "exec", "-i", "vault-primary-0"]))
        #expect(command.argv.last?.hasSuffix("vault operator raft remove-peer -ca-cert=/vault/tls/ca.crt node-p4") == true)
        #expect(!command.argv.joined().contains(WorldBuilder(loaded).token))
        #expect(command.standardInput?.isSensitive == true)
    }

    @Test func removingMoreVotersThanTheQuorumAllowsIsRefusedWithTheArithmetic() throws {
        let (loaded, world) = try Self.world(clusters: ["primary", "secondary", "tertiary"], spec: ["primary"])
        let plan = Self.plan(loaded, world)
        let problem = try #require(plan.problems.first?.message)
        #expect(problem.contains("removes 2 of the 3 Raft voters at once: 1 would remain, fewer than the quorum of 2 (⌊3/2⌋+1)"))
        #expect(problem.contains("remove at most 1 cluster from the spec per apply"))
    }

    @Test func deadVotersAreRemovedFirstSoTheQuorumRuleCountsWithoutThem() throws {
        // 4 voters, one dead (an address no cluster has); pruning p4 leaves 3 of 3 (quorum 2): allowed.
        let dead = RaftPeer(nodeID: "ghost", address: "172.18.99.128:8201", leader: false, voter: true)
        let (loaded, world) = try Self.world(spec: ["primary", "secondary", "tertiary"], extraPeers: [dead])
        let plan = Self.plan(loaded, world)
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        let ghost = try #require(plan.changes.first { $0.id == .raftPeer("ghost") })
        #expect(ghost.reason.contains("no cluster in the spec"))
        let p4 = try #require(plan.changes.first { $0.id == .raftPeer("node-p4") })
        #expect(p4.dependsOn == [.raftPeer("ghost")])
    }

    @Test func aStalePeerInAConvergedWorldIsRemoved() throws {
        let dead = RaftPeer(nodeID: "old-secondary", address: "172.18.77.128:8201", leader: false, voter: true)
        let (loaded, world) = try Self.world(
            clusters: ["primary", "secondary", "tertiary"], spec: ["primary", "secondary", "tertiary"], extraPeers: [dead])
        let plan = Self.plan(loaded, world)
        #expect(plan.changes.map(\.id) == [.raftPeer("old-secondary")])
        #expect(plan.changes[0].change == .delete)
    }

    @Test func unknownPeersMakePruningAGuardedRisk() throws {
        var (loaded, world) = try Self.world(spec: ["primary", "secondary", "tertiary"])
        world.raft = .notObserved("no cluster has a Ready Vault pod")
        let plan = Self.plan(loaded, world)
        #expect(!plan.changes.contains { if case .raftPeer = $0.id { true } else { false } })
        #expect(plan.dataLosses.contains { $0.dataLoss?.contains("the Raft peers are unknown") == true })
    }

    @Test func aFormerClusterOfAnotherTopologyIsLeftAlone() throws {
        var (loaded, world) = try Self.world(spec: ["primary", "secondary", "tertiary"])
        world.formerClusters[0].objects.ownership = WorldBuilder.object(
            #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"multidc-ownership","namespace":"default","labels":{"app.kubernetes.io/managed-by":"multidc","multidc.dev/topology":"other"}}}"#
        )
        let plan = Self.plan(loaded, world)
        #expect(!plan.changes.contains { $0.id == .cluster("p4") })
        #expect(plan.notes.contains { $0.contains("p4 left the spec but carries no ownership record") })
    }

    @Test func destroyAlsoRemovesTheClustersThatLeftTheSpec() throws {
        let (loaded, world) = try Self.world(spec: ["primary", "secondary", "tertiary"])
        let plan = Planner.destroyPlan(PlanInput(loaded: loaded, world: world, createdClusters: Set(Self.four)))
        let p4 = try #require(plan.changes.first { $0.id == .cluster("p4") })
        #expect(p4.change == .delete && p4.reason.contains("no longer in the spec"))
        #expect(!plan.changes.contains { if case .raftPeer = $0.id { true } else { false } })
        for name in ["primary", "secondary", "tertiary"] { #expect(plan.changes.contains { $0.id == .cluster(name) }) }
    }

    // MARK: health

    @Test func healthWantsExactlyTheSpecsClustersAsVotersAndOneLeader() throws {
        let (loaded, world) = try Self.world(spec: ["primary", "secondary", "tertiary"])
        guard case .success(let pools) = PoolSlicer.pools(for: loaded.topology, subnet: WorldBuilder(loaded).subnet) else {
            Issue.record("no pools")
            return
        }
        let book = RaftAddressBook(pools: Dictionary(uniqueKeysWithValues: pools.map { ($0.cluster, $0.cidr) }), clusters: world.clusters)
        let verdict = RaftMembershipCheck.evaluate(
            world.raft, clusters: ["primary", "secondary", "tertiary"], specLeader: "primary", book: book)
        #expect(verdict.problems.contains { $0.contains("Raft peer node-p4 at") && $0.contains("stale") })
        #expect(verdict.problems.contains("Raft has 4 voters, the spec has 3 clusters"))
        #expect(verdict.warnings.isEmpty)
    }

    @Test func aLeaderInAnotherClusterIsAWarningNotAProblem() throws {
        var (loaded, world) = try Self.world(clusters: ["primary", "secondary", "tertiary"], spec: ["primary", "secondary", "tertiary"])
        guard case .peers(var peers, let access) = world.raft else { Issue.record("no peers"); return }
        for i in peers.indices { peers[i].leader = peers[i].nodeID == "node-secondary" }
        world.raft = .peers(peers, access: access)
        let book = RaftAddressBook(pools: [:], clusters: world.clusters)
        let verdict = RaftMembershipCheck.evaluate(
            world.raft, clusters: loaded.topology.clusters.map(\.name), specLeader: "primary", book: book)
        #expect(verdict.problems.isEmpty, "\(verdict.problems)")
        #expect(verdict.leaderCluster == "secondary")
        #expect(
            verdict.warnings == [
                "the active Raft leader is cluster secondary's Vault, not the spec's leader primary (normal after an election; vault.leader only bootstraps Raft)"
            ])
    }

    @Test func aMissingOrNonVotingNodeIsAProblem() throws {
        var (loaded, world) = try Self.world(clusters: ["primary", "secondary", "tertiary"], spec: ["primary", "secondary", "tertiary"])
        guard case .peers(var peers, let access) = world.raft else { Issue.record("no peers"); return }
        peers.removeAll { $0.nodeID == "node-tertiary" }
        peers[1].voter = false
        world.raft = .peers(peers, access: access)
        let verdict = RaftMembershipCheck.evaluate(
            world.raft, clusters: loaded.topology.clusters.map(\.name), specLeader: "primary",
            book: RaftAddressBook(pools: [:], clusters: world.clusters))
        #expect(verdict.problems.contains("cluster tertiary's Vault node is not a Raft peer"))
        #expect(verdict.problems.contains("Raft peer node-secondary (cluster secondary) is not a voter"))
        #expect(verdict.problems.contains("Raft has 1 voter, the spec has 3 clusters"))
    }

    // MARK: observation

    @Test func theObserverReadsThePeersOnceInTheLeadersPodWithTheTokenOnStdinOnly() async throws {
        let loaded = try SessionFixture.loaded()
        let script = ScriptedWorld(loaded, world: try SessionFixture.builder(loaded).converged())
        let world = await SessionFixture.session(script).observe(loaded)
        #expect(world.raft.peers?.count == 3, "\(world.raft)")
        let reads = script.runner.calls.filter(ScriptedWorld.isListPeers)
        #expect(reads.count == 1)
        let read = try #require(reads.first)
        #expect(
            read.arguments.starts(with: ["--context", "kind-primary", "-n", "default", "exec", "-i", "vault-primary-0", "-c", "vault"]))
        #expect(read.standardInput?.isSensitive == true)
        let token = String(decoding: read.standardInput?.bytes ?? [], as: UTF8.self).trimmingCharacters(in: .newlines)
        #expect(!token.isEmpty && !script.runner.calls.contains { $0.argv.joined(separator: " ").contains(token) })
        // 2 docker reads + 2 per cluster + the peers: 3 + 2N.
        #expect(script.runner.calls.count == 3 + 2 * loaded.topology.clusters.count)
    }

    @Test func aFailedPeersReadIsAFactNamingTheCauseNotKubectlsExitLine() async throws {
        let loaded = try SessionFixture.loaded()
        let script = ScriptedWorld(loaded, world: try SessionFixture.builder(loaded).converged()) { runner in
            runner.on(where: ScriptedWorld.isListPeers) { _ in
                .result(
                    CommandResult(
                        exitCode: 2,
                        stderr:
                            "Error reading the raft cluster configuration: Error making API request.\n\nCode: 503. Errors:\n\n* Vault is sealed\ncommand terminated with exit code 2\n"
                    ))
            }
        }
        let world = await SessionFixture.session(script).observe(loaded)
        #expect(world.raft.peers == nil)
        #expect(world.raft.problem == "list-peers in primary/vault-primary-0 failed: * Vault is sealed")
    }

    @Test func healthReadsTheVaultCRAgainWhenTheAccessItWasGivenFails() async throws {
        // After an apply that re-created the KMS, the observation's key store (token, address) is
        // stale: list-peers answers 403. The next poll reads the CR again and succeeds.
        let loaded = try SessionFixture.loaded()
        let calls = Mutex(0)
        let script = ScriptedWorld(loaded, world: try SessionFixture.builder(loaded).converged()) { runner in
            runner.on(where: {
                ScriptedWorld.isListPeers($0)
                    && calls.withLock {
                        $0 += 1; return $0 <= 2
                    }
            }) { _ in
                .result(
                    CommandResult(
                        exitCode: 2, stderr: "Error reading the raft cluster configuration: Code: 403. Errors:\n\n* permission denied\n"))
            }
        }
        let session = SessionFixture.session(script)
        let world = await session.observe(loaded)
        #expect(world.raft.peers == nil)
        let report = await session.health(loaded, world: world, timeout: .seconds(30), interval: .seconds(1))
        #expect(report.isHealthy, "\(report.problems)")
        #expect(script.runner.calls.contains(where: ScriptedWorld.isVaultCRGet))
    }

    @Test func peersOfClustersWhoseAddressesAreNotKnownYetAreNotCalledStale() throws {
        // Cloud LoadBalancers seen before they had addresses: no pool, nothing observed.
        var (_, world) = try Self.world(clusters: ["primary", "secondary", "tertiary"], spec: ["primary", "secondary", "tertiary"])
        let clusters = ["primary", "secondary", "tertiary"]
        let blind = RaftAddressBook(pools: [:], observed: [:])
        #expect(RaftMembershipCheck.evaluate(world.raft, clusters: clusters, specLeader: "primary", book: blind).problems.isEmpty)
        guard case .peers(var peers, let access) = world.raft else { return }
        peers.append(RaftPeer(nodeID: "extra", address: "10.9.9.9:8201", leader: false, voter: true))
        world.raft = .peers(peers, access: access)
        let verdict = RaftMembershipCheck.evaluate(world.raft, clusters: clusters, specLeader: "primary", book: blind)
        #expect(verdict.problems.contains("Raft has 4 voters, the spec has 3 clusters"))
        #expect(verdict.problems.contains { $0.contains("is the Vault node of no cluster in the spec") })
    }

    // MARK: the tool texts

    @Test func listPeersJSONParses() throws {
        let peers = try VaultCLI.parsePeers(
            #"{"request_id":"x","data":{"config":{"index":42,"servers":[{"address":"172.18.1.128:8201","leader":true,"node_id":"a","protocol_version":"3","voter":true},{"address":"[fd00::1]:8201","leader":false,"node_id":"b","protocol_version":"3","voter":false}]}},"warnings":null}"#
        )
        #expect(
            peers == [
                RaftPeer(nodeID: "a", address: "172.18.1.128:8201", leader: true, voter: true),
                RaftPeer(nodeID: "b", address: "[fd00::1]:8201", leader: false, voter: false),
            ])
        #expect(peers[0].host == "172.18.1.128" && peers[1].host == "fd00::1")
        #expect(throws: ToolOutputError.self) { try VaultCLI.parsePeers("Error reading the raft cluster configuration") }
    }

    @Test func theKeyStoreComesFromTheCRsUnsealConfigAndMustBeAKVv2Path() throws {
        let cr = try Node(
            json: Data(
                #"{"spec":{"unsealConfig":{"vault":{"address":"http://172.18.0.2:8200","token":"t0k","unsealKeysPath":"kv/team/data/dc/keys"}}}}"#
                    .utf8))
        let store = try VaultCLI.KeyStore.from(vaultCR: cr).get()
        #expect(store.mount == "kv/team" && store.path == "dc/keys" && store.address == "http://172.18.0.2:8200")
        let v1 = try Node(
            json: Data(#"{"spec":{"unsealConfig":{"vault":{"address":"a","token":"t","unsealKeysPath":"secret/keys"}}}}"#.utf8))
        #expect(throws: VaultCLI.KeyStoreError.self) { try VaultCLI.KeyStore.from(vaultCR: v1).get() }
        let kubernetes = try Node(json: Data(#"{"spec":{"unsealConfig":{"kubernetes":{"secretNamespace":"default"}}}}"#.utf8))
        #expect(throws: VaultCLI.KeyStoreError.self) { try VaultCLI.KeyStore.from(vaultCR: kubernetes).get() }
    }

    @Test func theRootScriptQuotesWhatItInsertsAndKeepsTheTokenOffTheArgv() {
        let store = VaultCLI.KeyStore(address: "http://kms:8200", mount: "secret", path: "it's/keys", token: Secret("tok"))
        let (argv, input) = VaultCLI.asRoot(store, VaultCLI.listPeers())
        #expect(argv[0...1] == ["sh", "-c"])
        #expect(argv[2].contains(#"'secret/it'\''s/keys/vault-root'"#))
        #expect(!argv.joined().contains("tok"))
        #expect(input.isSensitive && String(decoding: input.bytes, as: UTF8.self) == "tok\n")
    }
}

/// `--cluster`: a plan limited to some clusters and what they need.
@Suite struct PlanTargetTests {
    static func classic() throws -> (LoadedTopology, WorldBuilder) {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        return (loaded, WorldBuilder(loaded))
    }

    @Test func theLeaderAloneGetsTheNetworkAndTheKMSButNoOtherClustersActions() throws {
        let (loaded, builder) = try Self.classic()
        let full = Planner.plan(PlanInput(loaded: loaded, world: builder.empty()))
        let plan = full.limited(to: ["primary"])
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        #expect(plan.changes.allSatisfy { $0.cluster == nil || $0.cluster == "primary" })
        #expect(plan.action(.network)?.change == .create)
        #expect(plan.action(.kms)?.change == .create)
        #expect(plan.action(.vault("primary")) != nil && plan.action(.vault("secondary")) == nil)
        #expect(plan.notes.contains { $0.hasPrefix("--cluster primary: ") && $0.contains("left for a full apply") })
    }

    @Test func aFollowerWhoseActionsNeedTheLeadersIsAProblemNamingIt() throws {
        let (loaded, builder) = try Self.classic()
        let plan = Planner.plan(PlanInput(loaded: loaded, world: builder.empty())).limited(to: ["secondary"])
        #expect(plan.problems.contains { $0.cluster == "secondary" && $0.message.contains("add --cluster primary or drop --cluster") })
        // With the leader in the targets it plans cleanly.
        #expect(Planner.plan(PlanInput(loaded: loaded, world: builder.empty())).limited(to: ["primary", "secondary"]).problems.isEmpty)
    }

    @Test func aLimitedDestroyNeverRemovesTheNetworkOrTheKMS() throws {
        let (loaded, builder) = try Self.classic()
        let plan = Planner.destroyPlan(PlanInput(loaded: loaded, world: try builder.converged())).limited(to: ["tertiary"])
        #expect(plan.changes.map(\.id) == [.cluster("tertiary")], "\(plan.changes.map(\.id))")
    }
}
