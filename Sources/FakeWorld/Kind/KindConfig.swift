import Foundation
import YAML

/// kind's Cluster config (kind.x-k8s.io/v1alpha4), the part the world honours.
struct KindConfig {
    struct NodeSpec { var role: String; var image: String? }
    var name: String?
    var nodes: [NodeSpec] = [NodeSpec(role: "control-plane", image: nil)]

    static func parse(_ text: String, source: String) throws(ToolFailure) -> KindConfig {
        func fail(_ message: String) -> ToolFailure { ToolFailure(stderr: "ERROR: failed to create cluster: \(message)") }
        let node: Node?
        do { node = try YAMLParser.parse(text, file: source) } catch {
            // kind: errors.Wrap(err, "error parsing config") around the yaml decoder error (not captured in the reference).
            throw fail("error parsing config: \(error.summary)")
        }
        guard let node else { return KindConfig() }
        let doc = JSON(node: node)
        guard case .object(let o) = doc else { throw fail("error parsing config: the config is not a mapping") }
        let kind = o["kind"]?.string, apiVersion = o["apiVersion"]?.string
        // [SRC kind pkg/internal/apis/config/encoding/load.go] version/kind checks.
        if kind != "Cluster" { throw fail("unknown kind \"\(kind ?? "")\" for apiVersion: \"\(apiVersion ?? "")\"") }
        if apiVersion != "kind.x-k8s.io/v1alpha4" {
            throw fail("unknown apiVersion: \(apiVersion ?? "")")
        }
        let known: Set<String> = [
            "kind", "apiVersion", "name", "nodes", "networking", "featureGates", "runtimeConfig",
            "kubeadmConfigPatches", "kubeadmConfigPatchesJSON6902", "containerdConfigPatches",
            "containerdConfigPatchesJSON6902",
        ]
        for key in o.keys.sorted() where !known.contains(key) {
            // kind decodes strictly (yaml.UnmarshalStrict): error unmarshaling JSON: unknown field.
            throw fail("error parsing config: error unmarshaling JSON: while decoding JSON: json: unknown field \"\(key)\"")
        }
        var config = KindConfig()
        config.name = o["name"]?.string
        if let nodes = o["nodes"]?.array {
            config.nodes = []
            for n in nodes {
                let role = n["role"]?.string ?? "control-plane"
                guard ["control-plane", "worker"].contains(role) else {
                    throw fail("invalid configuration: \(role) is not a valid node role")
                }
                config.nodes.append(NodeSpec(role: role, image: n["image"]?.string))
            }
            if !config.nodes.contains(where: { $0.role == "control-plane" }) {
                throw fail("invalid config: must have at least one control-plane node")
            }
        }
        return config
    }

    /// Container names as kind's namer gives them: first of a role unnumbered, then 2, 3, ...
    func nodeNames(cluster: String) -> [(name: String, role: String, image: String?)] {
        var counts: [String: Int] = [:]
        // kind sorts control planes first (then workers), keeping order within a role.
        let ordered = nodes.filter { $0.role == "control-plane" } + nodes.filter { $0.role == "worker" }
        return ordered.map { n in
            counts[n.role, default: 0] += 1
            let c = counts[n.role]!
            return (c == 1 ? "\(cluster)-\(n.role)" : "\(cluster)-\(n.role)\(c)", n.role, n.image)
        }
    }
}
