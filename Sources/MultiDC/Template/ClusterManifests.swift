import YAML

/// What one cluster gets: the spec's manifests, then its rendered Vault CR.
package struct ClusterManifests: Sendable {
    /// One manifest file named by `spec.manifests`.
    package struct Manifest: Sendable {
        package var reference: FileReference
        /// Its documents; empty for URLs (fetched by the tool at apply time).
        package var documents: [Node]
    }

    package var cluster: Topology.Cluster
    package var index: Int
    package var context: String
    package var values: TemplateValues
    package var manifests: [Manifest]
    /// The template the Vault CR came from.
    package var template: FileReference?
    /// The rendered Vault CR documents, with the ownership labels.
    package var vault: [Node]

    /// Renders a cluster's manifests from a loaded topology and its values.
    package static func render(
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
