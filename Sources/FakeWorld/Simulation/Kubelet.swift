import Foundation

/// The nodes' kubelets and their images: every container image of a pod must be on the pod's node
/// before its containers start; the kubelet pulls what is missing, one pull at a time per node.
/// Pulls never fail (the world assumes the registries are reachable).
struct Kubelet {
    let sim: Simulation

    /// The kubelet's retry of a pod whose sync failed (ErrImageNeverPull): the pod worker requeues it
    /// after backOffPeriod [SRC kubernetes pkg/kubelet/pod_workers.go v1.33.0 completeWork:
    /// `wait.Jitter(p.backOffPeriod, workerBackOffPeriodJitterFactor)`; pkg/kubelet/kubelet.go:
    /// backOffPeriod = 10s]. The world retries every 10s from the pod's creation (no jitter).
    static let retryPeriod = 10.0

    /// A reference as containerd stores it: no domain → `docker.io/`, no slash → `docker.io/library/`,
    /// neither tag nor digest → `:latest` [SRC kind pkg/cmd/kind/load/docker-image/docker-image.go
    /// v0.32.0 sanitizeImage; the kubelet and containerd use the same docker reference normalisation].
    static func normalize(_ image: String) -> String {
        var name = image
        if !name.contains("/") { name = "library/" + name }
        if let slash = name.firstIndex(of: "/") {
            let first = name[..<slash]
            if !first.contains(where: { $0 == "." || $0 == ":" }) && first != "localhost" { name = "docker.io/" + name }
        }
        if !hasTag(name) && !name.contains("@") { name += ":latest" }
        return name
    }

    /// kind's hasTag: a colon after the last slash.
    static func hasTag(_ image: String) -> Bool {
        guard let colon = image.lastIndex(of: ":") else { return false }
        guard let slash = image.lastIndex(of: "/") else { return true }
        return colon > slash
    }

    /// The API server's default pull policy: `Always` when the tag is `latest` (also when there is
    /// neither tag nor digest), else `IfNotPresent` [SRC kubernetes pkg/apis/core/v1/defaults.go
    /// v1.33.0 SetDefaults_Container; pkg/util/parsers/parsers.go ParseImageName].
    static func defaultPolicy(_ image: String) -> String {
        let parts = image.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        let digest = parts.count > 1
        var tag = ""
        if hasTag(name), let colon = name.lastIndex(of: ":") { tag = String(name[name.index(after: colon)...]) }
        if tag.isEmpty && !digest { tag = "latest" }
        return tag == "latest" ? "Always" : "IfNotPresent"
    }

    /// The ID of the image a registry serves for `normalized` (never a local image's ID: a pulled
    /// image and one made by `fakeworld image --app` differ, so `kind load` loads over a pulled one).
    static func registryID(_ normalized: String) -> String {
        let a = SHA1.digest(Array("registry/\(normalized)".utf8)), b = SHA1.digest(Array("config/\(normalized)".utf8))
        return "sha256:" + String((a + b).map { String(format: "%02x", $0) }.joined().prefix(64))
    }

    /// The containers whose images a pod needs: init containers first, then containers.
    static func containers(_ pod: JSON) -> [JSON] {
        (pod[path: "spec", "initContainers"]?.array ?? []) + (pod[path: "spec", "containers"]?.array ?? [])
    }

    static func key(_ container: JSON) -> String {
        "\(container["name"]?.string ?? "")|\(normalize(container["image"]?.string ?? ""))"
    }

    /// When every image of the pod is on its node for it; nil while one never arrives (a `Never`
    /// policy and the image absent).
    static func imagesAt(_ c: ClusterState, _ pod: JSON) -> Double? {
        let have = c.images.podImages[pod.uid ?? ""] ?? [:]
        var at = c.bornAt(pod)
        for ct in containers(pod) {
            guard let t = have[key(ct)] else { return nil }
            at = max(at, t)
        }
        return at
    }

    /// Why the pod's containers wait for images now: container name → (reason, message); nil when
    /// every image is there.
    func waiting(_ c: ClusterState, _ pod: JSON) -> [String: (reason: String, message: String?)]? {
        if let at = Kubelet.imagesAt(c, pod), sim.now >= at { return nil }
        let have = c.images.podImages[pod.uid ?? ""] ?? [:]
        var result: [String: (reason: String, message: String?)] = [:]
        for ct in Kubelet.containers(pod) {
            let name = ct["name"]?.string ?? ""
            if have[Kubelet.key(ct)] == nil {
                // [SRC kubernetes pkg/kubelet/images/image_manager.go v1.33.0 EnsureImageExists]
                result[name] = (
                    "ErrImageNeverPull", "Container image \"\(ct["image"]?.string ?? "")\" is not present with pull policy of Never"
                )
            } else {
                result[name] = ("ContainerCreating", nil)
            }
        }
        return result
    }

