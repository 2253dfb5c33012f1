import YAML

/// `spec.kindConfig` and `clusters[i].kindConfig`: the kind v1alpha4 fields passed through,
/// checked as kind v0.32.0 decodes and validates them (docs/tools.md#kind-config), so that a
/// config kind would refuse fails `validate` with a position instead of `kind create cluster`.
///
/// kind decodes its config strictly (go.yaml.in/yaml/v3 with `KnownFields(true)`,
/// `pkg/internal/apis/config/encoding/load.go`): an unknown field is an error, and so is every
/// unknown key here. Where kind's decoder is lax and the tools after it are not, multidc is as
/// strict as the tool that would fail (docker for listen addresses and host ports, the kubelet
/// for node labels, kind's patch matching for kubeadm patches).
extension TopologyDecoder {
    static let kindConfigKeys = ["featureGates", "kubeadmConfigPatches", "containerdConfigPatches", "controlPlane", "workers"]
    static let kindNodeKeys = ["labels", "extraPortMappings", "kubeadmConfigPatches"]
    static let portMappingKeys = ["containerPort", "hostPort", "listenAddress", "protocol"]
    /// The documents kind v0.32.0 generates for kubeadm (`pkg/cluster/internal/kubeadm/config.go`):
    /// a patch applies to the documents of its `kind` only (`pkg/internal/patch/resource.go` `matches`).
    static let kubeadmKinds = [
        "ClusterConfiguration", "InitConfiguration", "JoinConfiguration", "KubeletConfiguration", "KubeProxyConfiguration",
    ]

    /// The message for a key of kind's config that multidc does not pass through (nil: not kind's).
    static func notPassedThrough(_ key: String, node: Bool) -> String? {
        let passed = "passed through are \((node ? kindNodeKeys : kindConfigKeys).joined(separator: ", "))"
        if !node, kindNodeKeys.contains(key) {
            return "'\(key)' is a node field: put it under controlPlane or workers"
        }
        switch key {
        case "nodes":
            return "multidc makes the nodes itself (one control plane and `workers` workers): set node fields under controlPlane or workers"
        case "image":
            return "the node image is spec.nodeImage or the cluster's nodeImage"
        case "role":
            return "the role is the section: controlPlane or workers"
        case "name":
            return "the kind cluster's name is the cluster's name"
        case "kind", "apiVersion":
            return "multidc writes kind: Cluster and apiVersion: kind.x-k8s.io/v1alpha4 itself"
        case "networking", "runtimeConfig", "kubeadmConfigPatchesJSON6902", "containerdConfigPatchesJSON6902", "extraMounts":
            return "kind's '\(key)' is not passed through by multidc; \(passed)"
        default:
            return nil
        }
    }

    /// Decodes one `kindConfig` mapping at `path` (`spec.kindConfig`, `spec.clusters[1].kindConfig`).
    mutating func decodeKindConfig(_ node: Node, path: String) -> Topology.KindConfig {
        var config = Topology.KindConfig()
        guard let f = reader.fields(node, path: path, allowed: Self.kindConfigKeys, unknown: { Self.notPassedThrough($0, node: false) })
        else { return config }
        if let gates = f.value("featureGates") { config.featureGates = decodeFeatureGates(gates) }
        config.kubeadmConfigPatches = decodeKubeadmPatches(f)
        config.containerdConfigPatches = decodePatchTexts(f, "containerdConfigPatches", what: "containerd config patch")
        for (key, role) in [("controlPlane", "control-plane"), ("workers", "worker")] {
            guard let n = f.value(key) else { continue }
            let nodePath = f.path(key)
            let decoded = decodeKindNode(n, path: nodePath)
            if role == "control-plane" { config.controlPlane = decoded } else { config.workers = decoded }
        }
        return config
    }

    /// `featureGates`: kind's `map[string]bool`. Booleans as go-yaml v3 decodes them into a Go
    /// `bool`: the core schema's `true`/`false` or, YAML 1.1's words (`yes`, `on`, `n`, …; go.yaml.in/yaml
    /// v3.0.4 `decode.go`, `case reflect.Bool`) — a quoted `"true"` is a string there, refused.
    private mutating func decodeFeatureGates(_ node: Node) -> [String: Bool] {
        guard let pairs = node.mapping else {
            reader.typeError("a mapping of feature gate names to true or false", node)
            return [:]
        }
        var gates: [String: Bool] = [:]
        for pair in pairs {
            guard let name = pair.key.scalar, !name.isEmpty else {
                reader.typeError("a feature gate name", pair.key)
                continue
            }
            // kind joins the gates as `Name=value,…` into each component's --feature-gates.
            if name.contains(where: { $0 == "," || $0 == "=" || $0.isWhitespace }) {
                reader.error("invalid feature gate name '\(name)': a name holds no ',', '=' or space", at: pair.key.mark)
                continue
            }
            guard let value = Self.goBool(pair.value) else {
                reader.typeError("true or false", pair.value)
                continue
            }
            gates[name] = value
        }
        return gates
    }

