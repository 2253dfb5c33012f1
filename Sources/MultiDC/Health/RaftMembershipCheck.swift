/// Which cluster's Vault node a Raft peer is: a peer's address is its node's cluster address,
/// which the Bank-Vaults examples set to the Vault Service's LoadBalancer address (port 8201). So a
/// peer belongs to the cluster whose Vault Service has that address, or whose pool holds it.
package struct RaftAddressBook: Sendable, Equatable {
    /// Per cluster: its LoadBalancer pool, when MetalLB slices one.
    package var pools: [String: CIDR]
    /// Per cluster: its Vault Services' LoadBalancer IPs or hostnames, as observed.
    package var observed: [String: Set<String>]

    package init(pools: [String: CIDR] = [:], observed: [String: Set<String>] = [:]) {
        self.pools = pools
        self.observed = observed
    }

    /// The address book of observed clusters, plus pools.
    package init(pools: [String: CIDR], clusters: [ClusterObservation]) {
        var observed: [String: Set<String>] = [:]
        for cluster in clusters where cluster.reachability.isReachable {
            let hosts = cluster.objects.vaultServices.filter { $0.type == "LoadBalancer" }.flatMap(\.ingressIPs)
            if !hosts.isEmpty { observed[cluster.name] = Set(hosts) }
        }
        self.init(pools: pools, observed: observed)
    }

    /// Whether the book can place a peer of `cluster` at all (it has a pool or an observed address).
    package func knowsAddress(of cluster: String) -> Bool { pools[cluster] != nil || observed[cluster] != nil }

    /// The cluster a peer's host belongs to (observed addresses first, then pools).
    package func cluster(of peer: RaftPeer) -> String? {
        let host = peer.host
        if let hit = observed.first(where: { $0.value.contains(host) })?.key { return hit }
        guard let ip = IPAddress(host) else { return nil }
        return pools.first { $0.value.contains(ip) }?.key
    }
}

/// The Raft membership rules of the health check: the voters are exactly the spec's clusters'
/// Vault nodes, all voters, one leader; a leader in another cluster than the spec's is shown.
package enum RaftMembershipCheck {
    package struct Verdict: Sendable, Equatable {
        package var problems: [String] = []
        package var warnings: [String] = []
        /// The cluster of the active leader, when known.
        package var leaderCluster: String?
    }

    /// Judges the peers against the spec's clusters. `book` maps peers to clusters; a peer no
    /// cluster claims is stale (its node is gone or moved).
    package static func evaluate(
        _ membership: RaftMembership, clusters: [String], specLeader: String, book: RaftAddressBook
    ) -> Verdict {
        var verdict = Verdict()
        guard let peers = membership.peers else {
            verdict.problems.append("the Raft peers could not be read: \(membership.problem ?? "unknown")")
            return verdict
        }
        var seen: [String: [RaftPeer]] = [:]
        var unclaimed: [RaftPeer] = []
        for peer in peers {
            guard let cluster = book.cluster(of: peer), clusters.contains(cluster) else {
                unclaimed.append(peer)
                continue
            }
            seen[cluster, default: []].append(peer)
            if !peer.voter { verdict.problems.append("Raft peer \(peer.nodeID) (cluster \(cluster)) is not a voter") }
        }
        // Clusters whose Vault address is not known yet (a cloud LoadBalancer not observed since
        // it got one): the unclaimed peers may be theirs; only a surplus is stale.
        let blind = clusters.filter { seen[$0] == nil && !book.knowsAddress(of: $0) }
        for peer in unclaimed.dropFirst(blind.count) {
            verdict.problems.append(
                "Raft peer \(peer.nodeID) at \(peer.address) is the Vault node of no cluster in the spec (stale: `multidc apply` removes it)"
            )
        }
        for peer in unclaimed.prefix(blind.count) where !peer.voter {
            verdict.problems.append("Raft peer \(peer.nodeID) at \(peer.address) is not a voter")
        }
        let assumed = Set(blind.prefix(unclaimed.count))
        for cluster in clusters where !assumed.contains(cluster) {
            switch seen[cluster]?.count ?? 0 {
            case 0: verdict.problems.append("cluster \(cluster)'s Vault node is not a Raft peer")
            case 1: break
            case let n: verdict.problems.append("cluster \(cluster) has \(n) Raft peers at its address")
            }
        }
        let voters = peers.filter(\.voter).count
        if voters != clusters.count {
            verdict.problems.append(
                "Raft has \(voters) voter\(voters == 1 ? "" : "s"), the spec has \(clusters.count) cluster\(clusters.count == 1 ? "" : "s")"
            )
        }
        let leaders = peers.filter(\.leader)
        if leaders.count != 1 {
            verdict.problems.append(
                leaders.isEmpty
                    ? "Raft reports no leader" : "Raft reports \(leaders.count) leaders: \(leaders.map(\.nodeID).joined(separator: ", "))")
        } else if let leader = leaders.first {
            verdict.leaderCluster = book.cluster(of: leader)
            if let cluster = verdict.leaderCluster, cluster != specLeader {
                verdict.warnings.append(
                    "the active Raft leader is cluster \(cluster)'s Vault, not the spec's leader \(specLeader) (normal after an election; vault.leader only bootstraps Raft)"
                )
            }
        }
        return verdict
    }
}
