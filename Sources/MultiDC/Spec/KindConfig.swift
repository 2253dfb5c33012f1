import YAML

extension Topology {
    /// The fields of kind's v1alpha4 cluster config a spec passes through to kind
    /// (docs/tools.md#kind-config): `spec.kindConfig` for every cluster, `clusters[i].kindConfig`
    /// for one. multidc makes the rest of the config itself (the nodes: one control plane and
    /// `workers` workers; the network; the API server).
    ///
    /// A cluster's own value is merged over the all-clusters one (`merged(over:)`): maps
    /// (`featureGates`, node `labels`) key by key, the cluster's value winning; lists
    /// (`kubeadmConfigPatches`, `containerdConfigPatches`, `extraPortMappings`) concatenated, the
    /// all-clusters items first — kind applies patches in order, so the cluster's patches win
    /// where both set a field.
    package struct KindConfig: Sendable, Hashable {
        /// `featureGates`: Kubernetes feature gates for every component (kind: `map[string]bool`).
        package var featureGates: [String: Bool]
        /// `kubeadmConfigPatches`: merge patches of the kubeadm config (YAML texts), before the node ones.
        package var kubeadmConfigPatches: [String]
        /// `containerdConfigPatches`: TOML merge patches of every node's containerd config.
        package var containerdConfigPatches: [String]
        /// Node fields of the control-plane node.
        package var controlPlane: KindNode
        /// Node fields of every worker node.
        package var workers: KindNode

        package init(
            featureGates: [String: Bool] = [:], kubeadmConfigPatches: [String] = [], containerdConfigPatches: [String] = [],
            controlPlane: KindNode = KindNode(), workers: KindNode = KindNode()
        ) {
            self.featureGates = featureGates
            self.kubeadmConfigPatches = kubeadmConfigPatches
            self.containerdConfigPatches = containerdConfigPatches
            self.controlPlane = controlPlane
            self.workers = workers
        }

        /// Nothing passed through: kind gets the config multidc has always written.
        package var isEmpty: Bool { self == KindConfig() }

        /// This (a cluster's) config merged over `base` (the all-clusters one).
        package func merged(over base: KindConfig) -> KindConfig {
            KindConfig(
                featureGates: base.featureGates.merging(featureGates) { $1 },
                kubeadmConfigPatches: base.kubeadmConfigPatches + kubeadmConfigPatches,
                containerdConfigPatches: base.containerdConfigPatches + containerdConfigPatches,
                controlPlane: controlPlane.merged(over: base.controlPlane), workers: workers.merged(over: base.workers))
        }
    }

    /// The node fields passed through (kind's `Node`: `labels`, `extraPortMappings`,
    /// `kubeadmConfigPatches`).
    package struct KindNode: Sendable, Hashable {
        /// `labels`: the node's Kubernetes labels (kind passes them to the kubelet's `--node-labels`).
        package var labels: [String: String]
        /// `extraPortMappings`: host ports published to the node container.
        package var extraPortMappings: [PortMapping]
        /// `kubeadmConfigPatches`: applied after the cluster-level ones, to this node's kubeadm config.
        package var kubeadmConfigPatches: [String]

        package init(labels: [String: String] = [:], extraPortMappings: [PortMapping] = [], kubeadmConfigPatches: [String] = []) {
            self.labels = labels
            self.extraPortMappings = extraPortMappings
            self.kubeadmConfigPatches = kubeadmConfigPatches
        }

        package func merged(over base: KindNode) -> KindNode {
            KindNode(
                labels: base.labels.merging(labels) { $1 }, extraPortMappings: base.extraPortMappings + extraPortMappings,
                kubeadmConfigPatches: base.kubeadmConfigPatches + kubeadmConfigPatches)
        }
    }

