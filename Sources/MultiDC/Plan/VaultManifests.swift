import YAML

/// The manifests of a cluster's Vault template, rendered and marked as owned: ownership labels
/// added to every object, the Vault namespace filled in where the template leaves it out.
public enum VaultManifests {
    /// Extra label on the KMS container: the SHA-256 of its root token, so a plan can tell
    /// whether a live Vault CR carries the right token without reading the token.
    public static let tokenFingerprintLabel = "multidc/kms-token-sha256"

    public static func render(
        _ loaded: LoadedTopology, cluster: Topology.Cluster, values: TemplateValues, mode: Template.Mode
    ) throws(Diagnostics) -> [Node] {
        guard let template = loaded.template(for: cluster) else { return [] }
        let documents = try template.render(values, mode: mode)
        return documents.filter { $0.mapping != nil }.map { owned($0, topology: loaded.topology) }
    }

    /// The object with the ownership labels and, when it has none, the Vault namespace.
    public static func owned(_ object: Node, topology: Topology) -> Node {
        var object = object
        var metadata = object["metadata"] ?? .mapping([])
        if metadata["namespace"] == nil, object["kind"]?.string != "Namespace" {
            metadata["namespace"] = .string(topology.vault.namespace)
        }
        var labels = metadata["labels"] ?? .mapping([])
        for (key, value) in Ownership.labels(topology: topology.name).sorted(by: { $0.key < $1.key }) {
            labels[key] = .string(value)
        }
        metadata["labels"] = labels
        object["metadata"] = metadata
        return object
    }

    /// Name of an object (`metadata.name`).
    public static func name(_ object: Node) -> String? { object[path: "metadata", "name"]?.string }

    /// The Vault CRs among rendered documents.
    public static func vaults(_ documents: [Node]) -> [Node] {
        documents.filter { $0["kind"]?.string == "Vault" }
    }
}
