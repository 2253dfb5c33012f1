import Foundation
import OrderedCollections

/// The values a cluster's template is rendered with, by placeholder name.
///
/// Built by `TemplateValues.for(topology:cluster:…)` from the spec plus whatever has been
/// observed (the network's subnet, the KMS container's address, the KMS token); what is
/// not known yet stays `.unknown` and prints as `(known after apply)`.
public struct TemplateValues: Sendable, Equatable {
    /// Every placeholder name a template may use, in documentation order.
    public static let names: [String] = [
        "topology.name", "network.name", "network.subnet",
        "cluster.name", "cluster.index", "cluster.context", "cluster.pool", "cluster.poolRange",
        "cluster.loadBalancerIP", "cluster.raftLeaderAddress",
        "leader.name", "leader.loadBalancerIP",
        "kms.address", "kms.url", "kms.token",
    ]

    /// Names whose values are secrets.
    public static let sensitiveNames: Set<String> = ["kms.token"]

    public private(set) var values: OrderedDictionary<String, TemplateValue>

    public init(_ values: OrderedDictionary<String, TemplateValue> = [:]) {
        self.values = values
    }

    public subscript(name: String) -> TemplateValue? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// Why an assumption (`--assume NAME=VALUE`) cannot be used.
    public struct AssumptionError: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    /// Checks assumption names and the values that must parse (`network.subnet`).
    public static func checkAssumptions(_ assumptions: [String: String]) throws(AssumptionError) {
        for name in assumptions.keys.sorted() {
            guard names.contains(name) else {
                let hint =
                    EditDistance.suggestion(for: name, among: names).map { "; did you mean '\($0)'?" }
                    ?? "; known names: \(names.joined(separator: ", "))"
                throw AssumptionError(description: "unknown value name '\(name)'" + hint)
            }
        }
        if let subnet = assumptions["network.subnet"] {
            do { _ = try CIDR.parse(subnet) } catch { throw AssumptionError(description: "network.subnet: \(error)") }
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
    public static func `for`(
        topology: Topology, cluster: Topology.Cluster, subnet: CIDR? = nil, kmsAddress: String? = nil,
        kmsToken: Secret? = nil, assumptions: [String: String] = [:]
    ) -> TemplateValues {
        let subnet = assumptions["network.subnet"].flatMap { CIDR($0) } ?? topology.network.subnet ?? subnet
        let kmsAddress = assumptions["kms.address"] ?? kmsAddress
        var v = TemplateValues()
        v["topology.name"] = .string(topology.name)
        v["network.name"] = .string(topology.network.name)
        v["network.subnet"] = subnet.map { .string($0.description) } ?? .unknown
        v["cluster.name"] = .string(cluster.name)
        v["cluster.index"] = .int(topology.index(of: cluster.name) ?? 0)
        v["cluster.context"] = .string(topology.context(of: cluster))

        let pools = poolsByCluster(topology, subnet: subnet)
        let own = pools[cluster.name]
        v["cluster.pool"] = own.map { .string($0.cidr.description) } ?? .unknown
        v["cluster.poolRange"] = own.map { .string($0.rangeText) } ?? .unknown
        v["cluster.loadBalancerIP"] = own.map { .string($0.loadBalancerIP.description) } ?? .unknown
        let leader = topology.leader
        let leaderIP: TemplateValue =
            assumptions["leader.loadBalancerIP"].map { .string($0) }
            ?? pools[leader.name].map { .string($0.loadBalancerIP.description) } ?? .unknown
        v["cluster.raftLeaderAddress"] = cluster.name == leader.name ? .string("self") : leaderIP
        v["leader.name"] = .string(leader.name)
        v["leader.loadBalancerIP"] = leaderIP

        switch topology.kms {
        case .container:
            v["kms.address"] = kmsAddress.map { .string($0) } ?? .unknown
            v["kms.url"] = kmsAddress.map { .string("http://\($0):8200") } ?? .unknown
        case .external(let url, _):
            v["kms.address"] = .string(kmsAddress ?? host(of: url))
            v["kms.url"] = .string(url)
        }
        v["kms.token"] = kmsToken.map { .sensitive($0) } ?? .unknown(sensitive: true)

        for name in names {
            guard let assumed = assumptions[name] else { continue }
            if sensitiveNames.contains(name) {
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
