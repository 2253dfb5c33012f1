import Foundation

/// A kind the API server serves: how kubectl names it on the command line and in its output.
struct ResourceType: Sendable, Equatable {
    var kind: String
    var plural: String
    var singular: String
    var shortNames: [String]
    var group: String
    var versions: [String]
    var namespaced: Bool

    /// `deployment.apps`, `service`: the prefix kubectl prints before `/name`.
    var qualifiedKind: String { group.isEmpty ? kind.lowercased() : "\(kind.lowercased()).\(group)" }
    /// `deployments.apps`, `pods`: the resource name in wait/timeout texts and NotFound messages.
    var qualifiedPlural: String { group.isEmpty ? plural : "\(plural).\(group)" }
    var apiVersion: String { group.isEmpty ? versions[0] : "\(group)/\(versions[0])" }

    func matches(_ word: String) -> Bool {
        let w = word.lowercased()
        let parts = w.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.count == 2 {
            // TYPE.GROUP (e.g. crd full names, deployments.apps, ipaddresspools.metallb.io)
            let name = parts[0], grp = parts[1]
            let groupMatches = grp == group || (grp.hasSuffix("." + group) && !group.isEmpty) || (group.isEmpty && grp == versions[0])
            return groupMatches && ([plural, singular, kind.lowercased()].contains(name) || shortNames.contains(name))
        }
        return w == plural || w == singular || w == kind.lowercased() || shortNames.contains(w)
    }

    static func builtin(
        _ kind: String, _ plural: String, group: String = "", version: String = "v1", namespaced: Bool = true, short: [String] = []
    ) -> ResourceType {
        ResourceType(
            kind: kind, plural: plural, singular: kind.lowercased(), shortNames: short, group: group, versions: [version],
            namespaced: namespaced)
    }

    /// The kinds every cluster serves (a subset of a v1.19+ API server).
    static let builtins: [ResourceType] = [
        .builtin("Pod", "pods", short: ["po"]),
        .builtin("Service", "services", short: ["svc"]),
        .builtin("ConfigMap", "configmaps", short: ["cm"]),
        .builtin("Secret", "secrets"),
        .builtin("Namespace", "namespaces", namespaced: false, short: ["ns"]),
        .builtin("Node", "nodes", namespaced: false, short: ["no"]),
        .builtin("ServiceAccount", "serviceaccounts", short: ["sa"]),
        .builtin("PersistentVolumeClaim", "persistentvolumeclaims", short: ["pvc"]),
        .builtin("Endpoints", "endpoints", short: ["ep"]),
        .builtin("Event", "events", short: ["ev"]),
        .builtin("Deployment", "deployments", group: "apps", short: ["deploy"]),
        .builtin("DaemonSet", "daemonsets", group: "apps", short: ["ds"]),
        .builtin("StatefulSet", "statefulsets", group: "apps", short: ["sts"]),
        .builtin("ReplicaSet", "replicasets", group: "apps", short: ["rs"]),
        .builtin("Job", "jobs", group: "batch"),
        .builtin("Role", "roles", group: "rbac.authorization.k8s.io"),
        .builtin("RoleBinding", "rolebindings", group: "rbac.authorization.k8s.io"),
        .builtin("ClusterRole", "clusterroles", group: "rbac.authorization.k8s.io", namespaced: false),
        .builtin("ClusterRoleBinding", "clusterrolebindings", group: "rbac.authorization.k8s.io", namespaced: false),
        .builtin(
            "CustomResourceDefinition", "customresourcedefinitions", group: "apiextensions.k8s.io", namespaced: false,
            short: ["crd", "crds"]),
        .builtin(
            "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", group: "admissionregistration.k8s.io", namespaced: false),
        .builtin("MutatingWebhookConfiguration", "mutatingwebhookconfigurations", group: "admissionregistration.k8s.io", namespaced: false),
        .builtin("PodSecurityPolicy", "podsecuritypolicies", group: "policy", version: "v1beta1", namespaced: false, short: ["psp"]),
        .builtin("PodDisruptionBudget", "poddisruptionbudgets", group: "policy", short: ["pdb"]),
        .builtin("StorageClass", "storageclasses", group: "storage.k8s.io", namespaced: false, short: ["sc"]),
        .builtin("Ingress", "ingresses", group: "networking.k8s.io", short: ["ing"]),
        .builtin("NetworkPolicy", "networkpolicies", group: "networking.k8s.io", short: ["netpol"]),
    ]

    /// A type served because an Established CRD defines it.
    static func from(crd: JSON) -> ResourceType? {
        guard let group = crd[path: "spec", "group"]?.string,
            let kind = crd[path: "spec", "names", "kind"]?.string,
            let plural = crd[path: "spec", "names", "plural"]?.string
        else { return nil }
        let singular = crd[path: "spec", "names", "singular"]?.string ?? kind.lowercased()
        let short = crd[path: "spec", "names", "shortNames"]?.array?.compactMap(\.string) ?? []
        var versions = crd[path: "spec", "versions"]?.array?.compactMap { $0["name"]?.string } ?? []
        if versions.isEmpty, let v = crd[path: "spec", "version"]?.string { versions = [v] }
        if versions.isEmpty { versions = ["v1"] }
        let namespaced = (crd[path: "spec", "scope"]?.string ?? "Namespaced") == "Namespaced"
        return ResourceType(
            kind: kind, plural: plural, singular: singular, shortNames: short, group: group, versions: versions, namespaced: namespaced)
    }
}
