import MultiDC
import YAML

/// The text `multidc render` prints: per cluster a comment header, then YAML documents.
enum ManifestRendering {
    static func render(_ loaded: LoadedTopology, clusters: [Topology.Cluster], assumptions: [String: String]) throws(Diagnostics) -> String
    {
        var out = ""
        var problems: [Diagnostic] = []
        for cluster in clusters {
            let values = TemplateValues.for(topology: loaded.topology, cluster: cluster, assumptions: assumptions)
            let rendered: ClusterManifests
            do {
                rendered = try ClusterManifests.render(loaded, cluster: cluster, values: values, mode: .display)
            } catch {
                problems += error.items
                continue
            }
            out += "# cluster \(cluster.name) (index \(rendered.index), context \(rendered.context))\n"
            for manifest in rendered.manifests {
                if manifest.documents.isEmpty {
                    out += "# manifest \(manifest.reference.display) (fetched at apply)\n"
                    continue
                }
                out += "# manifest \(manifest.reference.display)\n"
                out += "---\n" + YAMLEmitter.emit(manifest.documents)
            }
            if let template = rendered.template {
                out += "# Vault CR from \(template.display)\n"
                out += "---\n" + YAMLEmitter.emit(rendered.vault)
            }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return out
    }
}
