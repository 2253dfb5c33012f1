/// The Raft configuration's servers, and the clusters this topology no longer lists.
///
/// A Vault node stays a Raft voter until `vault operator raft remove-peer` (docs/tools.md#vault-raft-peers):
/// deleting its cluster leaves a dead voter that counts against the quorum. So:
/// - a peer no cluster of the spec claims (its address is no spec cluster's Vault address) is
///   removed (`-`);
/// - a cluster that carries this topology's ownership but left the spec (a former cluster, found
///   through this machine's creation record) is pruned in order: its peer, then its Vault CR, then
///   the kind cluster;
/// - never so that the voters left are fewer than a quorum of the voters there are now (after
///   the dead ones are gone): the plan refuses with the arithmetic.
enum RaftPeerResource: GlobalRule {
    static func planApply(_ plan: inout PlanBuilder) {
        let formers = formerClusters(&plan)
        let leader = plan.leaderName
        // A Raft cluster bootstrapped again (new leader CR, new KMS, new network) has no old peers.
        if let action = plan.action(.vault(leader)), action.change == .create || action.change == .replace {
            prune(formers, peers: [:], &plan)
            return
        }
        guard let peers = plan.world.raft.peers, let access = plan.world.raft.access else {
            let why = plan.world.raft.problem ?? "not read"
            let holding = formers.filter { !$0.objects.vaults.isEmpty }.map(\.name)
            if !holding.isEmpty {
                plan.notes.append(
                    "the Raft peers are unknown (\(why)); pruning \(holding.joined(separator: ", ")) cannot remove their Raft peers first")
            }
            prune(formers, peers: [:], unknownPeers: why, &plan)
            return
        }
        var book = RaftAddressBook(pools: plan.pools.mapValues(\.cidr), clusters: plan.world.clusters)
        let formerBook = RaftAddressBook(pools: [:], clusters: formers)
        for (name, hosts) in formerBook.observed where book.observed[name] == nil { book.observed[name] = hosts }
        let specClusters = Set(plan.topology.clusters.map(\.name))
        let formerNames = Set(formers.map(\.name))

        // A spec cluster that is not observed and has no pool cannot claim its peer: removing
        // "unclaimed" peers then could remove a live node.
        let blind = plan.topology.clusters.map(\.name).filter { !book.knowsAddress(of: $0) }
        var dead: [RaftPeer] = []
        var pruned: [(peer: RaftPeer, cluster: String)] = []
        var kept = 0
        for peer in peers {
            switch book.cluster(of: peer) {
            case let cluster? where specClusters.contains(cluster): kept += peer.voter ? 1 : 0
            case let cluster? where formerNames.contains(cluster): pruned.append((peer, cluster))
            default: dead.append(peer)
            }
        }
        if !dead.isEmpty && !blind.isEmpty {
            plan.notes.append(
                "Raft peer(s) \(dead.map(\.address).joined(separator: ", ")) are left: cluster(s) \(blind.joined(separator: ", ")) could not be observed, so their addresses are unknown"
            )
            dead = []
        }
        // The quorum rule, over the voters left once the dead ones are removed.
        let voters = peers.filter(\.voter).count - dead.filter(\.voter).count
        let quorum = voters / 2 + 1
        let removing = pruned.filter(\.peer.voter).count
        if removing > 0 && kept < quorum {
            let most = max(0, voters - quorum)
            plan.problems.append(
                PlanProblem(
                    "pruning \(Set(pruned.map(\.cluster)).sorted().joined(separator: ", ")) removes \(removing) of the \(voters) Raft voters at once: \(kept) would remain, fewer than the quorum of \(quorum) (⌊\(voters)/2⌋+1) the current voters need; remove at most \(most) cluster\(most == 1 ? "" : "s") from the spec per apply"
                ))
            return
        }
        // Dead peers first (each removal raises the margin), then the pruned clusters' peers, one at a time.
        var previous: ActionID?
        let waits = plan.topology.clusters.map { ActionID.vaultReady($0.name) } + [.vault(access.cluster)]
        func remove(_ peer: RaftPeer, because reason: String) -> ActionID {
            let id = ActionID.raftPeer(peer.nodeID)
            plan.add(
                PlanAction(
                    id: id, change: .delete, step: RemovePeer(nodeID: peer.nodeID, access: access),
                    resource: "Raft peer \(peer.nodeID) (\(peer.address))", reason: reason, observed: peer.voter ? "voter" : "non-voter",
                    needs: waits + (previous.map { [$0] } ?? [])))
            previous = id
            return id
        }
        for peer in dead {
            _ = remove(peer, because: "its address is the Vault node of no cluster in the spec (the node is gone or moved)")
        }
        var peerOf: [String: ActionID] = [:]
        for (peer, cluster) in pruned {
            peerOf[cluster] = remove(peer, because: "cluster \(cluster) left the spec; its Vault node leaves Raft before its cluster goes")
        }
        prune(formers, peers: peerOf, &plan)
    }

