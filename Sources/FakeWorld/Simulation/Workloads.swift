import Foundation

/// Deployments, DaemonSets and StatefulSets make pods; pods turn Ready after their latency.
struct Workloads {
    let sim: Simulation

    func reconcile(_ c: inout ClusterState) {
        for d in c.list(.deployment, namespace: nil) {
            let replicas = d[path: "spec", "replicas"]?.int ?? 1
            let hash = String(SHA1.digest(Array((d.uid ?? "").utf8)).prefix(5).map { String(format: "%02x", $0) }.joined().prefix(10))
            ensurePods(&c, owner: d, names: (0..<replicas).map { i in "\(d.name ?? "")-\(hash)-\(suffix(d, i))" })
        }
        for ds in c.list(.daemonSet, namespace: nil) {
            ensurePods(&c, owner: ds, names: c.nodes.indices.map { i in "\(ds.name ?? "")-\(suffix(ds, i))" }, nodes: c.nodes)
        }
        for sts in c.list(.statefulSet, namespace: nil) {
            let replicas = sts[path: "spec", "replicas"]?.int ?? 1
            ensurePods(&c, owner: sts, names: (0..<replicas).map { "\(sts.name ?? "")-\($0)" })
        }
        Kubelet(sim: sim).reconcile(&c)
        for pod in c.list(.pod, namespace: nil) { updatePod(&c, pod) }
        for d in c.list(.deployment, namespace: nil) { updateOwnerStatus(&c, d, type: .deployment) }
        for ds in c.list(.daemonSet, namespace: nil) { updateOwnerStatus(&c, ds, type: .daemonSet) }
        for sts in c.list(.statefulSet, namespace: nil) { updateOwnerStatus(&c, sts, type: .statefulSet) }
    }