    /// kind's `PortMapping`: a host port published to a port of the node container.
    package struct PortMapping: Sendable, Hashable {
        /// The node container's port.
        package var containerPort: Int
        /// The host port; 0 (or absent): kind picks a free one; -1: docker picks one.
        package var hostPort: Int
        /// The host address to listen on; nil: kind's default `0.0.0.0`.
        package var listenAddress: String?
        /// nil: kind's default `TCP`.
        package var portProtocol: PortProtocol?

        package init(containerPort: Int, hostPort: Int = 0, listenAddress: String? = nil, portProtocol: PortProtocol? = nil) {
            self.containerPort = containerPort
            self.hostPort = hostPort
            self.listenAddress = listenAddress
            self.portProtocol = portProtocol
        }
    }

    /// kind's `PortMappingProtocol` (case-sensitive upper case).
    package enum PortProtocol: String, Sendable, Hashable, CaseIterable {
        case tcp = "TCP"
        case udp = "UDP"
        case sctp = "SCTP"
    }

    /// The kind config fields of a cluster: its own merged over the all-clusters ones.
    package func kindConfig(of cluster: Cluster) -> KindConfig {
        cluster.kindConfig.merged(over: kindConfig)
    }
}

extension Topology.KindConfig {
    /// The passed-through fields as one YAML mapping in kind's v1alpha4 field names, keys in a
    /// fixed order (maps sorted): what multidc records on the cluster's ownership record and
    /// compares with the spec. Empty fields are left out; an empty config is an empty mapping.
    package var node: Node {
        var pairs: [Node.Pair] = []
        func add(_ key: String, _ value: Node?) { if let value { pairs.append(Node.Pair(key: .string(key), value: value)) } }
        add("featureGates", Self.boolMap(featureGates))
        add("kubeadmConfigPatches", Self.strings(kubeadmConfigPatches))
        add("containerdConfigPatches", Self.strings(containerdConfigPatches))
        add("controlPlane", controlPlane.node)
        add("workers", workers.node)
        return .mapping(pairs)
    }

    static func boolMap(_ map: [String: Bool]) -> Node? {
        map.isEmpty ? nil : .mapping(map.keys.sorted().map { Node.Pair(key: .string($0), value: .scalar(map[$0]! ? "true" : "false")) })
    }

    static func stringMap(_ map: [String: String]) -> Node? {
        map.isEmpty ? nil : .mapping(map.keys.sorted().map { Node.Pair(key: .string($0), value: .string(map[$0]!)) })
    }

    static func strings(_ items: [String]) -> Node? {
        items.isEmpty ? nil : .sequence(items.map { .string($0) })
    }
}

extension Topology.KindNode {
    /// The node fields in kind's names (nil when none is set).
    package var node: Node? {
        var pairs: [Node.Pair] = []
        func add(_ key: String, _ value: Node?) { if let value { pairs.append(Node.Pair(key: .string(key), value: value)) } }
        add("labels", Topology.KindConfig.stringMap(labels))
        add("extraPortMappings", extraPortMappings.isEmpty ? nil : .sequence(extraPortMappings.map(\.node)))
        add("kubeadmConfigPatches", Topology.KindConfig.strings(kubeadmConfigPatches))
        return pairs.isEmpty ? nil : .mapping(pairs)
    }
}

extension Topology.PortMapping {
    /// kind's field names; defaults left out, as the user may leave them out.
    package var node: Node {
        var pairs: [Node.Pair] = [Node.Pair(key: .string("containerPort"), value: .scalar(String(containerPort)))]
        if hostPort != 0 { pairs.append(Node.Pair(key: .string("hostPort"), value: .scalar(String(hostPort)))) }
        if let listenAddress { pairs.append(Node.Pair(key: .string("listenAddress"), value: .string(listenAddress))) }
        if let portProtocol { pairs.append(Node.Pair(key: .string("protocol"), value: .string(portProtocol.rawValue))) }
        return .mapping(pairs)
    }

    /// The address docker binds: `listenAddress`, else kind's default `0.0.0.0`.
    package var bindAddress: String { listenAddress ?? "0.0.0.0" }
}
