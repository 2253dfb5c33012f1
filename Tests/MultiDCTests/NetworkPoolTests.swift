import Testing

@testable import MultiDC

@Suite struct NetworkPoolTests {
    static func topology(clusters: Int, slices: Topology.Slices = .init(), pools: [Int: String] = [:]) -> Topology {
        Topology(
            name: "t", network: Topology.Network(slices: slices), loadBalancer: .metallb(.init(version: "v0.9.3")),
            kms: .container(name: "kms", image: "vault", rootToken: .generate),
            vaultOperator: .init(chart: "c"), vault: .init(leader: "c0"),
            clusters: (0..<clusters).map { Topology.Cluster(name: "c\($0)", pool: pools[$0].flatMap(CIDR.init)) },
            health: .init(raft: .init(voters: clusters)))
    }

    @Test func defaultSlicesOfTheDesign() throws {
        let outcome = PoolSlicer.pools(for: Self.topology(clusters: 3), subnet: try CIDR.parse("172.18.0.0/16"))
        guard case .success(let pools) = outcome else { Issue.record("slicing failed: \(outcome)"); return }
        #expect(pools.map(\.cidr.description) == ["172.18.1.128/25", "172.18.2.128/25", "172.18.3.128/25"])
        #expect(pools[0].loadBalancerIP.description == "172.18.1.128")
        #expect(pools[0].rangeText == "172.18.1.128-172.18.1.255")
    }

    @Test func pinnedPoolOverridesTheSlice() throws {
        let outcome = PoolSlicer.pools(
            for: Self.topology(clusters: 3, pools: [2: "172.30.9.128/25"]), subnet: try CIDR.parse("172.30.0.0/16"))
        guard case .success(let pools) = outcome else { Issue.record("slicing failed: \(outcome)"); return }
        #expect(pools.map(\.cidr.description) == ["172.30.1.128/25", "172.30.2.128/25", "172.30.9.128/25"])
        #expect(pools.map(\.explicit) == [false, false, true])
    }