    /// A scalar as go-yaml v3 decodes it into a Go `bool`, or nil when it refuses it.
    static func goBool(_ node: Node) -> Bool? {
        guard node.scalar != nil else { return nil }
        switch node.resolved {
        case .bool(let b): return b
        case .string(let s):
            if ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"].contains(s) { return true }
            if ["n", "N", "no", "No", "NO", "off", "Off", "OFF"].contains(s) { return false }
            return nil
        default: return nil
        }
    }

    /// A list of non-empty patch texts (kind's `[]string`).
    private mutating func decodePatchTexts(_ f: SpecReader.Fields, _ key: String, what: String) -> [String] {
        var texts: [String] = []
        for (text, node) in reader.strings(f, key) {
            if text.allSatisfy(\.isWhitespace) {
                reader.error("a \(what) is empty", at: node.mark)
            } else {
                texts.append(text)
            }
        }
        return texts
    }

    /// `kubeadmConfigPatches`: YAML merge patches; each document must be a mapping naming the
    /// kubeadm document it patches (a patch whose `kind` matches nothing is silently unused by kind).
    private mutating func decodeKubeadmPatches(_ f: SpecReader.Fields) -> [String] {
        let texts = decodePatchTexts(f, "kubeadmConfigPatches", what: "kubeadm config patch")
        for (i, text) in texts.enumerated() {
            let mark = reader.positions["\(f.path("kubeadmConfigPatches"))[\(i)]"] ?? f.node.mark
            if let problem = Self.kubeadmPatchProblem(text) { reader.error(problem, at: mark) }
        }
        return texts
    }

    /// What is wrong with a kubeadm config patch, or nil.
    static func kubeadmPatchProblem(_ text: String) -> String? {
        let documents: [Node]
        do {
            documents = try YAMLParser.parseDocuments(text, file: "patch")
        } catch {
            return "kubeadm config patch is not valid YAML (line \(error.mark.line) of the patch): \(error.message)"
        }
        for (i, document) in documents.enumerated() {
            let which = documents.count > 1 ? " (document \(i + 1))" : ""
            guard document.mapping != nil else {
                return "kubeadm config patch\(which) must be a mapping, found \(document.kindDescription)"
            }
            guard let kind = document["kind"]?.string, !kind.isEmpty else {
                return
                    "kubeadm config patch\(which) has no 'kind': kind applies a patch only to the kubeadm document of its kind (\(kubeadmKinds.joined(separator: ", ")))"
            }
            guard kubeadmKinds.contains(kind) else {
                let hint =
                    EditDistance.suggestion(for: kind, among: kubeadmKinds).map { "did you mean '\($0)'?" }
                    ?? "kind generates \(kubeadmKinds.joined(separator: ", "))"
                return
                    "kubeadm config patch\(which) names kind '\(kind)', which matches no kubeadm document, so kind would ignore it; \(hint)"
            }
        }
        return nil
    }

    /// `controlPlane` / `workers`: kind's node fields.
    private mutating func decodeKindNode(_ node: Node, path: String) -> Topology.KindNode {
        var kindNode = Topology.KindNode()
        guard let f = reader.fields(node, path: path, allowed: Self.kindNodeKeys, unknown: { Self.notPassedThrough($0, node: true) })
        else { return kindNode }
        if let labels = f.value("labels") { kindNode.labels = decodeLabels(labels) }
        if let items = reader.sequence(f, "extraPortMappings") {
            for (i, item) in items.enumerated() {
                let itemPath = "\(f.path("extraPortMappings"))[\(i)]"
                reader.positions[itemPath] = item.mark
                if let mapping = decodePortMapping(item, path: itemPath) {
                    kindNode.extraPortMappings.append(mapping)
                    portSources[path, default: []].append((mapping, item.mark))
                }
            }
        }
        kindNode.kubeadmConfigPatches = decodeKubeadmPatches(f)
        return kindNode
    }

    /// `labels`: kind's `map[string]string` (any scalar is its text there, null an empty value),
    /// checked as the kubelet checks `--node-labels`.
    private mutating func decodeLabels(_ node: Node) -> [String: String] {
        guard let pairs = node.mapping else {
            reader.typeError("a mapping of label keys to values", node)
            return [:]
        }
        var labels: [String: String] = [:]
        for pair in pairs {
            guard let key = pair.key.scalar, !pair.key.isNull else {
                reader.typeError("a label key", pair.key)
                continue
            }
            let value: String
            if pair.value.isNull {
                value = ""
            } else if let text = pair.value.scalar {
                value = text
            } else {
                reader.typeError("a label value", pair.value)
                continue
            }
            if let problem = NameRules.labelKeyProblem(key) ?? NameRules.kubeletLabelProblem(key) {
                reader.error(problem, at: pair.key.mark)
            } else if let problem = NameRules.labelValueProblem(value, key: key) {
                reader.error(problem, at: pair.value.isNull ? pair.key.mark : pair.value.mark)
            } else {
                labels[key] = value
            }
        }
        return labels
    }