    /// Defaults the pods' pull policies, schedules the pulls new pods need (in creation order, so a
    /// later reconcile computes the same times) and forgets deleted pods.
    func reconcile(_ c: inout ClusterState) {
        let pods = c.list(.pod, namespace: nil).sorted {
            (c.bornAt($0), $0.namespace ?? "", $0.name ?? "") < (c.bornAt($1), $1.namespace ?? "", $1.name ?? "")
        }
        let live = Set(pods.compactMap(\.uid))
        c.images.podImages = c.images.podImages.filter { live.contains($0.key) }
        for pod in pods {
            let defaulted = Kubelet.defaulted(pod, node: c.nodes.last ?? "")
            if defaulted != pod { c.store(defaulted, type: .pod) }
            schedule(&c, defaulted)
        }
    }

    /// The API server's defaulting of a pod's containers' imagePullPolicy, and the scheduler's
    /// node for a pod that names none (the world's scheduler picks the last node, as for workloads).
    static func defaulted(_ pod: JSON, node: String) -> JSON {
        var p = pod
        if (p[path: "spec", "nodeName"]?.string ?? "").isEmpty, !node.isEmpty { p[path: "spec", "nodeName"] = .string(node) }
        for field in ["initContainers", "containers"] {
            guard var list = p[path: "spec", field]?.array else { continue }
            for i in list.indices where (list[i]["imagePullPolicy"]?.string ?? "").isEmpty {
                list[i]["imagePullPolicy"] = .string(defaultPolicy(list[i]["image"]?.string ?? ""))
            }
            p[path: "spec", field] = .array(list)
        }
        return p
    }

    private func schedule(_ c: inout ClusterState, _ pod: JSON) {
        guard let uid = pod.uid else { return }
        let node = pod[path: "spec", "nodeName"]?.string ?? ""
        let born = c.bornAt(pod)
        for ct in Kubelet.containers(pod) {
            let key = Kubelet.key(ct)
            if c.images.podImages[uid]?[key] != nil { continue }
            let ref = ct["image"]?.string ?? ""
            let image = Kubelet.normalize(ref)
            let present = c.images.onNode[node]?[image]
            switch ct["imagePullPolicy"]?.string ?? Kubelet.defaultPolicy(ref) {
            case "Never":
                // Only what is there: at the pod's start, else at the kubelet's first retry after it arrived.
                guard let present, present.presentAt <= sim.now else { continue }
                let at =
                    present.presentAt <= born
                    ? born : born + (((present.presentAt - born) / Kubelet.retryPeriod).rounded(.up) * Kubelet.retryPeriod)
                c.images.podImages[uid, default: [:]][key] = at
            case "Always":
                c.images.podImages[uid, default: [:]][key] = pull(&c, ref: ref, image: image, node: node, born: born)
            default:
                // IfNotPresent: a pull under way is waited for (no second pull).
                c.images.podImages[uid, default: [:]][key] =
                    present.map { max(born, $0.presentAt) } ?? pull(&c, ref: ref, image: image, node: node, born: born)
            }
        }
    }

    /// One pull on `node`: serialised with the node's other pulls [SRC kubernetes
    /// pkg/kubelet/apis/config/v1beta1/defaults.go v1.33.0: SerializeImagePulls defaults to true;
    /// pkg/kubelet/images/puller.go serialImagePuller: one worker per kubelet]. Returns when it ends.
    private func pull(_ c: inout ClusterState, ref: String, image: String, node: String, born: Double) -> Double {
        let seconds = sim.latency[.imagePull]
        let start = max(born, c.images.pullBusyUntil[node] ?? 0)
        let end = start + seconds
        c.images.pullBusyUntil[node] = end
        let old = c.images.onNode[node]?[image]
        c.images.onNode[node, default: [:]][image] = ImageOnNode(
            id: Kubelet.registryID(image), presentAt: old.map { min($0.presentAt, end) } ?? end)
        CallLog.recordPull(home: sim.world.home, ref: ref, normalized: image, node: node, cluster: c.name, start: start, seconds: seconds)
        return end
    }
}
