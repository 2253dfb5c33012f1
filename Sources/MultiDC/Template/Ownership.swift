import YAML

/// The ownership marks multidc puts on everything it creates (DESIGN.md "Observe, plan,
/// execute"): two labels on every object and container, and a ConfigMap in each cluster.
/// destroy removes only what carries them; there is no local state file.
package enum Ownership {
    package static let managedByKey = "app.kubernetes.io/managed-by"
    package static let managedByValue = "multidc"
    package static let topologyKey = "multidc/topology"
    /// The ConfigMap recording ownership in each cluster.
    package static let configMapName = "multidc-ownership"
    package static let configMapNamespace = "default"

    /// The labels for a topology.
    package static func labels(topology: String) -> [String: String] {
        [managedByKey: managedByValue, topologyKey: topology]
    }

    /// The labels in a fixed order (for argv and emitted YAML).
    package static func orderedLabels(topology: String) -> [(key: String, value: String)] {
        [(managedByKey, managedByValue), (topologyKey, topology)]
    }

    /// A Kubernetes object with the ownership labels added to `metadata.labels` and, when it
    /// has none, `metadata.namespace` set. Documents that are not objects are left alone.
    package static func labelled(_ object: Node, topology: String, namespace: String? = nil) -> Node {
        guard object.mapping != nil, object["kind"] != nil else { return object }
        var object = object
        var metadata = object["metadata"] ?? .mapping([])
        guard metadata.mapping != nil else { return object }
        var labels = metadata["labels"] ?? .mapping([])
        guard labels.mapping != nil else { return object }
        for (key, value) in orderedLabels(topology: topology) { labels[key] = .string(value) }
        metadata["labels"] = labels
        if let namespace, metadata["namespace"] == nil, object["kind"]?.string != "Namespace" {
            metadata["namespace"] = .string(namespace)
        }
        object["metadata"] = metadata
        return object
    }
}
