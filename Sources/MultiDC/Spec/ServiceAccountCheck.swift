import YAML

/// A Vault CR names the ServiceAccount its pods run as (`spec.serviceAccount`), but neither the
/// operator nor its chart creates that account (bank-vaults/vault-operator
/// `pkg/controller/vault/vault_controller.go` only sets `ServiceAccountName`), and Kubernetes'
/// ServiceAccount admission refuses a pod whose account does not exist
/// (docs/tools.md#k8s-serviceaccount-admission). The spec's `manifests` must create it.
enum ServiceAccountCheck {
    /// A warning at each template's `serviceAccount` that no manifest of the spec creates.
    static func warnings(_ loaded: LoadedTopology) -> [Diagnostic] {
        var created: Set<String> = []  // "namespace/name"; namespace "" matches any
        for file in loaded.manifests {
            for document in file.documents where document["kind"]?.string == "ServiceAccount" {
                guard let name = document[path: "metadata", "name"]?.string else { continue }
                created.insert("\(document[path: "metadata", "namespace"]?.string ?? "")/\(name)")
            }
        }
        var warnings: [Diagnostic] = []
        var seen: Set<String> = []
        for (path, template) in loaded.templates.sorted(by: { $0.key < $1.key }) {
            for document in template.documents where document["kind"]?.string == "Vault" {
                guard let node = document[path: "spec", "serviceAccount"], let account = node.string, !account.contains("${{") else {
                    continue
                }
                let namespace = document[path: "metadata", "namespace"]?.string ?? loaded.topology.vault.namespace
                guard !created.contains("\(namespace)/\(account)"), !created.contains("/\(account)") else { continue }
                guard seen.insert("\(path)|\(account)|\(namespace)").inserted else { continue }
                warnings.append(
                    template.source.diagnostic(
                        "the Vault CR runs as ServiceAccount \(namespace)/\(account), which no file in spec.manifests creates; Kubernetes refuses its pods until it exists (add the operator's RBAC manifests, e.g. examples/vault-raft/rbac.yaml, to spec.manifests)",
                        at: node.mark, severity: .warning))
            }
        }
        return warnings
    }
}
