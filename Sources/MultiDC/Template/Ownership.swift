import YAML

/// The labels that mark what multidc owns (DESIGN.md "Observe, plan, execute").
public enum Ownership {
    public static let managedByKey = "app.kubernetes.io/managed-by"
    public static let managedByValue = "multidc"
    public static let topologyKey = "multidc/topology"

    /// The labels for a topology, in a fixed order.
    public static func labels(topology: String) -> [(key: String, value: String)] {
        [(managedByKey, managedByValue), (topologyKey, topology)]
    }

    /// A Kubernetes object with the ownership labels added to `metadata.labels` and, when it
    /// has none, `metadata.namespace` set. Documents that are not objects are left alone.
    public static func labelled(_ object: Node, topology: String, namespace: String? = nil) -> Node {
        guard object.mapping != nil, object["kind"] != nil else { return object }
        var object = object
        var metadata = object["metadata"] ?? .mapping([])
        guard metadata.mapping != nil else { return object }
        var labels = metadata["labels"] ?? .mapping([])
        guard labels.mapping != nil else { return object }
        for (key, value) in Ownership.labels(topology: topology) { labels[key] = .string(value) }
        metadata["labels"] = labels
        if let namespace, metadata["namespace"] == nil { metadata["namespace"] = .string(namespace) }
        object["metadata"] = metadata
        return object
    }
}
