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

    func ensurePods(_ c: inout ClusterState, owner: JSON, names: [String], nodes: [String]? = nil) {
        let existing = pods(of: owner, in: c)
        let template = owner[path: "spec", "template"] ?? .object([:])
        for (i, name) in names.enumerated() where !existing.contains(where: { $0.name == name }) {
            var labels = template[path: "metadata", "labels"]?.object ?? [:]
            if owner.kind == "StatefulSet" { labels["statefulset.kubernetes.io/pod-name"] = .string(name) }
            var spec = template["spec"] ?? .object([:])
            spec["nodeName"] = .string(nodes?[i] ?? c.nodes.last ?? "")
            let pod: JSON = [
                "apiVersion": "v1", "kind": "Pod",
                "metadata": [
                    "name": .string(name), "namespace": .string(owner.namespace ?? "default"), "labels": .object(labels),
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

    /// Whether the pod's containers have started (used by the Vault simulation too).
    func started(_ c: ClusterState, _ pod: JSON) -> Bool {
        sim.now >= c.bornAt(pod) + latency(for: pod)
    }

    func updatePod(_ c: inout ClusterState, _ pod: JSON) {
        let born = c.bornAt(pod)
        let crash = sim.world.settings.crashloop(c.name, pod: pod.name ?? "")
        let block = blocker(c, pod)
        var ready = started(c, pod) && !crash && block == nil
        if ready, pod.labels["app.kubernetes.io/name"] == "vault", let cr = pod.labels["vault_cr"] {
            // A Vault pod's readiness probe passes only once Vault is unsealed.
            ready = c.vaults["\(pod.namespace ?? "")/\(cr)"].map { !$0.sealed } ?? false
        }
        let restarts = crash ? max(1, Int((sim.now - born) / 10)) : 0
        let startedAt = rfc3339(born)
        let containers = (pod[path: "spec", "containers"]?.array ?? []).map { ct -> JSON in
            var state: JSON
            if let block {
                state = ["waiting": ["reason": .string(block.reason), "message": .string(block.message)]]
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
            return [
                "name": ct["name"] ?? "", "image": ct["image"] ?? "", "ready": .bool(ready), "restartCount": .int(restarts),
                "started": .bool(block == nil && !crash), "state": state,
            ]
        }
        let cond = { (t: String, ok: Bool) -> JSON in
            ["type": .string(t), "status": ok ? "True" : "False", "lastTransitionTime": .string(startedAt)]
        }
        var p = pod
        p["status"] = [
            "phase": block == nil ? "Running" : "Pending",
            "conditions": [cond("Initialized", true), cond("Ready", ready), cond("ContainersReady", ready), cond("PodScheduled", true)],
            "containerStatuses": .array(containers),
            "hostIP": "172.18.0.2", "podIP": .string("10.244.0.\(abs((pod.uid ?? "").hashValue) % 250 + 2)"),
            "startTime": .string(startedAt), "qosClass": "BestEffort",
        ]
        if let old = pod["status"], let ip = old["podIP"] { p[path: "status", "podIP"] = ip }
        c.store(p, type: .pod)
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
