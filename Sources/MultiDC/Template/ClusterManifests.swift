import YAML

/// What one cluster gets: the spec's manifests, then its rendered Vault CR.
public struct ClusterManifests: Sendable {
    /// One manifest file named by `spec.manifests`.
    public struct Manifest: Sendable {
        public var reference: FileReference
        /// Its documents; empty for URLs (fetched by the tool at apply time).
        public var documents: [Node]
    }

    public var cluster: Topology.Cluster
    public var index: Int
    public var context: String
    public var values: TemplateValues
    public var manifests: [Manifest]
    /// The template the Vault CR came from.
    public var template: FileReference?
    /// The rendered Vault CR documents, with the ownership labels.
    public var vault: [Node]

    /// Renders a cluster's manifests from a loaded topology and its values.
    public static func render(
        _ loaded: LoadedTopology, cluster: Topology.Cluster, values: TemplateValues, mode: Template.Mode
    ) throws(Diagnostics) -> ClusterManifests {
        let topology = loaded.topology
        var problems: [Diagnostic] = []
        let manifests = loaded.manifests.map { Manifest(reference: $0.reference, documents: $0.documents) }
        var vault: [Node] = []
        if let template = loaded.template(for: cluster) {
            do {
                vault = try template.render(values, mode: mode).map {
                    Ownership.labelled($0, topology: topology.name, namespace: topology.vault.namespace)
                }
            } catch {
                problems += error.items
            }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return ClusterManifests(
            cluster: cluster, index: topology.index(of: cluster.name) ?? 0, context: topology.context(of: cluster),
            values: values, manifests: manifests, template: topology.template(of: cluster), vault: vault)
    }
}
