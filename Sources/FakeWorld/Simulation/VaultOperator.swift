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

    /// The Service's LoadBalancer address (ip or hostname), nil while pending.
    static func lbAddress(_ svc: JSON?) -> String? {
        guard let first = svc?[path: "status", "loadBalancer", "ingress"]?.array?.first else { return nil }
        return first["ip"]?.string ?? first["hostname"]?.string
    }

    func converge(_ c: inout ClusterState, _ cr: JSON) {
        let name = cr.name ?? "", ns = cr.namespace ?? "default"
        let labels: JSON = ["app.kubernetes.io/name": "vault", "vault_cr": .string(name)]
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
        // TLS secret (unless the CR brings its own): Opaque with ca.crt, ca.key, server.crt, server.key,
        // its server certificate naming the Service's LoadBalancer address, so it is made only once
        // that address is known [SRC bank-vaults/vault-operator pkg/controller/vault/vault_controller.go
        // v1.24.0 populateTLSSecret, hostsAndIPsForVault].
        let existingTLS = cr[path: "spec", "existingTlsSecretName"]?.string
        let svc = c.get(.service, namespace: ns, name: name)
        let addressKnown = serviceType != "LoadBalancer" || VaultOperator.lbAddress(svc) != nil
        if existingTLS == nil, addressKnown, c.get(.secret, namespace: ns, name: "\(name)-tls") == nil {
            let seed = "\(ns)/\(name)/\(cr.uid ?? "")"
            c.create(
                [
                    "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                    "metadata": ["name": .string("\(name)-tls"), "namespace": .string(ns), "labels": labels, "ownerReferences": owner(cr)],
                    "data": [
                        "ca.crt": .string(FakePEM.base64CA(seed: seed)), "ca.key": .string(FakePEM.base64Key(seed: "ca-" + seed)),
                        "server.crt": .string(FakePEM.base64Cert(seed: seed)), "server.key": .string(FakePEM.base64Key(seed: seed)),
                    ],
                ],
                type: .secret, now: sim.now)
        }
        // The StatefulSet; its pod `<name>-0` is made by the StatefulSet controller (Workloads),
        // through ServiceAccount admission, with the claims of spec.volumeClaimTemplates.
        if c.get(.statefulSet, namespace: ns, name: name) == nil {
            c.create(statefulSet(cr, labels: labels), type: .statefulSet, now: sim.now)
        }
        let podName = "\(name)-0"
        let key = "\(ns)/\(name)"
        guard let pod = c.get(.pod, namespace: ns, name: podName) else { return }
        if c.vaults[key]?.podUID != pod.uid {
            var node = c.vaults[key] ?? VaultNode(podUID: pod.uid ?? "")
            node.podUID = pod.uid ?? ""
            node.sealed = true  // a new pod starts sealed; its Raft data lives on its claim
            node.activeSince = nil
            node.bankVaultsRestarts = 0
            node.bankVaultsLastExit = nil
            node.bankVaultsLog = []
            node.storageKey = VaultOperator.storageKey(c, pod: pod, cr: cr)
            c.vaults[key] = node
        }
    }

    /// Where the pod's Raft path lives: the claim mounted there (survives the pod), else the container.
    static func storageKey(_ c: ClusterState, pod: JSON, cr: JSON) -> String {
        let raftPath = cr[path: "spec", "config", "storage", "raft", "path"]?.string ?? "/vault/file"
        let vault = (pod[path: "spec", "containers"]?.array ?? []).first { $0["name"]?.string == "vault" }
        let mount = (vault?["volumeMounts"]?.array ?? []).first { $0["mountPath"]?.string == raftPath }
        if let volName = mount?["name"]?.string,
            let claim = (pod[path: "spec", "volumes"]?.array ?? []).first(where: { $0["name"]?.string == volName })?[
                path: "persistentVolumeClaim", "claimName"]?.string,
            let pvc = c.get(Workloads.pvcType, namespace: pod.namespace, name: claim), let uid = pvc.uid
        {
            return uid
        }
        return "pod:\(pod.uid ?? "")"
    }

    /// The operator's StatefulSet [SRC vault_controller.go v1.24.0 statefulSetForVault]: the vault
    /// container gets no VAULT_ADDR/VAULT_CACERT; only bank-vaults gets them (withTLSEnv) plus
    /// spec.envsConfig (withCommonEnv); the TLS secret is mounted at /vault/tls in both.
    func statefulSet(_ cr: JSON, labels: JSON) -> JSON {
        let name = cr.name ?? "", ns = cr.namespace ?? "default"
        let follower = !Raft.isLeaderCR(cr)
        let leader = follower ? cr[path: "spec", "raftLeaderAddress"]?.string ?? "" : name
        var unseal = ["bank-vaults", "unseal", "--init", "--raft", "--raft-leader-address", "https://\(leader):8200"]
        if follower { unseal.append("--raft-secondary") }
        let tlsMount: JSON = ["name": "vault-tls", "mountPath": "/vault/tls"]
        let vaultEnv: [JSON] = [
            ["name": "VAULT_K8S_POD_NAME", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]],
            ["name": "VAULT_API_ADDR", "value": .string("https://$(VAULT_K8S_POD_NAME).\(ns).svc:8200")],
        ]
        var bvEnv: [JSON] = [
            ["name": "POD_NAME", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]],
            ["name": "VAULT_ADDR", "value": "https://127.0.0.1:8200"], ["name": "VAULT_CACERT", "value": "/vault/tls/ca.crt"],
        ]
        bvEnv += cr[path: "spec", "envsConfig"]?.array ?? []
        bvEnv += cr[path: "spec", "sidecarEnvsConfig"]?.array ?? []
        let tlsSecret = cr[path: "spec", "existingTlsSecretName"]?.string ?? "\(name)-tls"
        let volumes: [JSON] =
            [["name": "vault-tls", "secret": ["secretName": .string(tlsSecret)]]] + (cr[path: "spec", "volumes"]?.array ?? [])
        var sts: JSON = [
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": ["name": .string(name), "namespace": .string(ns), "labels": labels, "ownerReferences": owner(cr)],
            "spec": [
                "replicas": .int(cr[path: "spec", "size"]?.int ?? 1), "serviceName": .string(name),
                "selector": ["matchLabels": labels], "podManagementPolicy": "Parallel",
                "template": [
                    "metadata": ["labels": labels],
                    "spec": [
                        "serviceAccountName": .string(cr[path: "spec", "serviceAccount"]?.string ?? "default"),
                        "automountServiceAccountToken": true,
                        "containers": [
                            [
                                // [SRC bank-vaults/vault-operator pkg/controller/vault/vault_controller.go v1.24.0]
                                // `ImagePullPolicy: corev1.PullIfNotPresent` on the vault container and its others.
                                "name": "vault", "image": .string(cr[path: "spec", "image"]?.string ?? "hashicorp/vault:latest"),
                                "imagePullPolicy": "IfNotPresent",
                                "args": ["server"], "env": .array(vaultEnv),
                                "ports": [["containerPort": 8200, "name": "api-port"], ["containerPort": 8201, "name": "cluster-port"]],
                                "volumeMounts": .array([tlsMount] + (cr[path: "spec", "volumeMounts"]?.array ?? [])),
                            ],
                            [
                                "name": "bank-vaults",
                                "image": .string(cr[path: "spec", "bankVaultsImage"]?.string ?? "ghcr.io/bank-vaults/bank-vaults:latest"),
                                "imagePullPolicy": "IfNotPresent",
                                "command": .array(unseal.map(JSON.string)), "env": .array(bvEnv),
                                "volumeMounts": .array([tlsMount] + (cr[path: "spec", "bankVaultsVolumeMounts"]?.array ?? [])),
                            ],
                        ],
                        "volumes": .array(volumes),
                    ],
                ],
            ],
        ]
        if let vct = cr[path: "spec", "volumeClaimTemplates"]?.array, !vct.isEmpty {
            sts[path: "spec", "volumeClaimTemplates"] = .array(vct)
        }
        return sts
    }
}
