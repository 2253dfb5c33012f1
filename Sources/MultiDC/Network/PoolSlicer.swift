/// The LoadBalancer address pool of one cluster.
package struct ClusterPool: Sendable, Hashable {
    package var cluster: String
    package var index: Int
    package var cidr: CIDR
    /// True when the spec pinned it with `pool:`, false when it was sliced.
    package var explicit: Bool

    package init(cluster: String, index: Int, cidr: CIDR, explicit: Bool) {
        self.cluster = cluster
        self.index = index
        self.cidr = cidr
        self.explicit = explicit
    }

    /// The pool's first address: where the cluster's Vault Service is pinned.
    package var loadBalancerIP: IPAddress { cidr.first }
    /// `first-last`, as MetalLB takes it.
    package var rangeText: String { cidr.rangeText }

    /// Whether MetalLB addresses name exactly this pool. MetalLB accepts a range or a CIDR; the
    /// classic scripts write the CIDR (X.1.128/25), multidc writes the range: the same pool.
    package func isWritten(as addresses: [String]) -> Bool {
        addresses == [rangeText] || addresses == [cidr.description]
    }
}

/// A pool the slicing refuses, and which spec field it concerns.
package struct PoolProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The spec field a problem points at.
    package enum Location: Sendable, Hashable {
        /// `spec.clusters[i].pool`
        case pool(cluster: Int)
        /// `spec.clusters[i]` (a sliced pool)
        case cluster(Int)
        /// `spec.network.slices.<key>`
        case slices(String)
        /// `spec.network.subnet`
        case subnet
    }

    package var message: String
    package var location: Location

    package init(_ message: String, at location: Location) {
        self.message = message
        self.location = location
    }

    package var description: String { message }
}

