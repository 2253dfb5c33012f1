import Foundation

/// The Bank-Vaults operator: each Vault CR (vault.banzaicloud.com/v1alpha1) becomes pod `<name>-0`,
/// Service `<name>` (spec.serviceType, loadBalancerIP) and secret `<name>-tls`, once the operator's
/// own pod is Ready.
struct VaultOperator {
    let sim: Simulation
    static let group = "vault.banzaicloud.com"
    static let crdName = "vaults.vault.banzaicloud.com"

    static func operatorReady(_ c: ClusterState) -> Bool {
        c.list(.pod, namespace: nil).contains { $0.labels["app.kubernetes.io/name"] == "vault-operator" && $0.conditionTrue("Ready") }
    }

    func reconcile(_ c: inout ClusterState) {
        guard let type = c.types.first(where: { $0.group == VaultOperator.group && $0.kind == "Vault" }) else { return }
        guard VaultOperator.operatorReady(c) else { return }
        let crs = c.list(type, namespace: nil)
        for cr in crs {
            converge(&c, cr)
            // The operator's status: the Vault nodes and, once active, the leader.
            var updated = cr
            let node = c.vaults["\(cr.namespace ?? "")/\(cr.name ?? "")"]
            var status: JSON = ["nodes": [.string("\(cr.name ?? "")-0")]]
            if let node, !node.sealed, node.activeSince != nil { status["leader"] = .string("\(cr.name ?? "")-0") }
            updated["status"] = status
            c.store(updated, type: type)
        }
        // Forget Vault servers whose CR is gone (their pods are garbage-collected through ownerReferences).
        for key in c.vaults.keys where !crs.contains(where: { "\($0.namespace ?? "")/\($0.name ?? "")" == key }) {
            c.vaults[key] = nil
        }
    }

    func owner(_ cr: JSON) -> JSON {
        [
            [
                "apiVersion": "vault.banzaicloud.com/v1alpha1", "kind": "Vault", "name": .string(cr.name ?? ""),
                "uid": .string(cr.uid ?? ""),
                "controller": true, "blockOwnerDeletion": true,
            ]
        ]
    }

    func converge(_ c: inout ClusterState, _ cr: JSON) {
        let name = cr.name ?? "", ns = cr.namespace ?? "default"
        let labels: JSON = ["app.kubernetes.io/name": "vault", "vault_cr": .string(name)]
        // TLS secret (unless the CR brings its own).
        let existingTLS = cr[path: "spec", "existingTlsSecretName"]?.string
        if existingTLS == nil, c.get(.secret, namespace: ns, name: "\(name)-tls") == nil {
            c.create(
                [
                    "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                    "metadata": ["name": .string("\(name)-tls"), "namespace": .string(ns), "labels": labels, "ownerReferences": owner(cr)],
                    "data": [
                        "ca.crt": .string(FakePEM.base64CA(seed: "\(ns)/\(name)/\(cr.uid ?? "")")),
                        "tls.crt": .string(FakePEM.base64Cert(seed: "\(ns)/\(name)/\(cr.uid ?? "")")),
                        "tls.key": .string(FakePEM.base64Key(seed: "\(ns)/\(name)/\(cr.uid ?? "")")),
                    ],
                ],
                type: .secret, now: sim.now)
        }
        // Service.
        let serviceType = cr[path: "spec", "serviceType"]?.string ?? "ClusterIP"
        let lbIP = cr[path: "spec", "serviceSpec", "loadBalancerIP"]?.string ?? cr[path: "spec", "loadBalancerIP"]?.string
        var spec: JSON = [
            "type": .string(serviceType), "selector": labels,
            "ports": [
                ["name": "api-port", "port": 8200, "protocol": "TCP", "targetPort": 8200],
                ["name": "cluster-port", "port": 8201, "protocol": "TCP", "targetPort": 8201],
            ],
        ]
        if let lbIP { spec["loadBalancerIP"] = .string(lbIP) }
        if var svc = c.get(.service, namespace: ns, name: name) {
            var changed = false
            if svc[path: "spec", "type"]?.string != serviceType {
                svc[path: "spec", "type"] = .string(serviceType); svc["status"] = ["loadBalancer": .object([:])]; changed = true
            }
            if svc[path: "spec", "loadBalancerIP"]?.string != lbIP {
                svc[path: "spec", "loadBalancerIP"] = lbIP.map(JSON.string); svc["status"] = ["loadBalancer": .object([:])]; changed = true
            }
            if changed { c.store(svc, type: .service) }
        } else {
            c.create(
                [
                    "apiVersion": "v1", "kind": "Service",
                    "metadata": ["name": .string(name), "namespace": .string(ns), "labels": labels, "ownerReferences": owner(cr)],
                    "spec": spec,
                ], type: .service, now: sim.now)
        }
        // The Vault pod (the operator's StatefulSet is folded into it).
        let podName = "\(name)-0"
        let image = cr[path: "spec", "image"]?.string ?? "vault:1.6.2"
        let pod =
            c.get(.pod, namespace: ns, name: podName)
            ?? c.create(
                [
                    "apiVersion": "v1", "kind": "Pod",
                    "metadata": [
                        "name": .string(podName), "namespace": .string(ns),
                        "labels": [
                            "app.kubernetes.io/name": "vault", "vault_cr": .string(name),
                            "statefulset.kubernetes.io/pod-name": .string(podName),
                        ],
                        "ownerReferences": owner(cr),
                    ],
                    "spec": [
                        "containers": [
                            [
                                "name": "vault", "image": .string(image),
                                "ports": [["containerPort": 8200, "name": "api-port"], ["containerPort": 8201, "name": "cluster-port"]],
                            ],
                            [
                                "name": "bank-vaults",
                                "image": .string(cr[path: "spec", "bankVaultsImage"]?.string ?? "ghcr.io/bank-vaults/bank-vaults:latest"),
                            ],
                        ], "nodeName": .string(c.nodes.last ?? ""), "volumes": cr[path: "spec", "volumes"] ?? .array([]),
                    ],
                ], type: .pod, now: sim.now)
        let key = "\(ns)/\(name)"
        if c.vaults[key]?.podUID != pod.uid {
            var node = c.vaults[key] ?? VaultNode(podUID: pod.uid ?? "", nodeID: podName)
            node.podUID = pod.uid ?? ""
            node.sealed = true  // a new pod starts sealed; Raft data (initialized) survives, like its PVC
            node.activeSince = nil
            c.vaults[key] = node
        }
    }
}