    /// One `extraPortMappings` item (kind's `PortMapping`).
    private mutating func decodePortMapping(_ node: Node, path: String) -> Topology.PortMapping? {
        guard let f = reader.fields(node, path: path, allowed: Self.portMappingKeys) else { return nil }
        // kind takes -1 … 65535 (`validatePort`, pkg/internal/apis/config/validate.go); a container
        // port must name a real port, and a host port of 0 or -1 is picked for you.
        let containerPort = reader.int(f, "containerPort", range: 1...65535, required: true)
        let hostPort = reader.int(f, "hostPort", range: -1...65535) ?? 0
        var mapping = Topology.PortMapping(containerPort: containerPort ?? 0, hostPort: hostPort)
        var ok = containerPort != nil
        if let node = f.value("listenAddress") {
            // kind only parses the address when it checks duplicates; docker refuses a bad one.
            if let text = reader.string(node) {
                if let ip = IPAddress(text) {
                    mapping.listenAddress = ip.description
                } else {
                    reader.error("invalid listenAddress '\(text)': write an IPv4 or IPv6 address like 127.0.0.1", at: node.mark)
                    ok = false
                }
            } else {
                ok = false
            }
        }
        if let node = f.value("protocol") {
            if let text = reader.string(node) {
                if let p = Topology.PortProtocol(rawValue: text) {
                    mapping.portProtocol = p
                } else {
                    // kind compares the exact text (pkg/cluster/internal/providers/docker/provision.go
                    // generatePortMappings: `unknown port mapping protocol`).
                    let names = Topology.PortProtocol.allCases.map(\.rawValue)
                    let hint =
                        EditDistance.suggestion(for: text, among: names).map { "; did you mean '\($0)'?" }
                        ?? "; use \(names.joined(separator: ", "))"
                    reader.error("unknown port mapping protocol '\(text)'\(hint)", at: node.mark)
                    ok = false
                }
            } else {
                ok = false
            }
        }
        return ok ? mapping : nil
    }

    /// Host ports published twice: kind refuses duplicates on one node
    /// (`validatePortMappings`: same port and protocol on the same address or the wildcard), and
    /// docker refuses a host port another container already binds (`Bind for 0.0.0.0:80 failed:
    /// port is already allocated`, also when one of the two addresses is the wildcard). Checked
    /// over every node of every cluster, each node getting its merged mappings.
    mutating func checkHostPorts(_ clusters: [Topology.Cluster], clusterPaths: [String]) {
        struct Bound {
            var address: String
            var node: String
            var mark: Mark
        }
        var bound: [String: [Bound]] = [:]
        var reported: Set<String> = []
        let wildcard = "0.0.0.0"
        for (cluster, path) in zip(clusters, clusterPaths) {
            var nodes: [(name: String, sources: [(Topology.PortMapping, Mark)])] = [
                (
                    "\(cluster.name)-control-plane",
                    (portSources["spec.kindConfig.controlPlane"] ?? []) + (portSources["\(path).kindConfig.controlPlane"] ?? [])
                )
            ]
            let workerSources = (portSources["spec.kindConfig.workers"] ?? []) + (portSources["\(path).kindConfig.workers"] ?? [])
            if cluster.workers > 0 {
                for k in 1...cluster.workers { nodes.append(("\(cluster.name)-worker\(k == 1 ? "" : String(k))", workerSources)) }
            }
            for (nodeName, sources) in nodes {
                for (mapping, mark) in sources where mapping.hostPort != 0 && mapping.hostPort != -1 {
                    var address = mapping.bindAddress
                    if address == "::" { address = wildcard }  // kind: 0.0.0.0 and [::] are equivalent
                    let key = "\(mapping.hostPort)/\((mapping.portProtocol ?? .tcp).rawValue)"
                    let clash = bound[key, default: []].first {
                        $0.address == address || $0.address == wildcard || address == wildcard
                    }
                    if let clash {
                        let markKey = "\(mark.line):\(mark.column)"
                        if !reported.contains(markKey) {
                            reported.insert(markKey)
                            let shown = "\(address.contains(":") ? "[\(address)]" : address):\(key)"
                            let other = clash.mark == mark ? "" : " (line \(clash.mark.line))"
                            let why =
                                clash.node == nodeName
                                ? "kind refuses a port mapping with the same listen address, port and protocol on one node"
                                : "docker binds a host port once ('port is already allocated'); use another hostPort, or 0 to let kind pick a free one"
                            reader.error(
                                "host port \(shown) of node \(nodeName) is already published by node \(clash.node)\(other): \(why)",
                                at: mark)
                        }
                    } else {
                        bound[key, default: []].append(Bound(address: address, node: nodeName, mark: mark))
                    }
                }
            }
        }
    }
}
