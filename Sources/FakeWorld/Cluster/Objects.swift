import Foundation

/// Timestamps as the API server writes them (RFC 3339, whole seconds, UTC).
func rfc3339(_ seconds: Double) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.string(from: Date(timeIntervalSince1970: seconds.rounded(.down)))
}

func newUID() -> String { UUID().uuidString.lowercased() }

/// The object store of one cluster: what the API server would keep in etcd.
extension ClusterState {
    static let systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]

    /// Built-in kinds plus the kinds of Established CRDs.
    var types: [ResourceType] {
        var result = ResourceType.builtins
        // policy/v1beta1 PodSecurityPolicy is not served from Kubernetes v1.25 on [SRC kubernetes
        // CHANGELOG/CHANGELOG-1.25.md: "PodSecurityPolicy is removed"], so MetalLB < v0.13's
        // manifests (which carry PSPs) fail there; the node image's tag gives the version.
        if ClusterState.kubernetesMinor(image: image) >= 25 { result.removeAll { $0.kind == "PodSecurityPolicy" } }
        for crd in list(ResourceType.crd, namespace: nil) where crd.conditionTrue("Established") {
            if let t = ResourceType.from(crd: crd) { result.append(t) }
        }
        return result
    }

    /// The minor version of a node image tag (`kindest/node:v1.36.1` → 36); 0 when unknown.
    static func kubernetesMinor(image: String) -> Int {
        let tag = image.split(separator: "@").first.map(String.init) ?? image
        guard let v = tag.split(separator: ":").last, v.hasPrefix("v1.") else { return 0 }
        return Int(v.dropFirst(3).prefix { $0.isNumber }) ?? 0
    }

    func type(kind: String, apiVersion: String) -> ResourceType? {
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        let version = apiVersion.split(separator: "/").last.map(String.init) ?? apiVersion
        return types.first { $0.kind == kind && $0.group == group && ($0.group == "" || !$0.versions.isEmpty) }
            .flatMap { t in version.isEmpty || t.versions.contains(version) || ResourceType.builtins.contains(t) ? t : nil }
    }

    func type(word: String) -> ResourceType? { types.first { $0.matches(word) } }

    static func key(_ type: ResourceType, _ namespace: String?, _ name: String) -> String {
        "\(type.group)|\(type.kind)|\(type.namespaced ? (namespace ?? "default") : "")|\(name)"
    }

    func get(_ type: ResourceType, namespace: String?, name: String) -> JSON? {
        objects[ClusterState.key(type, namespace, name)]
    }

    /// Objects of a type (in one namespace, or all when nil), sorted by namespace then name.
    func list(_ type: ResourceType, namespace: String?) -> [JSON] {
        let prefix = "\(type.group)|\(type.kind)|"
        return objects.filter { key, obj in
            guard key.hasPrefix(prefix) else { return false }
            if let namespace, type.namespaced { return obj.namespace == namespace }
            return true
        }
        .map(\.value)
        .sorted { ($0.namespace ?? "", $0.name ?? "") < ($1.namespace ?? "", $1.name ?? "") }
    }

    func namespaceExists(_ ns: String) -> Bool { get(.namespace, namespace: nil, name: ns) != nil }

    mutating func bumpVersion() -> String {
        resourceVersion += 1
        return String(resourceVersion)
    }

    /// Stores a new object, filling in the server-populated metadata.
    @discardableResult
    mutating func create(_ object: JSON, type: ResourceType, now: Double) -> JSON {
        var obj = object
        obj["apiVersion"] = obj["apiVersion"] ?? .string(type.apiVersion)
        obj["kind"] = .string(type.kind)
        let uid = newUID()
        obj[path: "metadata", "uid"] = .string(uid)
        obj[path: "metadata", "resourceVersion"] = .string(bumpVersion())
        obj[path: "metadata", "creationTimestamp"] = .string(rfc3339(now))
        if type.namespaced {
            obj[path: "metadata", "namespace"] = .string(obj.namespace ?? "default")
        } else {
            obj["metadata"] = obj["metadata"].map { m in
                var m = m; m["namespace"] = nil; return m
            }
        }
        if obj["spec"] != nil || type.group != "" { obj[path: "metadata", "generation"] = 1 }
        for (k, v) in type.defaults(for: obj) where obj[k] == nil { obj[k] = v }
        objects[ClusterState.key(type, obj.namespace, obj.name ?? "")] = obj
        born[uid] = now
        return obj
    }

    /// Replaces a stored object, keeping server-owned metadata; bumps resourceVersion (and generation
    /// when spec changed). Returns false when nothing changed.
    @discardableResult
    mutating func update(_ object: JSON, type: ResourceType) -> Bool {
        let key = ClusterState.key(type, object.namespace, object.name ?? "")
        guard let old = objects[key] else { return false }
        var obj = object
        for field in ["uid", "creationTimestamp", "generation", "resourceVersion"] {
            obj[path: "metadata", field] = old[path: "metadata", field]
        }
        if obj["status"] == nil { obj["status"] = old["status"] }
        if obj == old { return false }
        if obj["spec"] != old["spec"] {
            obj[path: "metadata", "generation"] = .int((old[path: "metadata", "generation"]?.int ?? 1) + 1)
        }
        obj[path: "metadata", "resourceVersion"] = .string(bumpVersion())
        objects[key] = obj
        return true
    }

    /// Writes status (or other server-side changes) only when different.
    mutating func store(_ object: JSON, type: ResourceType) {
        let key = ClusterState.key(type, object.namespace, object.name ?? "")
        guard let old = objects[key], old != object else { return }
        var obj = object
        obj[path: "metadata", "resourceVersion"] = .string(bumpVersion())
        objects[key] = obj
    }

    @discardableResult
    mutating func delete(_ type: ResourceType, namespace: String?, name: String) -> JSON? {
        let key = ClusterState.key(type, namespace, name)
        guard let obj = objects.removeValue(forKey: key) else { return nil }
        if let uid = obj.uid { born[uid] = nil }
        if type.kind == "Namespace" {
            // Namespace deletion removes everything in it.
            for (k, v) in objects where v.namespace == name && !k.hasPrefix("|Namespace|") {
                objects[k] = nil
                if let uid = v.uid { born[uid] = nil }
            }
        }
        return obj
    }

    func bornAt(_ obj: JSON) -> Double { obj.uid.flatMap { born[$0] } ?? createdAt }

    /// The objects a fresh kind cluster has; `labels` are the kind config's node labels, by node name.
    mutating func seed(now: Double, labels nodeLabels: [String: [String: String]] = [:]) {
        for ns in ClusterState.systemNamespaces {
            create(
                [
                    "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)],
                    "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"],
                ], type: .namespace, now: now)
        }
        for node in nodes {
            let role = node.contains("control-plane") ? "control-plane" : "worker"
            var labels: [String: JSON] = [
                "kubernetes.io/hostname": .string(node), "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            ]
            if role == "control-plane" {
                labels["node-role.kubernetes.io/control-plane"] = ""
                labels["node-role.kubernetes.io/master"] = ""
            }
            for (key, value) in nodeLabels[node] ?? [:] { labels[key] = .string(value) }
            create(
                [
                    "apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(node), "labels": .object(labels)],
                    "status": ["conditions": [["type": "Ready", "status": "True", "reason": "KubeletReady"]]],
                ], type: .node, now: now)
        }
        create(
            [
                "apiVersion": "v1", "kind": "Service",
                "metadata": [
                    "name": "kubernetes", "namespace": "default", "labels": ["component": "apiserver", "provider": "kubernetes"],
                ],
                "spec": [
                    "type": "ClusterIP", "clusterIP": "10.96.0.1",
                    "ports": [["name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443]],
                ],
            ],
            type: .service, now: now)
        create(
            [
                "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": ["name": "standard", "annotations": ["storageclass.kubernetes.io/is-default-class": "true"]],
                "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer",
            ],
            type: ResourceType.builtins.first { $0.kind == "StorageClass" }!, now: now)
    }
}

extension ResourceType {
    static let pod = builtins.first { $0.kind == "Pod" }!
    static let service = builtins.first { $0.kind == "Service" }!
    static let configMap = builtins.first { $0.kind == "ConfigMap" }!
    static let secret = builtins.first { $0.kind == "Secret" }!
    static let namespace = builtins.first { $0.kind == "Namespace" }!
    static let node = builtins.first { $0.kind == "Node" }!
    static let deployment = builtins.first { $0.kind == "Deployment" }!
    static let daemonSet = builtins.first { $0.kind == "DaemonSet" }!
    static let statefulSet = builtins.first { $0.kind == "StatefulSet" }!
    static let crd = builtins.first { $0.kind == "CustomResourceDefinition" }!

    /// Fields the API server defaults on create.
    func defaults(for obj: JSON) -> [String: JSON] {
        switch kind {
        case "Secret": return ["type": "Opaque"]
        case "Namespace": return ["spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"]]
        default: return [:]
        }
    }
}

/// Convenience accessors on objects.
extension JSON {
    var name: String? { self[path: "metadata", "name"]?.string }
    var namespace: String? { self[path: "metadata", "namespace"]?.string }
    var uid: String? { self[path: "metadata", "uid"]?.string }
    var kind: String? { self["kind"]?.string }
    var labels: [String: String] {
        (self[path: "metadata", "labels"]?.object ?? [:]).compactMapValues { $0.scalarText }
    }

    func conditionTrue(_ type: String) -> Bool {
        (self[path: "status", "conditions"]?.array ?? []).contains {
            $0["type"]?.string?.lowercased() == type.lowercased() && $0["status"]?.string == "True"
        }
    }
}