/// Cuts each cluster's LoadBalancer pool out of the network's subnet (DESIGN.md "The spec").
///
/// Cluster `i` gets block `firstBlock + i` of size `/blockPrefix`; its pool is that block's
/// last `/poolPrefix`. With the defaults, 172.18.0.0/16 gives cluster 0 the pool
/// 172.18.1.128/25. A `pool:` on a cluster replaces its slice and is checked the same way.
/// When the spec does not pin the subnet, the planner calls `pools(for:subnet:)` with the
/// observed one; `validate` runs `checkWithoutSubnet` meanwhile.
package enum PoolSlicer {
    /// The pools, or every problem found.
    package enum Outcome: Sendable, Hashable {
        case success([ClusterPool])
        case failure([PoolProblem])
    }

    /// Every cluster's pool in `subnet`, or every problem found. Empty for `loadBalancer: none`.
    package static func pools(for topology: Topology, subnet: CIDR) -> Outcome {
        guard case .metallb = topology.loadBalancer else { return .success([]) }
        var problems: [PoolProblem] = []
        let slices = topology.network.slices
        var slicingWorks = true
        if slices.blockPrefix < subnet.prefix || slices.blockPrefix > subnet.family.bitWidth {
            problems.append(
                PoolProblem(
                    "slices.blockPrefix /\(slices.blockPrefix) does not fit the subnet \(subnet): it must lie between /\(subnet.prefix) and /\(subnet.family.bitWidth)",
                    at: .slices("blockPrefix")))
            slicingWorks = false
        } else if slices.poolPrefix < slices.blockPrefix || slices.poolPrefix > subnet.family.bitWidth {
            problems.append(
                PoolProblem(
                    "slices.poolPrefix /\(slices.poolPrefix) does not fit a /\(slices.blockPrefix) block: it must lie between /\(slices.blockPrefix) and /\(subnet.family.bitWidth)",
                    at: .slices("poolPrefix")))
            slicingWorks = false
        }
        var pools: [ClusterPool?] = []
        for (i, cluster) in topology.clusters.enumerated() {
            if let pinned = cluster.pool {
                pools.append(ClusterPool(cluster: cluster.name, index: i, cidr: pinned, explicit: true))
                continue
            }
            guard slicingWorks else { pools.append(nil); continue }
            let (blockIndex, overflow) = slices.firstBlock.addingReportingOverflow(i)
            guard !overflow, blockIndex >= 0 else {
                problems.append(
                    PoolProblem(
                        "slices.firstBlock \(slices.firstBlock) leaves no block for cluster '\(cluster.name)' (index \(i)): the block number is out of range",
                        at: .slices("firstBlock")))
                slicingWorks = false
                pools.append(nil)
                continue
            }
            guard let block = subnet.block(prefix: slices.blockPrefix, index: blockIndex),
                let count = block.blockCount(prefix: slices.poolPrefix),
                let pool = block.block(prefix: slices.poolPrefix, index: count - 1)
            else {
                let available = subnet.blockCount(prefix: slices.blockPrefix) ?? 0
                problems.append(
                    PoolProblem(
                        "cluster '\(cluster.name)' needs block \(blockIndex) of size /\(slices.blockPrefix), but \(subnet) has only \(available) such block\(available == 1 ? "" : "s"); pin a pool or use a larger subnet",
                        at: .cluster(i)))
                pools.append(nil)
                continue
            }
            pools.append(ClusterPool(cluster: cluster.name, index: i, cidr: pool, explicit: false))
        }
        for case let pool? in pools {
            problems += check(pool, in: subnet)
        }
        problems += overlaps(pools.compactMap { $0 })
        return problems.isEmpty ? .success(pools.compactMap { $0 }) : .failure(problems)
    }

    /// Every cluster's pool when all are pinned (`clusters[].pool`): the pools of clusters that
    /// multidc does not put on a docker network of its own (provider existing). Nil when some
    /// pool must still be cut from a subnet.
    package static func pinnedPools(for topology: Topology) -> Outcome? {
        guard case .metallb = topology.loadBalancer else { return .success([]) }
        guard topology.clusters.allSatisfy({ $0.pool != nil }) else { return nil }
        let problems = checkWithoutSubnet(topology)
        if !problems.isEmpty { return .failure(problems) }
        return .success(
            topology.clusters.enumerated().map { i, c in ClusterPool(cluster: c.name, index: i, cidr: c.pool!, explicit: true) })
    }

    /// The pools for a subnet that may not be known yet: without one, only fully pinned pools.
    package static func pools(for topology: Topology, knownSubnet subnet: CIDR?) -> Outcome? {
        guard topology.provider == .kind, let subnet else { return pinnedPools(for: topology) }
        return pools(for: topology, subnet: subnet)
    }

    /// What can be checked before the subnet is known: pinned pools against each other and
    /// against addresses ending in .0.
    package static func checkWithoutSubnet(_ topology: Topology) -> [PoolProblem] {
        guard case .metallb = topology.loadBalancer else { return [] }
        let pinned = topology.clusters.enumerated().compactMap { i, cluster in
            cluster.pool.map { ClusterPool(cluster: cluster.name, index: i, cidr: $0, explicit: true) }
        }
        var problems: [PoolProblem] = []
        for pool in pinned {
            if let zero = firstDotZero(in: pool.cidr) {
                problems.append(PoolProblem(describe(pool) + " holds \(zero), an address ending in .0", at: location(pool)))
            }
        }
        return problems + overlaps(pinned)
    }

    /// The checks of one pool against its subnet.
    static func check(_ pool: ClusterPool, in subnet: CIDR) -> [PoolProblem] {
        let at = location(pool)
        guard subnet.contains(pool.cidr) else {
            return [PoolProblem(describe(pool) + " lies outside the subnet \(subnet)", at: at)]
        }
        if pool.cidr.contains(subnet.first) {
            return [PoolProblem(describe(pool) + " holds \(subnet.first), the network address of \(subnet)", at: at)]
        }
        if subnet.family == .v4, pool.cidr.contains(subnet.last) {
            return [PoolProblem(describe(pool) + " holds \(subnet.last), the broadcast address of \(subnet)", at: at)]
        }
        let gateway = subnet.first.advanced(by: 1)
        if pool.cidr.contains(gateway) {
            return [PoolProblem(describe(pool) + " holds \(gateway), the gateway of \(subnet)", at: at)]
        }
        if let zero = firstDotZero(in: pool.cidr) {
            return [PoolProblem(describe(pool) + " holds \(zero), an address ending in .0", at: at)]
        }
        return []
    }

    /// Every pool that overlaps a pool of an earlier cluster, reported at the later cluster and
    /// naming the earliest cluster it overlaps.
    ///
    /// O(n log n): networks either nest or are disjoint, so after sorting by (family, first
    /// address, prefix) the pools form a containment forest, walked with a stack. A pool
    /// overlaps exactly its ancestors and its descendants; the earliest cluster among them
    /// comes from a running minimum down the stack and a subtree minimum carried up on pop.
    static func overlaps(_ pools: [ClusterPool]) -> [PoolProblem] {
        guard pools.count > 1 else { return [] }
        let order = pools.indices.sorted { a, b in
            (pools[a].cidr.first, pools[a].cidr.prefix, a) < (pools[b].cidr.first, pools[b].cidr.prefix, b)
        }
        // Per pool (by position in `pools`): the lowest position among ancestors / descendants.
        var ancestorMin = [Int](repeating: Int.max, count: pools.count)
        var descendantMin = [Int](repeating: Int.max, count: pools.count)
        var stack: [Int] = []
        func pop() {
            let done = stack.removeLast()
            if let parent = stack.last {
                descendantMin[parent] = min(descendantMin[parent], done, descendantMin[done])
            }
        }
        for p in order {
            while let top = stack.last, !pools[top].cidr.contains(pools[p].cidr) { pop() }
            if let top = stack.last { ancestorMin[p] = min(ancestorMin[top], top) }
            stack.append(p)
        }
        while !stack.isEmpty { pop() }
        var problems: [PoolProblem] = []
        for (j, later) in pools.enumerated() {
            let i = min(ancestorMin[j], descendantMin[j])
            guard i < j else { continue }
            let earlier = pools[i]
            problems.append(
                PoolProblem(
                    describe(later) + " overlaps pool \(earlier.cidr) of cluster '\(earlier.cluster)'", at: location(later)))
        }
        return problems
    }

    /// The first IPv4 address ending in .0 inside a network, if any.
    static func firstDotZero(in cidr: CIDR) -> IPAddress? {
        guard cidr.family == .v4 else { return nil }
        if cidr.first.lastOctet == 0 { return cidr.first }
        let next = (cidr.first.value | 0xFF) + 1
        return next <= cidr.last.value ? IPAddress(family: .v4, value: next) : nil
    }

    static func describe(_ pool: ClusterPool) -> String {
        "pool \(pool.cidr) of cluster '\(pool.cluster)'"
    }

    static func location(_ pool: ClusterPool) -> PoolProblem.Location {
        pool.explicit ? .pool(cluster: pool.index) : .cluster(pool.index)
    }
}
