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
        try ClusterManifests.render(loaded, cluster: cluster, values: values, mode: mode).vault.filter { $0.mapping != nil }
    }

    /// The object with the ownership labels and, when it has none, the Vault namespace.
    public static func owned(_ object: Node, topology: Topology) -> Node {
        Ownership.labelled(object, topology: topology.name, namespace: topology.vault.namespace)
    }

    /// Name of an object (`metadata.name`).
    public static func name(_ object: Node) -> String? { object[path: "metadata", "name"]?.string }

    /// The names of a cluster's Vault CRs (they do not depend on values known only after apply).
    public static func names(_ loaded: LoadedTopology, cluster: Topology.Cluster) -> [String] {
        let values = TemplateValues.for(topology: loaded.topology, cluster: cluster)
        let documents = (try? render(loaded, cluster: cluster, values: values, mode: .display)) ?? []
        return vaults(documents).compactMap(name)
    }

    /// The Vault CRs among rendered documents.
    public static func vaults(_ documents: [Node]) -> [Node] {
        documents.filter { $0["kind"]?.string == "Vault" }
    }
}
