import Foundation
import YAML

/// kind's Cluster config (kind.x-k8s.io/v1alpha4), decoded, defaulted and validated as kind
/// v0.32.0 does it; what the world honours of it: the nodes (role, image), their labels (on the
/// Node objects) and their extraPortMappings (published by the real docker engine). Feature gates,
/// runtime config and the kubeadm/containerd patches are kept as given (no kubeadm runs here).
struct KindConfig {
    struct PortMapping: Equatable {
        var containerPort: Int
        var hostPort: Int
        var listenAddress: String
        var portProtocol: String
    }
    struct NodeSpec {
        var role: String
        var image: String?
        var labels: [String: String] = [:]
        var extraPortMappings: [PortMapping] = []
    }
    var name: String?
    var nodes: [NodeSpec] = [NodeSpec(role: "control-plane", image: nil)]
    var ipFamily = "ipv4"
    var kubeProxyMode = "iptables"
    var apiServerPort = 0
    /// The cluster-level fields given (featureGates, runtimeConfig, patches), as decoded: kept in
    /// the cluster's state (`fakeworld state`) for tests to read what kind was handed.
    var passthrough: [String: JSON] = [:]

    static func parse(_ text: String, source: String) throws(ToolFailure) -> KindConfig {
        func fail(_ message: String) -> ToolFailure { ToolFailure(stderr: "ERROR: failed to create cluster: \(message)") }
        let node: Node?
        do {
            // go-yaml decodes the first document of the stream [SRC go-yaml v3.0.4 yaml.go `Unmarshal`, `Decoder.Decode`].
            node = try YAMLParser.parseDocuments(text, file: source).first
        } catch {
            // [SRC kind load.go v0.32.0] the first pass fails: errors.Wrap(err, "could not determine kind / apiVersion for config")
            // around go-yaml's `yaml: line N: <problem>` (the problem text is libyaml's, as here).
            throw fail("could not determine kind / apiVersion for config: yaml: line \(error.mark.line): \(error.message)")
        }
        // [SRC kind pkg/internal/apis/config/encoding/load.go v0.32.0 Parse] kind and apiVersion first
        // (a lax decode), then the version's strict decode.
        var meta = GoYAML(knownFields: false)
        let typeMeta = node.flatMap { meta.decode($0, as: .typeMeta) }
        if let problem = meta.typeError { throw fail("could not determine kind / apiVersion for config: \(problem)") }
        let apiVersion = typeMeta?["apiVersion"]?.string ?? ""
        let kind = typeMeta?["kind"]?.string ?? ""
        guard apiVersion == "kind.x-k8s.io/v1alpha4" else { throw fail("unknown apiVersion: \(apiVersion)") }
        guard kind == "Cluster" else { throw fail("unknown kind \(kind) for apiVersion: \(apiVersion)") }
        guard let node else { throw fail("unable to decode config: EOF") }
        var strict = GoYAML(knownFields: true)
        let decoded = strict.decode(node, as: .cluster) ?? .object([:])
        if let problem = strict.typeError { throw fail("unable to decode config: \(problem)") }
        return KindConfig(decoded)
    }

    init() {}

