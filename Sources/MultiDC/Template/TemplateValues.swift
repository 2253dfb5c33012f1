import Foundation
import OrderedCollections

/// The values a cluster's template is rendered with, by placeholder name.
///
/// Built by `TemplateValues.for(topology:cluster:…)` from the spec plus whatever has been
/// observed (the network's subnet, the KMS container's address, the KMS token); what is
/// not known yet stays `.unknown` and prints as `(known after apply)`.
package struct TemplateValues: Sendable, Equatable {
    /// Every placeholder name a template may use, in documentation order.
    package static let names: [String] = [
        "topology.name", "network.name", "network.subnet",
        "cluster.name", "cluster.index", "cluster.context", "cluster.pool", "cluster.poolRange",
        "cluster.loadBalancerIP", "cluster.raftLeaderAddress",
        "leader.name", "leader.loadBalancerIP",
        "kms.address", "kms.url", "kms.token",
    ]

    /// Names whose values are secrets.
    package static let sensitiveNames: Set<String> = ["kms.token"]

    package private(set) var values: OrderedDictionary<String, TemplateValue>

    package init(_ values: OrderedDictionary<String, TemplateValue> = [:]) {
        self.values = values
    }

    package subscript(name: String) -> TemplateValue? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// Why an assumption (`--assume NAME=VALUE`) cannot be used.
    package struct AssumptionError: Error, Sendable, Hashable, CustomStringConvertible {
        package let description: String

        package init(description: String) { self.description = description }
    }

    /// The longest value `--assume` takes, in bytes: far more than any address, URL or token.
    package static let maxAssumedValueBytes = 4096

    /// Names whose values the spec alone determines: an assumption cannot change them.
    package static let specNames: Set<String> = [
        "topology.name", "network.name", "cluster.name", "cluster.index", "cluster.context", "leader.name",
    ]

    /// Checks assumption names and the values that must parse (`network.subnet`), and that no
    /// value is longer than `maxAssumedValueBytes`. With `topology`, also refuses to assume what
    /// the spec determines: the names above, a pinned `network.subnet`, an external KMS's
    /// `kms.url` and `kms.address`.
    package static func checkAssumptions(_ assumptions: [String: String], topology: Topology? = nil) throws(AssumptionError) {
        for name in assumptions.keys.sorted() {
            guard names.contains(name) else {
                let hint =
                    EditDistance.suggestion(for: name, among: names).map { "; did you mean '\($0)'?" }
                    ?? "; known names: \(names.joined(separator: ", "))"
                throw AssumptionError(description: "unknown value name '\(name)'" + hint)
            }
            let size = assumptions[name]!.utf8.count
            guard size <= maxAssumedValueBytes else {
                throw AssumptionError(
                    description: "the value of \(name) is \(size) bytes; at most \(maxAssumedValueBytes) bytes are allowed")
            }
        }
        if let subnet = assumptions["network.subnet"] {
            do { _ = try CIDR.parse(subnet) } catch { throw AssumptionError(description: "network.subnet: \(error)") }
        }
        guard let topology else { return }
        for name in assumptions.keys.sorted() {
            if specNames.contains(name) {
                throw AssumptionError(description: "\(name) is set by the spec; it cannot be assumed")
            }
            if name == "network.subnet", let pinned = topology.network.subnet {
                throw AssumptionError(
                    description: "network.subnet is pinned to \(pinned) by the spec (spec.network.subnet); it cannot be assumed")
            }
            if name == "kms.url" || name == "kms.address", case .external(let url, _) = topology.kms {
                throw AssumptionError(description: "\(name) is set by the spec (spec.kms.url \(url)); it cannot be assumed")
            }
        }
    }

    /// The values for one cluster.
    ///
    /// - Parameters:
    ///   - subnet: the network's subnet when observed (the spec's pinned subnet wins otherwise).
    ///   - kmsAddress: the KMS container's IP on the network, once it runs.
    ///   - kmsToken: the KMS root token, once known.
    ///   - assumptions: `NAME=VALUE` overrides (`multidc render --assume`); `network.subnet` and
    ///     `kms.address` also feed the values derived from them. Check them first with
    ///     `checkAssumptions`.
    ///
    /// Pools come from `PoolSlicer`; when the pools cannot be computed (no subnet yet, or a
    /// pool the slicer refuses) the pool values are `.unknown` — validate pools separately.
    /// For many clusters use `forClusters`, which slices the pools once.
    package static func `for`(
        topology: Topology, cluster: Topology.Cluster, subnet: CIDR? = nil, kmsAddress: String? = nil,
        kmsToken: Secret? = nil, assumptions: [String: String] = [:]
    ) -> TemplateValues {
        Shared(topology: topology, subnet: subnet, kmsAddress: kmsAddress, kmsToken: kmsToken, assumptions: assumptions)
            .values(for: cluster)
    }

    /// The values of each of `clusters` (default: all), in order, as `for(topology:cluster:…)`
    /// gives them; the pools are sliced once, so n clusters take O(n log n).
    package static func forClusters(
        _ clusters: [Topology.Cluster]? = nil, topology: Topology, subnet: CIDR? = nil, kmsAddress: String? = nil,
        kmsToken: Secret? = nil, assumptions: [String: String] = [:]
    ) -> [TemplateValues] {
        let shared = Shared(topology: topology, subnet: subnet, kmsAddress: kmsAddress, kmsToken: kmsToken, assumptions: assumptions)
        return (clusters ?? topology.clusters).map { shared.values(for: $0) }
    }

    /// What every cluster's values share: the pools, the leader, the KMS values.
    private struct Shared {
        let topology: Topology
        let assumptions: [String: String]
        let subnet: CIDR?
        let kmsAddress: String?
        let kmsToken: Secret?
        let pools: [String: ClusterPool]
        let indices: [String: Int]
        let leader: Topology.Cluster
        let leaderIP: TemplateValue

        init(topology: Topology, subnet: CIDR?, kmsAddress: String?, kmsToken: Secret?, assumptions: [String: String]) {
            self.topology = topology
            self.assumptions = assumptions
            let subnet = assumptions["network.subnet"].flatMap { CIDR($0) } ?? topology.network.subnet ?? subnet
            self.subnet = subnet
            self.kmsAddress = assumptions["kms.address"] ?? kmsAddress
            self.kmsToken = kmsToken
            pools = TemplateValues.poolsByCluster(topology, subnet: subnet)
            var indices: [String: Int] = [:]
            for (i, cluster) in topology.clusters.enumerated() where indices[cluster.name] == nil { indices[cluster.name] = i }
            self.indices = indices
            leader = topology.leader
            leaderIP =
                assumptions["leader.loadBalancerIP"].map { .string($0) }
                ?? pools[topology.leader.name].map { .string($0.loadBalancerIP.description) } ?? .unknown
        }

        func values(for cluster: Topology.Cluster) -> TemplateValues {
            var v = TemplateValues()
            v["topology.name"] = .string(topology.name)
            v["network.name"] = .string(topology.network.name)
            v["network.subnet"] = subnet.map { .string($0.description) } ?? .unknown
            v["cluster.name"] = .string(cluster.name)
            v["cluster.index"] = .int(indices[cluster.name] ?? 0)
            v["cluster.context"] = .string(topology.context(of: cluster))

            let own = pools[cluster.name]
            v["cluster.pool"] = own.map { .string($0.cidr.description) } ?? .unknown
            v["cluster.poolRange"] = own.map { .string($0.rangeText) } ?? .unknown
            v["cluster.loadBalancerIP"] = own.map { .string($0.loadBalancerIP.description) } ?? .unknown
            v["cluster.raftLeaderAddress"] = cluster.name == leader.name ? .string("self") : leaderIP
            v["leader.name"] = .string(leader.name)
            v["leader.loadBalancerIP"] = leaderIP

            switch topology.kms {
            case .container:
                v["kms.address"] = kmsAddress.map { .string($0) } ?? .unknown
                v["kms.url"] = kmsAddress.map { .string("http://\($0):8200") } ?? .unknown
            case .external(let url, _):
                v["kms.address"] = .string(kmsAddress ?? TemplateValues.host(of: url))
                v["kms.url"] = .string(url)
            }
            v["kms.token"] = kmsToken.map { .sensitive($0) } ?? .unknown(sensitive: true)

            for (name, assumed) in assumptions where TemplateValues.names.contains(name) {
                if TemplateValues.sensitiveNames.contains(name) {
                    v[name] = .sensitive(Secret(assumed))
                } else if name == "cluster.index", let i = Int(assumed) {
                    v[name] = .int(i)
                } else {
                    v[name] = .string(assumed)
                }
            }
            if assumptions["cluster.loadBalancerIP"] != nil, cluster.name == leader.name,
                assumptions["leader.loadBalancerIP"] == nil
            {
                v["leader.loadBalancerIP"] = v["cluster.loadBalancerIP"]
            }
            return v
        }
    }

    private static func poolsByCluster(_ topology: Topology, subnet: CIDR?) -> [String: ClusterPool] {
        var result: [String: ClusterPool] = [:]
        if let subnet, case .success(let pools) = PoolSlicer.pools(for: topology, subnet: subnet) {
            for pool in pools { result[pool.cluster] = pool }
        } else if case .metallb = topology.loadBalancer, PoolSlicer.checkWithoutSubnet(topology).isEmpty {
            // Pinned pools are known without the subnet.
            for (i, cluster) in topology.clusters.enumerated() {
                if let pool = cluster.pool {
                    result[cluster.name] = ClusterPool(cluster: cluster.name, index: i, cidr: pool, explicit: true)
                }
            }
        }
        return result
    }

    /// The host part of an `http(s)://host:port/…` URL.
    static func host(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            return String(rest[rest.index(after: rest.startIndex)..<close])
        }
        if let colon = rest.lastIndex(of: ":") { rest = rest[..<colon] }
        return String(rest)
    }
}
