import Foundation

/// The charts the world knows: `vault-operator` (any repo, path or OCI ref ending in /vault-operator)
/// installs the operator Deployment and the Vault CRD; every other chart installs no objects.
enum Charts {
    static func name(of ref: String) -> String {
        var r = ref
        while r.hasSuffix("/") { r.removeLast() }
        let last = r.split(separator: "/").last.map(String.init) ?? r
        return last.split(separator: ":").first.map(String.init) ?? last
    }

    static func defaultVersion(_ chart: String) -> (version: String, app: String) {
        chart == "vault-operator" ? ("1.22.0", "v1.22.0") : ("0.1.0", "1.0.0")
    }

    static func objects(chart: String, release: String, namespace: String, values: JSON, version: String, app: String) -> [JSON] {
        guard chart == "vault-operator" else { return [] }
        let labels: JSON = [
            "app.kubernetes.io/name": "vault-operator", "app.kubernetes.io/instance": .string(release),
            "app.kubernetes.io/managed-by": "Helm", "helm.sh/chart": .string("vault-operator-\(version)"),
        ]
        let annotations: JSON = ["meta.helm.sh/release-name": .string(release), "meta.helm.sh/release-namespace": .string(namespace)]
        let repo = values[path: "image", "repository"]?.string ?? "ghcr.io/bank-vaults/vault-operator"
        let tag = values[path: "image", "tag"]?.scalarText ?? app
        let selector: JSON = ["app.kubernetes.io/name": "vault-operator", "app.kubernetes.io/instance": .string(release)]
        return [
            [
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": ["name": .string(VaultOperator.crdName)],
                "spec": [
                    "group": "vault.banzaicloud.com", "scope": "Namespaced",
                    "names": ["kind": "Vault", "listKind": "VaultList", "plural": "vaults", "singular": "vault"],
                    "versions": [
                        [
                            "name": "v1alpha1", "served": true, "storage": true, "subresources": ["status": .object([:])],
                            "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
                        ]
                    ],
                ],
            ],
            [
                "apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": ["name": .string(release), "namespace": .string(namespace), "labels": labels, "annotations": annotations],
            ],
            [
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": ["name": .string(release), "namespace": .string(namespace), "labels": labels, "annotations": annotations],
                "spec": [
                    "replicas": .int(values["replicaCount"]?.int ?? 1), "selector": ["matchLabels": selector],
                    "template": [
                        "metadata": ["labels": selector],
                        "spec": [
                            "serviceAccountName": .string(release),
                            "containers": [
                                [
                                    "name": "vault-operator", "image": .string("\(repo):\(tag)"),
                                    "ports": [["containerPort": 8080, "name": "metrics"]],
                                ]
                            ],
                        ],
                    ],
                ],
            ],
        ]
    }
}