    @Test func refusalsNameTheAddressOrBothClusters() throws {
        let subnet = try CIDR.parse("172.18.0.0/16")
        let cases: [(String, String)] = [
            ("10.0.0.128/25", "pool 10.0.0.128/25 of cluster 'c1' lies outside the subnet 172.18.0.0/16"),
            ("172.18.1.192/26", "pool 172.18.1.192/26 of cluster 'c1' overlaps pool 172.18.1.128/25 of cluster 'c0'"),
            ("172.18.0.0/25", "pool 172.18.0.0/25 of cluster 'c1' holds 172.18.0.0, the network address of 172.18.0.0/16"),
            ("172.18.0.1/32", "pool 172.18.0.1/32 of cluster 'c1' holds 172.18.0.1, the gateway of 172.18.0.0/16"),
            ("172.18.255.128/25", "pool 172.18.255.128/25 of cluster 'c1' holds 172.18.255.255, the broadcast address of 172.18.0.0/16"),
            ("172.18.7.0/25", "pool 172.18.7.0/25 of cluster 'c1' holds 172.18.7.0, an address ending in .0"),
            ("172.18.6.128/23", "pool 172.18.6.128/23 of cluster 'c1' holds 172.18.7.0, an address ending in .0"),
        ]
        for (pool, message) in cases {
            let topology: Topology
            if pool == "172.18.6.128/23" {
                // Not a CIDR (host bits): build the override through the address.
                var t = Self.topology(clusters: 2)
                t.clusters[1].pool = CIDR(address: IPAddress("172.18.6.0")!, prefix: 23)
                topology = t
                #expect(
                    PoolSlicer.pools(for: topology, subnet: subnet)
                        == .failure([
                            PoolProblem(
                                "pool 172.18.6.0/23 of cluster 'c1' holds 172.18.6.0, an address ending in .0", at: .pool(cluster: 1))
                        ]))
                continue
            }
            topology = Self.topology(clusters: 2, pools: [1: pool])
            #expect(PoolSlicer.pools(for: topology, subnet: subnet) == .failure([PoolProblem(message, at: .pool(cluster: 1))]))
        }
    }

    @Test func tooManyClustersForTheSubnet() throws {
        let outcome = PoolSlicer.pools(for: Self.topology(clusters: 3), subnet: try CIDR.parse("172.18.0.0/22"))
        #expect(
            outcome
                == .failure([
                    PoolProblem(
                        "pool 172.18.3.128/25 of cluster 'c2' holds 172.18.3.255, the broadcast address of 172.18.0.0/22", at: .cluster(2))
                ]))
        let small = PoolSlicer.pools(for: Self.topology(clusters: 4), subnet: try CIDR.parse("172.18.0.0/22"))
        guard case .failure(let problems) = small else { Issue.record("expected a failure"); return }
        #expect(
            problems.contains(
                PoolProblem(
                    "cluster 'c3' needs block 4 of size /24, but 172.18.0.0/22 has only 4 such blocks; pin a pool or use a larger subnet",
                    at: .cluster(3))))
    }

    /// Issue 13: `firstBlock + i` overflowed (SIGILL) with firstBlock Int.max and two clusters.
    @Test func firstBlockOverflowIsAProblemNotACrash() throws {
        let topology = Self.topology(clusters: 2, slices: .init(blockPrefix: 24, firstBlock: Int.max, poolPrefix: 25))
        let outcome = PoolSlicer.pools(for: topology, subnet: try CIDR.parse("10.0.0.0/8"))
        #expect(
            outcome
                == .failure([
                    PoolProblem(
                        "cluster 'c0' needs block 9223372036854775807 of size /24, but 10.0.0.0/8 has only 65536 such blocks; pin a pool or use a larger subnet",
                        at: .cluster(0)),
                    PoolProblem(
                        "slices.firstBlock 9223372036854775807 leaves no block for cluster 'c1' (index 1): the block number is out of range",
                        at: .slices("firstBlock")),
                ]))
        // The same on an IPv6 network, where the block count saturates at Int.max.
        let v6 = Self.topology(clusters: 2, slices: .init(blockPrefix: 120, firstBlock: Int.max - 1, poolPrefix: 121))
        guard case .failure(let problems) = PoolSlicer.pools(for: v6, subnet: try CIDR.parse("fd00::/8")) else {
            Issue.record("expected a failure")
            return
        }
        #expect(problems.map(\.location) == [.cluster(1)])
    }

    /// The sort-based overlap check names the earliest overlapping cluster, like the pairwise one did.
    @Test func overlapsNameTheEarliestOverlappingCluster() throws {
        func cidrs(_ texts: [String]) -> [ClusterPool] {
            texts.enumerated().map { ClusterPool(cluster: "c\($0)", index: $0, cidr: CIDR($1)!, explicit: true) }
        }
        let pools = cidrs(["10.0.2.0/24", "10.0.0.0/16", "10.0.2.128/25", "10.0.3.0/24", "10.1.0.0/24", "10.0.2.128/25", "fd00::/64"])
        #expect(
            PoolSlicer.overlaps(pools).map(\.message) == [
                "pool 10.0.0.0/16 of cluster 'c1' overlaps pool 10.0.2.0/24 of cluster 'c0'",
                "pool 10.0.2.128/25 of cluster 'c2' overlaps pool 10.0.2.0/24 of cluster 'c0'",
                "pool 10.0.3.0/24 of cluster 'c3' overlaps pool 10.0.0.0/16 of cluster 'c1'",
                "pool 10.0.2.128/25 of cluster 'c5' overlaps pool 10.0.2.0/24 of cluster 'c0'",
            ])
        // Against the pairwise definition on random pools.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let random = (0..<12).map { _ -> String in
                let prefix = Int.random(in: 22...26, using: &generator)
                let base = UInt32(10 << 24) | UInt32.random(in: 0..<2048, using: &generator) << 8
                return CIDR(address: IPAddress(family: .v4, value: UInt128(base)), prefix: prefix).description
            }
            let pools = cidrs(random)
            let pairwise = pools.enumerated().compactMap { j, later in
                pools[..<j].first { $0.cidr.overlaps(later.cidr) }.map { "\(later.cluster)~\($0.cluster)" }
            }
            let sorted = PoolSlicer.overlaps(pools).map { problem in
                let names = problem.message.split(separator: "'")
                return "\(names[1])~\(names[3])"
            }
            #expect(sorted == pairwise, "\(random)")
        }
    }

    @Test func withoutSubnetOnlyPinnedPoolsAreChecked() {
        let topology = Self.topology(clusters: 3, pools: [0: "10.1.0.128/25", 2: "10.1.0.192/26"])
        #expect(
            PoolSlicer.checkWithoutSubnet(topology) == [
                PoolProblem("pool 10.1.0.192/26 of cluster 'c2' overlaps pool 10.1.0.128/25 of cluster 'c0'", at: .pool(cluster: 2))
            ])
        #expect(PoolSlicer.checkWithoutSubnet(Self.topology(clusters: 3)).isEmpty)
    }

    /// Property: for many random subnets, slice settings and cluster counts, every sliced pool
    /// lies in the subnet, pools are pairwise disjoint, the first address is the pool start and
    /// pool i sits in block firstBlock + i.
    @Test func slicingPropertiesHoldForRandomSubnets() throws {
        var rng = SplitMix64(seed: 0x5EED)
        var checked = 0
        for _ in 0..<2000 {
            let prefix = Int.random(in: 8...22, using: &rng)
            let base = UInt32.random(in: 0...UInt32.max, using: &rng)
            let subnet = CIDR(address: IPAddress(family: .v4, value: UInt128(base)), prefix: prefix)
            let blockPrefix = Int.random(in: prefix + 3...min(prefix + 8, 26), using: &rng)
            let poolPrefix = Int.random(in: blockPrefix + 1...min(blockPrefix + 4, 30), using: &rng)
            let firstBlock = Int.random(in: 1...3, using: &rng)
            let blocks = subnet.blockCount(prefix: blockPrefix)!
            let clusters = Int.random(in: 1...min(20, blocks - firstBlock - 1), using: &rng)
            let topology = Self.topology(
                clusters: clusters, slices: .init(blockPrefix: blockPrefix, firstBlock: firstBlock, poolPrefix: poolPrefix))
            let outcome = PoolSlicer.pools(for: topology, subnet: subnet)
            guard case .success(let pools) = outcome else {
                // Refusals are only ever about .0 addresses when pools are /24 or larger.
                if case .failure(let problems) = outcome {
                    #expect(problems.allSatisfy { $0.message.contains("ending in .0") }, "\(subnet) \(problems)")
                }
                continue
            }
            checked += 1
            #expect(pools.count == clusters)
            for (i, pool) in pools.enumerated() {
                #expect(subnet.contains(pool.cidr))
                #expect(pool.cidr.prefix == poolPrefix)
                #expect(pool.loadBalancerIP == pool.cidr.first)
                #expect(pool.rangeText == "\(pool.cidr.first)-\(pool.cidr.last)")
                let block = subnet.block(prefix: blockPrefix, index: firstBlock + i)!
                #expect(block.contains(pool.cidr))
                #expect(pool.cidr.last == block.last)
                #expect(!pool.cidr.contains(subnet.first) && !pool.cidr.contains(subnet.last))
                for other in pools[(i + 1)...] { #expect(!pool.cidr.overlaps(other.cidr)) }
            }
        }
        #expect(checked > 500)
    }

    /// Property: nth block arithmetic agrees with plain integer arithmetic (IPv4 and IPv6).
    @Test func blocksTileTheNetwork() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            let v6 = Bool.random(using: &rng)
            let width = v6 ? 128 : 32
            let prefix = Int.random(in: 0...(width - 2), using: &rng)
            let raw =
                v6
                ? UInt128(UInt64.random(in: 0...UInt64.max, using: &rng)) << 64 | UInt128(UInt64.random(in: 0...UInt64.max, using: &rng))
                : UInt128(UInt32.random(in: 0...UInt32.max, using: &rng))
            let net = CIDR(address: IPAddress(family: v6 ? .v6 : .v4, value: raw), prefix: prefix)
            let sub = Int.random(in: prefix + 1...min(width, prefix + 16), using: &rng)
            let count = net.blockCount(prefix: sub)!
            let index = Int.random(in: 0..<count, using: &rng)
            let block = net.block(prefix: sub, index: index)!
            #expect(net.contains(block))
            #expect(block.first.value == net.first.value + UInt128(index) << UInt128(width - sub))
            if index + 1 < count {
                let next = net.block(prefix: sub, index: index + 1)!
                #expect(next.first.value == block.last.value + 1)
                #expect(!next.overlaps(block))
            } else {
                #expect(block.last == net.last)
            }
            #expect(CIDR(block.description) == block)
        }
    }
}

/// A small deterministic generator, so property tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct NetworkIPv6PoolTests {
    @Test func ipv6SubnetsSliceWithExplicitPrefixes() throws {
        let topology = NetworkPoolTests.topology(clusters: 2, slices: .init(blockPrefix: 80, firstBlock: 1, poolPrefix: 96))
        let outcome = PoolSlicer.pools(for: topology, subnet: try CIDR.parse("fc00:f853:ccd:e793::/64"))
        guard case .success(let pools) = outcome else { Issue.record("slicing failed: \(outcome)"); return }
        #expect(pools.map(\.cidr.description) == ["fc00:f853:ccd:e793:1:ffff::/96", "fc00:f853:ccd:e793:2:ffff::/96"])
        #expect(pools[0].loadBalancerIP.description == "fc00:f853:ccd:e793:1:ffff::")
    }

    @Test func metallbModeFollowsTheVersion() {
        #expect(Topology.MetalLB(version: "v0.9.3").mode == .configMap)
        #expect(Topology.MetalLB(version: "v0.12.1").mode == .configMap)
        #expect(Topology.MetalLB(version: "v0.13.10").mode == .customResources)
        #expect(Topology.MetalLB(version: "v1.0.0").mode == .customResources)
    }
}
