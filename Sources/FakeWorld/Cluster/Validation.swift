import Foundation

/// The API server's own validation of what is written (strict decoding of built-in kinds and
/// object names); custom resources are accepted as they come (their schemas preserve unknown fields).
enum Validation {
    static let metadataFields: Set<String> = [
        "name", "namespace", "labels", "annotations", "generateName", "uid", "resourceVersion", "creationTimestamp",
        "generation", "ownerReferences", "finalizers", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds",
    ]
    static let topLevel: [String: Set<String>] = [
        "ConfigMap": ["data", "binaryData", "immutable"],
        "Secret": ["data", "stringData", "type", "immutable"],
        "Namespace": ["spec", "status"],
        "ServiceAccount": ["secrets", "imagePullSecrets", "automountServiceAccountToken"],
        "Role": ["rules"], "ClusterRole": ["rules", "aggregationRule"],
        "RoleBinding": ["roleRef", "subjects"], "ClusterRoleBinding": ["roleRef", "subjects"],
        "ValidatingWebhookConfiguration": ["webhooks"], "MutatingWebhookConfiguration": ["webhooks"],
        "StorageClass": [
            "provisioner", "parameters", "reclaimPolicy", "volumeBindingMode", "allowVolumeExpansion", "mountOptions", "allowedTopologies",
        ],
        "Endpoints": ["subsets"],
        "Event": [
            "involvedObject", "reason", "message", "source", "type", "count", "firstTimestamp", "lastTimestamp", "eventTime",
            "reportingComponent", "reportingInstance", "action", "related", "series",
        ],
    ]

    /// The error text for `obj` (after `error when creating "SRC": `), or nil when valid.
    static func check(_ obj: JSON, type: ResourceType) -> (reason: String, message: String)? {
        guard ResourceType.builtins.contains(type), case .object(let o) = obj else { return nil }
        let allowed = ["apiVersion", "kind", "metadata"] + (topLevel[type.kind] ?? ["spec", "status"])
        var unknown = o.keys.filter { !allowed.contains($0) }.sorted()
        unknown += (o["metadata"]?.object?.keys.filter { !metadataFields.contains($0) }.sorted().map { "metadata.\($0)" } ?? [])
        if let first = unknown.first {
            // kube-apiserver with fieldValidation=Strict (kubectl ≥ 1.27's default).
            let version = type.apiVersion
            return (
                "BadRequest",
                "\(type.kind) in version \"\(version.split(separator: "/").last ?? "")\" cannot be handled as a \(type.kind): strict decoding error: unknown field \"\(first)\""
            )
        }
        let name = obj.name ?? ""
        // RBAC objects only need a valid path segment (names such as metallb-system:controller).
        let pathSegmentOnly = type.group == "rbac.authorization.k8s.io"
        if pathSegmentOnly ? (name.isEmpty || name == "." || name == ".." || name.contains("/") || name.contains("%")) : !isSubdomain(name)
        {
            return (
                "Invalid",
                "\(type.kind) \"\(name)\" is invalid: metadata.name: Invalid value: \"\(name)\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
            )
        }
        return nil
    }

    static func isSubdomain(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let f = label.first, let l = label.last else { return false }
            let ok = label.allSatisfy { ($0.isLowercase && $0.isASCII) || ($0.isNumber && $0.isASCII) || $0 == "-" }
            return ok && f != "-" && l != "-"
        }
    }
}
