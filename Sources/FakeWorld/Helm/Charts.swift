import Foundation

/// The charts the world knows: `vault-operator` (any repo, path or OCI ref ending in /vault-operator)
/// installs the operator Deployment and the Vault CRD; every other chart installs no objects.
enum Charts {
    /// The chart repositories the world can reach (anything else does not resolve, as
    /// kubernetes-charts.banzaicloud.com no longer does): URL → charts it serves.
    static let liveRepositories: [String: [String]] = [
        "https://metallb.github.io/metallb": ["metallb"],
        "https://helm.releases.hashicorp.com": ["vault"],
    ]

    /// The OCI charts the world can pull, with their published versions (newest last). The
    /// vault-operator chart is pushed by bank-vaults/vault-operator's release workflow
    /// (.github/workflows/artifacts.yaml, `helm package --version ${tag#v}`; tags v1.20.0…v1.24.0).
    static let ociCharts: [String: [String]] = [
        "oci://ghcr.io/bank-vaults/helm-charts/vault-operator": [
            "1.20.0", "1.21.0", "1.21.1", "1.21.2", "1.22.0", "1.22.1", "1.22.2", "1.22.3", "1.22.4", "1.22.5", "1.22.6",
            "1.23.0", "1.23.1", "1.23.2", "1.23.3", "1.23.4", "1.24.0",
        ]
    ]

    static func normalize(_ url: String) -> String {
        var u = url
        while u.hasSuffix("/") { u.removeLast() }
        return u
    }

    static func name(of ref: String) -> String {
        var r = ref
        while r.hasSuffix("/") { r.removeLast() }
        let last = r.split(separator: "/").last.map(String.init) ?? r
        return last.split(separator: ":").first.map(String.init) ?? last
    }

    static func defaultVersion(_ chart: String) -> (version: String, app: String) {
        chart == "vault-operator" ? ("1.24.0", "v1.24.0") : ("0.1.0", "1.0.0")
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
                                    // [SRC bank-vaults/vault-operator deploy/charts/vault-operator/templates/deployment.yaml
                                    // v1.24.0: `imagePullPolicy: {{ .Values.image.pullPolicy }}`; values.yaml: IfNotPresent]
                                    "imagePullPolicy": .string(values[path: "image", "pullPolicy"]?.scalarText ?? "IfNotPresent"),
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