    func suffix(_ owner: JSON, _ i: Int) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        let d = SHA1.digest(Array("\(owner.uid ?? "")/\(i)".utf8))
        return String(d.prefix(5).map { alphabet[Int($0) % alphabet.count] })
    }

    func pods(of owner: JSON, in c: ClusterState) -> [JSON] {
        c.list(.pod, namespace: owner.namespace).filter { p in
            (p[path: "metadata", "ownerReferences"]?.array ?? []).contains { $0["uid"]?.string == owner.uid }
        }
    }

    static let pvcType = ResourceType.builtins.first { $0.kind == "PersistentVolumeClaim" }!
    static let eventType = ResourceType.builtins.first { $0.kind == "Event" }!
    static let serviceAccountType = ResourceType.builtins.first { $0.kind == "ServiceAccount" }!

    /// The ServiceAccount admission plugin: a pod naming an account that does not exist is refused
    /// [SRC kubernetes plugin/pkg/admission/serviceaccount/admission.go v1.33.0:
    /// `error looking up service account %s/%s: %w`]. The "default" account exists in every
    /// namespace (the serviceaccount controller creates it with the namespace).
    static func serviceAccountRefusal(_ c: ClusterState, namespace ns: String, pod: String, account: String?) -> String? {
        let sa = (account?.isEmpty ?? true) ? "default" : account!
        if sa == "default" || c.get(serviceAccountType, namespace: ns, name: sa) != nil { return nil }
        return "pods \"\(pod)\" is forbidden: error looking up service account \(ns)/\(sa): serviceaccount \"\(sa)\" not found"
    }

    /// A Warning event on `owner` (deduplicated: a repeat bumps count and lastTimestamp).
    func event(_ c: inout ClusterState, owner: JSON, reason: String, message: String, component: String? = nil) {
        let digest = SHA1.digest(Array("\(owner.uid ?? "")/\(reason)/\(message)".utf8)).prefix(8).map { String(format: "%02x", $0) }
            .joined()
        let name = "\(owner.name ?? "").\(digest)"
        let ns = owner.namespace ?? "default"
        if var e = c.get(Workloads.eventType, namespace: ns, name: name) {
            e["count"] = .int((e["count"]?.int ?? 1) + 1)
            e["lastTimestamp"] = .string(rfc3339(sim.now))
            c.store(e, type: Workloads.eventType)
            return
        }
        c.create(
            [
                "apiVersion": "v1", "kind": "Event", "metadata": ["name": .string(name), "namespace": .string(ns)],
                "involvedObject": [
                    "apiVersion": owner["apiVersion"] ?? "apps/v1", "kind": .string(owner.kind ?? ""), "name": .string(owner.name ?? ""),
                    "namespace": .string(ns), "uid": .string(owner.uid ?? ""),
                ],
                "reason": .string(reason), "message": .string(message), "type": "Warning", "count": 1,
                "source": [
                    "component": .string(
                        owner.kind == "StatefulSet" ? "statefulset-controller" : "\(owner.kind?.lowercased() ?? "")-controller")
                ],
                "firstTimestamp": .string(rfc3339(sim.now)), "lastTimestamp": .string(rfc3339(sim.now)),
            ], type: Workloads.eventType, now: sim.now)
    }

    /// The claims of a StatefulSet's pod: `<template>-<set>-<ordinal>`, created before the pod and
    /// never owned by the set (PersistentVolumeClaimRetentionPolicy defaults to Retain) [SRC
    /// kubernetes pkg/controller/statefulset/stateful_set_utils.go v1.33.0 getPersistentVolumeClaimName].
    func ensureClaims(_ c: inout ClusterState, set: JSON, pod name: String) -> [JSON] {
        var volumes: [JSON] = []
        for tpl in set[path: "spec", "volumeClaimTemplates"]?.array ?? [] {
            let tname = tpl[path: "metadata", "name"]?.string ?? ""
            let claim = "\(tname)-\(name)"
            if c.get(Workloads.pvcType, namespace: set.namespace, name: claim) == nil {
                var spec = tpl["spec"] ?? .object([:])
                if spec["storageClassName"] == nil { spec["storageClassName"] = "standard" }
                if spec["volumeMode"] == nil { spec["volumeMode"] = "Filesystem" }
                var labels = set[path: "spec", "selector", "matchLabels"]?.object ?? [:]
                for (k, v) in tpl[path: "metadata", "labels"]?.object ?? [:] { labels[k] = v }
                let created = c.create(
                    [
                        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                        "metadata": ["name": .string(claim), "namespace": .string(set.namespace ?? "default"), "labels": .object(labels)],
                        "spec": spec,
                    ], type: Workloads.pvcType, now: sim.now)
                var bound = created
                bound[path: "spec", "volumeName"] = .string("pvc-\(created.uid ?? "")")
                bound["status"] = [
                    "phase": "Bound", "accessModes": spec["accessModes"] ?? ["ReadWriteOnce"],
                    "capacity": ["storage": spec[path: "resources", "requests", "storage"] ?? "1Gi"],
                ]
                c.store(bound, type: Workloads.pvcType)
            }
            volumes.append(["name": .string(tname), "persistentVolumeClaim": ["claimName": .string(claim)]])
        }
        return volumes
    }

    func ensurePods(_ c: inout ClusterState, owner: JSON, names: [String], nodes: [String]? = nil) {
        let existing = pods(of: owner, in: c)
        let template = owner[path: "spec", "template"] ?? .object([:])
        for (i, name) in names.enumerated() where !existing.contains(where: { $0.name == name }) {
            var labels = template[path: "metadata", "labels"]?.object ?? [:]
            if owner.kind == "StatefulSet" { labels["statefulset.kubernetes.io/pod-name"] = .string(name) }
            var spec = template["spec"] ?? .object([:])
            spec["nodeName"] = .string(nodes?[i] ?? c.nodes.last ?? "")
            if owner.kind == "StatefulSet" {
                let claims = ensureClaims(&c, set: owner, pod: name)
                if !claims.isEmpty { spec["volumes"] = .array((spec["volumes"]?.array ?? []) + claims) }
            }
            let ns = owner.namespace ?? "default"
            if let refusal = Workloads.serviceAccountRefusal(c, namespace: ns, pod: name, account: spec["serviceAccountName"]?.string) {
                // [SRC kubernetes pkg/controller/statefulset/stateful_pod_control.go v1.33.0 recordPodEvent]
                // "create Pod %s in StatefulSet %s failed error: %s"; ReplicaSet/DaemonSet: "Error creating: %v".
                let message =
                    owner.kind == "StatefulSet"
                    ? "create Pod \(name) in StatefulSet \(owner.name ?? "") failed error: \(refusal)" : "Error creating: \(refusal)"
                event(&c, owner: owner, reason: "FailedCreate", message: message)
                continue
            }
            let pod: JSON = [
                "apiVersion": "v1", "kind": "Pod",
                "metadata": [
                    "name": .string(name), "namespace": .string(ns), "labels": .object(labels),
                    "annotations": template[path: "metadata", "annotations"] ?? .object([:]),
                    "ownerReferences": [
                        [
                            "apiVersion": owner["apiVersion"] ?? "apps/v1", "kind": .string(owner.kind ?? ""),
                            "name": .string(owner.name ?? ""), "uid": .string(owner.uid ?? ""),
                            "controller": true, "blockOwnerDeletion": true,
                        ]
                    ],
                ],
                "spec": spec,
            ]
            c.create(pod, type: .pod, now: sim.now)
        }
        for p in existing where !names.contains(p.name ?? "") { c.delete(.pod, namespace: p.namespace, name: p.name ?? "") }
    }

    /// Why a pod cannot start its containers (nil when it can).
    func blocker(_ c: ClusterState, _ pod: JSON) -> (reason: String, message: String)? {
        // Secret volumes must exist before the kubelet can start the containers.
        for v in pod[path: "spec", "volumes"]?.array ?? [] {
            if let secret = v[path: "secret", "secretName"]?.string, v[path: "secret", "optional"]?.bool != true,
                c.get(.secret, namespace: pod.namespace, name: secret) == nil
            {
                return (
                    "ContainerCreating",
                    "MountVolume.SetUp failed for volume \"\(v["name"]?.string ?? "")\" : secret \"\(secret)\" not found"
                )
            }
        }
        for container in pod[path: "spec", "containers"]?.array ?? [] {
            for e in container["env"]?.array ?? [] {
                if let ref = e[path: "valueFrom", "secretKeyRef"], let secret = ref["name"]?.string, ref["optional"]?.bool != true {
                    guard let s = c.get(.secret, namespace: pod.namespace, name: secret) else {
                        return ("CreateContainerConfigError", "secret \"\(secret)\" not found")
                    }
                    if let key = ref["key"]?.string, s[path: "data", key] == nil {
                        return ("CreateContainerConfigError", "couldn't find key \(key) in Secret \(pod.namespace ?? "")/\(secret)")
                    }
                }
            }
        }
        return nil
    }

    func latency(for pod: JSON) -> Double {
        pod.namespace == "metallb-system" ? sim.latency[.metallbReady] : sim.latency[.podReady]
    }

    /// When the kubelet starts the pod's containers: once every image is on its node (nil while one
    /// never arrives).
    func startAt(_ c: ClusterState, _ pod: JSON) -> Double? {
        Kubelet.imagesAt(c, pod).map { max(c.bornAt(pod), $0) }
    }

    /// Whether the pod's containers have started (used by the Vault simulation too): its images are
    /// on its node, then its readiness latency has passed.
    func started(_ c: ClusterState, _ pod: JSON) -> Bool {
        guard let at = startAt(c, pod) else { return false }
        return sim.now >= at + latency(for: pod)
    }

    func updatePod(_ c: inout ClusterState, _ pod: JSON) {
        let born = c.bornAt(pod)
        let crash = sim.world.settings.crashloop(c.name, pod: pod.name ?? "")
        let block = blocker(c, pod)
        let images = block == nil ? Kubelet(sim: sim).waiting(c, pod) : nil
        var ready = started(c, pod) && !crash && block == nil && images == nil
        if ready, pod.labels["app.kubernetes.io/name"] == "vault", let cr = pod.labels["vault_cr"] {
            // A Vault pod's readiness probe passes only once Vault is unsealed.
            ready = c.vaults["\(pod.namespace ?? "")/\(cr)"].map { !$0.sealed } ?? false
        }
        let restarts = crash ? max(1, Int((sim.now - born) / 10)) : 0
        let startedAt = rfc3339(startAt(c, pod) ?? born)
        let containers = (pod[path: "spec", "containers"]?.array ?? []).map { ct -> JSON in
            var state: JSON
            if let block {
                state = ["waiting": ["reason": .string(block.reason), "message": .string(block.message)]]
            } else if let images {
                let wait = images[ct["name"]?.string ?? ""] ?? ("ContainerCreating", nil)
                state = ["waiting": ["reason": .string(wait.reason)]]
                if let message = wait.message { state[path: "waiting", "message"] = .string(message) }
            } else if let wait = bankVaultsBackOff(c, pod, container: ct["name"]?.string ?? "") {
                state = ["waiting": ["reason": "CrashLoopBackOff", "message": .string(wait)]]
            } else if crash {
                state = [
                    "waiting": [
                        "reason": "CrashLoopBackOff",
                        "message": .string("back-off 5m0s restarting failed container=\(ct["name"]?.string ?? "") pod=\(pod.name ?? "")"),
                    ]
                ]
            } else {
                state = ["running": ["startedAt": .string(startedAt)]]
            }
            let bvRestarts = ct["name"]?.string == "bank-vaults" ? vaultNode(c, pod)?.bankVaultsRestarts ?? 0 : 0
            return [
                "name": ct["name"] ?? "", "image": ct["image"] ?? "", "ready": .bool(ready), "restartCount": .int(restarts + bvRestarts),
                "started": .bool(block == nil && images == nil && !crash), "state": state,
            ]
        }
        let cond = { (t: String, ok: Bool) -> JSON in
            ["type": .string(t), "status": ok ? "True" : "False", "lastTransitionTime": .string(startedAt)]
        }
        var p = pod
        p["status"] = [
            "phase": block == nil && images == nil ? "Running" : "Pending",
            "conditions": [cond("Initialized", true), cond("Ready", ready), cond("ContainersReady", ready), cond("PodScheduled", true)],
            "containerStatuses": .array(containers),
            "hostIP": "172.18.0.2", "podIP": .string("10.244.0.\(abs((pod.uid ?? "").hashValue) % 250 + 2)"),
            "startTime": .string(startedAt), "qosClass": "BestEffort",
        ]
        if let old = pod["status"], let ip = old["podIP"] { p[path: "status", "podIP"] = ip }
        c.store(p, type: .pod)
    }

    func vaultNode(_ c: ClusterState, _ pod: JSON) -> VaultNode? {
        guard pod.labels["app.kubernetes.io/name"] == "vault", let cr = pod.labels["vault_cr"],
            let node = c.vaults["\(pod.namespace ?? "")/\(cr)"], node.podUID == pod.uid
        else { return nil }
        return node
    }

    /// The kubelet's back-off for a container that exited: 10s doubling up to 5m [SRC kubernetes
    /// pkg/kubelet/kubelet.go v1.33.0: backOffPeriod = 10s, MaxContainerBackOff = 300s]; the base is
    /// the `crash-backoff` latency (default 10s), the cap 30 × base.
    static func backOff(restarts: Int, base: Double) -> Double {
        guard restarts > 0 else { return 0 }
        return min(base * pow(2, Double(restarts - 1)), base * 30)
    }

    /// When the kubelet starts the exited bank-vaults container again (the base read now, so a test
    /// may shorten a running back-off).
    static func nextStart(_ node: VaultNode, base: Double) -> Double? {
        node.bankVaultsLastExit.map { $0 + backOff(restarts: node.bankVaultsRestarts, base: base) }
    }

    /// The CrashLoopBackOff message while the bank-vaults container waits to be restarted.
    func bankVaultsBackOff(_ c: ClusterState, _ pod: JSON, container: String) -> String? {
        guard container == "bank-vaults", let node = vaultNode(c, pod),
            let next = Workloads.nextStart(node, base: sim.latency[.crashBackoff]),
            sim.now < next
        else {
            return nil
        }
        let delay = Workloads.backOff(restarts: node.bankVaultsRestarts, base: sim.latency[.crashBackoff])
        return
            "back-off \(GoDuration.format(delay)) restarting failed container=bank-vaults pod=\(pod.name ?? "")_\(pod.namespace ?? "")(\(pod.uid ?? ""))"
    }

    func updateOwnerStatus(_ c: inout ClusterState, _ owner: JSON, type: ResourceType) {
        let ps = pods(of: owner, in: c)
        let ready = ps.filter { $0.conditionTrue("Ready") }.count
        var o = owner
        let gen = owner[path: "metadata", "generation"] ?? 1
        switch type.kind {
        case "Deployment":
            let want = owner[path: "spec", "replicas"]?.int ?? 1
            let available = ready >= want
            o["status"] = [
                "observedGeneration": gen, "replicas": .int(ps.count), "updatedReplicas": .int(ps.count),
                "readyReplicas": .int(ready), "availableReplicas": .int(ready), "unavailableReplicas": .int(max(0, want - ready)),
                "conditions": [
                    [
                        "type": "Available", "status": available ? "True" : "False",
                        "reason": available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                        "message": available ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
                    ],
                    [
                        "type": "Progressing", "status": "True", "reason": available ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                        "message": .string("ReplicaSet \"\(owner.name ?? "")\" is progressing."),
                    ],
                ],
            ]
            if ready == 0 { o[path: "status", "readyReplicas"] = nil; o[path: "status", "availableReplicas"] = nil }
        case "DaemonSet":
            o["status"] = [
                "currentNumberScheduled": .int(ps.count), "desiredNumberScheduled": .int(ps.count), "numberMisscheduled": 0,
                "numberReady": .int(ready), "numberAvailable": .int(ready), "updatedNumberScheduled": .int(ps.count),
                "observedGeneration": gen,
            ]
        default:
            o["status"] = [
                "replicas": .int(ps.count), "readyReplicas": .int(ready), "currentReplicas": .int(ps.count),
                "updatedReplicas": .int(ps.count), "availableReplicas": .int(ready), "observedGeneration": gen,
            ]
        }
        c.store(o, type: type)
    }
}
