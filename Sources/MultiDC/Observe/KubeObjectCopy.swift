import YAML

extension KubeObject {
    /// The object as a manifest that another cluster accepts (docs/tools.md#kubectl-copy-object): server-populated
    /// metadata (`resourceVersion`, `uid`, `creationTimestamp`, `managedFields`, `generation`,
    /// `selfLink`, `ownerReferences`), the stale `last-applied-configuration` annotation and
    /// `status` removed; `namespace` replaced when given. `type`, `data` and `stringData` stay.
    package func manifestForCopy(namespace newNamespace: String? = nil) -> YAML.Node {
        var copy = node
        copy["status"] = nil
        guard var metadata = copy["metadata"] else { return copy }
        for field in ["resourceVersion", "uid", "creationTimestamp", "managedFields", "generation", "selfLink", "ownerReferences"] {
            metadata[field] = nil
        }
        if var annotations = metadata["annotations"] {
            annotations["kubectl.kubernetes.io/last-applied-configuration"] = nil
            metadata["annotations"] = (annotations.mapping?.isEmpty ?? true) ? nil : annotations
        }
        if let newNamespace { metadata["namespace"] = .string(newNamespace) }
        copy["metadata"] = metadata
        return copy
    }
}
