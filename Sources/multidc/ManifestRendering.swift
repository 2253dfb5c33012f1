import MultiDC
import YAML

/// The text `multidc render` prints: per cluster a comment header, then YAML documents.
///
/// Names and paths go into `#` comment lines escaped (`NameRules.escaped`): a line break in
/// a context or a file name can never start a document of its own.
enum ManifestRendering {
    static func render(_ loaded: LoadedTopology, clusters: [Topology.Cluster], assumptions: [String: String]) throws(Diagnostics) -> String
    {
        var out = ""
        var problems: [Diagnostic] = []
        // The pools are sliced once for all clusters.
        let allValues = TemplateValues.forClusters(clusters, topology: loaded.topology, assumptions: assumptions)
        for (cluster, values) in zip(clusters, allValues) {
            let rendered: ClusterManifests
            do {
                rendered = try ClusterManifests.render(loaded, cluster: cluster, values: values, mode: .display)
            } catch {
                problems += error.items
                continue
            }
            out += "# cluster \(comment(cluster.name)) (index \(rendered.index), context \(comment(rendered.context)))\n"
            for manifest in rendered.manifests {
                if manifest.documents.isEmpty {
                    out += "# manifest \(comment(manifest.reference.display)) (fetched at apply)\n"
                    continue
                }
                out += "# manifest \(comment(manifest.reference.display))\n"
                out += "---\n" + YAMLEmitter.emit(manifest.documents)
            }
            if let template = rendered.template {
                out += "# Vault CR from \(comment(template.display))\n"
                out += "---\n" + YAMLEmitter.emit(rendered.vault)
            }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return out
    }

    /// Text safe inside one `#` comment line.
    static func comment(_ text: String) -> String { NameRules.escaped(text) }
}