    /// The former clusters to prune: kind clusters this machine's apply created for the topology,
    /// no longer in the spec, whose ownership record names the topology (or that are stopped:
    /// then their node containers, named after the record, are enough).
    static func formerClusters(_ plan: inout PlanBuilder) -> [ClusterObservation] {
        var formers: [ClusterObservation] = []
        for former in plan.world.formerClusters {
            guard plan.world.kindCluster(named: former.name) != nil else { continue }  // already gone
            if former.reachability.isReachable {
                guard let owner = former.objects.ownership, owner.isOwned(byTopology: plan.topology.name) else {
                    plan.notes.append(
                        "kind cluster \(former.name) left the spec but carries no ownership record of topology \(plan.topology.name); it is left alone"
                    )
                    continue
                }
            }
            formers.append(former)
        }
        return formers
    }

    /// Plans each former cluster's Vault CR delete (after its peer) and its kind cluster delete.
    static func prune(
        _ formers: [ClusterObservation], peers: [String: ActionID], unknownPeers: String? = nil, _ plan: inout PlanBuilder
    ) {
        for former in formers {
            let name = former.name
            let vaults = former.objects.vaults.keys.sorted()
            var needs: [ActionID] = peers[name].map { [$0] } ?? []
            let risk = unknownPeers.flatMap { why in
                vaults.isEmpty
                    ? nil : "the Raft peers are unknown (\(why)): cluster \(name)'s Vault node may stay a voter after its cluster is gone"
            }
            if !vaults.isEmpty && former.reachability.isReachable {
                plan.add(
                    PlanAction(
                        id: .vault(name), change: .delete, step: VaultResource.Delete(cluster: name, names: vaults),
                        resource: "Vault CR \(vaults.joined(separator: ", "))", reason: "cluster \(name) left the spec", needs: needs,
                        dataLoss: risk))
                needs = [.vault(name)]
            }
            let nodes = plan.world.kindCluster(named: name)?.nodes.count ?? 0
            plan.add(
                PlanAction(
                    id: .cluster(name), change: .delete, step: KindClusterResource.Delete(name: name), resource: "kind cluster \(name)",
                    reason: former.reachability.isReachable
                        ? "it left the spec (owned by topology \(plan.topology.name))"
                        : "it left the spec (created by this machine's apply of \(plan.topology.name); not reachable, deleted by name)",
                    observed: "\(nodes) node(s)", needs: needs, dataLoss: risk))
        }
    }

    /// `destroy`: the former clusters are deleted with the rest (no peer removal: the whole Raft
    /// cluster goes).
    static func planDestroyFormer(_ plan: inout PlanBuilder) {
        for former in formerClusters(&plan) {
            let vaults = former.objects.vaults.keys.sorted()
            plan.add(
                PlanAction(
                    id: .cluster(former.name), change: .delete, step: KindClusterResource.Delete(name: former.name),
                    resource: "kind cluster \(former.name)",
                    reason: "owned by topology \(plan.topology.name), no longer in the spec",
                    observed: "\(plan.world.kindCluster(named: former.name)?.nodes.count ?? 0) node(s)",
                    dataLoss: vaults.isEmpty ? nil : "the Vault node(s) \(vaults.joined(separator: ", ")) in cluster \(former.name)"))
        }
    }

    /// `vault operator raft remove-peer ID` in a Vault pod, as root (`RaftAccess`).
    struct RemovePeer: Step {
        var nodeID: String
        var access: RaftAccess

        func run(_ context: StepContext) async throws {
            let command = access.command(VaultCLI.removePeer(nodeID))
            let result = try await context.run(command)
            guard result.isSuccess else { throw ToolFailure(command, result) }
        }
    }
}