    /// The decoded v1alpha4 config with kind's defaults [SRC kind pkg/apis/config/v1alpha4/default.go
    /// v0.32.0 SetDefaultsCluster, SetDefaultsNode; pkg/cluster/internal/providers/docker/provision.go
    /// generatePortMappings: listenAddress 0.0.0.0 (:: for ipv6), protocol TCP].
    init(_ decoded: JSON) {
        name = decoded["name"]?.string
        ipFamily = decoded[path: "networking", "ipFamily"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? "ipv4"
        kubeProxyMode = decoded[path: "networking", "kubeProxyMode"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? "iptables"
        apiServerPort = decoded[path: "networking", "apiServerPort"]?.int ?? 0
        for key in ["featureGates", "runtimeConfig", "kubeadmConfigPatches", "containerdConfigPatches"] {
            if let value = decoded[key], value != .null { passthrough[key] = value }
        }
        let items = decoded["nodes"]?.array ?? []
        guard !items.isEmpty else { return }
        nodes = items.map { n in
            var spec = NodeSpec(role: n["role"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? "control-plane", image: n["image"]?.string)
            if spec.image?.isEmpty == true { spec.image = nil }
            spec.labels = (n["labels"]?.object ?? [:]).compactMapValues(\.string)
            spec.extraPortMappings = (n["extraPortMappings"]?.array ?? []).map { m in
                PortMapping(
                    containerPort: m["containerPort"]?.int ?? 0, hostPort: m["hostPort"]?.int ?? 0,
                    listenAddress: m["listenAddress"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? "",
                    portProtocol: m["protocol"]?.string ?? "")
            }
            return spec
        }
    }

    /// kind's `Cluster.Validate`, run after the name-taken check: every problem, aggregated as kind
    /// prints them (one: itself; several: `[a, b]`) [SRC kind pkg/internal/apis/config/validate.go,
    /// pkg/errors/aggregate_forked.go v0.32.0].
    func validationError(name: String) -> String? {
        var errs: [String] = []
        if name.isEmpty || !name.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 45 }) {
            errs.append("'\(name)' is not a valid cluster name, cluster names must match `^[a-z0-9.-]+$`")
        }
        if apiServerPort != 0, let problem = Self.portProblem(apiServerPort) { errs.append("invalid apiServerPort: \(problem)") }
        if !["ipv4", "ipv6", "dual"].contains(ipFamily) { errs.append("invalid ipFamily: \(ipFamily)") }
        if !["iptables", "ipvs", "none", "nftables"].contains(kubeProxyMode) { errs.append("invalid kubeProxyMode: \(kubeProxyMode)") }
        for (i, node) in nodes.enumerated() {
            var nodeErrs: [String] = []
            if !["control-plane", "worker"].contains(node.role) { nodeErrs.append("\"\(node.role)\" is not a valid node role") }
            for mapping in node.extraPortMappings {
                if let problem = Self.portProblem(mapping.hostPort) { nodeErrs.append("invalid hostPort: \(problem)") }
                if let problem = Self.portProblem(mapping.containerPort) { nodeErrs.append("invalid containerPort: \(problem)") }
            }
            if let problem = Self.portMappingsProblem(node.extraPortMappings) { nodeErrs.append("invalid portMapping: \(problem)") }
            if !nodeErrs.isEmpty { errs.append("invalid configuration for node \(i): \(Self.aggregate(nodeErrs))") }
        }
        if !nodes.contains(where: { $0.role == "control-plane" }) { errs.append("must have at least one control-plane node") }
        return errs.isEmpty ? nil : Self.aggregate(errs)
    }

    static func aggregate(_ errs: [String]) -> String {
        var seen: [String] = []
        for e in errs where !seen.contains(e) { seen.append(e) }
        return seen.count == 1 ? seen[0] : "[" + seen.joined(separator: ", ") + "]"
    }

    /// [SRC validate.go `validatePort`]: -1 (the backend picks) … 65535.
    static func portProblem(_ port: Int) -> String? {
        port < -1 || port > 65535 ? "invalid port number: \(port)" : nil
    }

    /// [SRC validate.go `validatePortMappings`]: a host port bound twice on one node (same port and
    /// protocol as written, same address or the wildcard; 0 and -1 are random and never clash).
    static func portMappingsProblem(_ mappings: [PortMapping]) -> String? {
        var bound: [String: Set<String>] = [:]
        for m in mappings where m.hostPort != 0 && m.hostPort != -1 {
            var address = m.listenAddress.isEmpty ? "0.0.0.0" : m.listenAddress
            guard let canonical = canonicalIP(address) else { return "invalid listen address: \(m.listenAddress)" }
            address = canonical
            let key = "\(m.hostPort)/\(m.portProtocol)"
            let error = "port mapping with same listen address, port and protocol already configured: \(address):\(key)"
            if address == "::" { address = "0.0.0.0" }
            if let set = bound[key] {
                if address == "0.0.0.0", !set.isEmpty { return error }
                if set.contains(address) || set.contains("0.0.0.0") { return error }
            }
            bound[key, default: []].insert(address)
        }
        return nil
    }

    /// Go's `net.ParseIP(s).String()` for the addresses kind compares (IPv4 dotted, IPv6 as written
    /// when already canonical; `::` and `0.0.0.0` are what matter here).
    static func canonicalIP(_ text: String) -> String? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return text.split(separator: ".").map { String(Int($0) ?? 0) }.joined(separator: ".") }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Container names as kind's namer gives them: first of a role unnumbered, then 2, 3, ...
    /// (control planes first, then workers, keeping the order within a role).
    func namedNodes(cluster: String) -> [(name: String, spec: NodeSpec)] {
        var counts: [String: Int] = [:]
        let ordered = nodes.filter { $0.role == "control-plane" } + nodes.filter { $0.role == "worker" }
        return ordered.map { n in
            counts[n.role, default: 0] += 1
            let c = counts[n.role]!
            return (c == 1 ? "\(cluster)-\(n.role)" : "\(cluster)-\(n.role)\(c)", n)
        }
    }

    /// The `--publish` arguments of a node's extraPortMappings, or kind's error for a protocol
    /// it does not know [SRC kind pkg/cluster/internal/providers/docker/provision.go v0.32.0
    /// generatePortMappings, pkg/cluster/internal/providers/common/getport.go PortOrGetFreePort]:
    /// hostPort 0 is a free port kind finds on the listen address, -1 is 0 (docker picks).
    func publishArguments(_ node: NodeSpec) -> Result<[String], ToolFailure> {
        var args: [String] = []
        for m in node.extraPortMappings {
            let address = m.listenAddress.isEmpty ? (ipFamily == "ipv6" ? "::" : "0.0.0.0") : m.listenAddress
            let proto = m.portProtocol.isEmpty ? "TCP" : m.portProtocol
            guard ["TCP", "UDP", "SCTP"].contains(proto) else {
                return .failure(ToolFailure(stderr: "unknown port mapping protocol: \(proto)"))
            }
            var hostPort = m.hostPort
            if hostPort == -1 {
                hostPort = 0
            } else if hostPort == 0 {
                guard let free = freePort(on: address) else {
                    return .failure(ToolFailure(stderr: "failed to get random host port for port mapping: listen tcp \(address): failed"))
                }
                hostPort = free
            }
            let host = address.contains(":") ? "[\(address)]" : address
            args.append("--publish=\(host):\(hostPort):\(m.containerPort)/\(proto)")
        }
        return .success(args)
    }
}
