import Foundation
import YAML

/// MetalLB in each cluster, installed from its release's manifests (URLs decided at plan time),
/// with the memberlist secret older releases need; the install waits for the controller.
enum MetalLBResource: ClusterRule {
    /// The manifests of a MetalLB release, by the URLs of its repository (MetalLB's installation
    /// guide: `manifests/namespace.yaml` + `manifests/metallb.yaml` before v0.13,
    /// `config/manifests/metallb-native.yaml` from v0.13).
    static func manifestURLs(version: String) -> [String] {
        let base = "https://raw.githubusercontent.com/metallb/metallb/\(version)"
        if Topology.MetalLB(version: version).mode == .configMap {
            return ["\(base)/manifests/namespace.yaml", "\(base)/manifests/metallb.yaml"]
        }
        return ["\(base)/config/manifests/metallb-native.yaml"]
    }

    static func planApply(_ cluster: Topology.Cluster, _ plan: inout PlanBuilder) {
        guard case .metallb(let metallb) = plan.topology.loadBalancer, let inside = plan.inside[cluster.name] else { return }
        let name = cluster.name
        let manifests =
            metallb.manifests.isEmpty
            ? ManifestArguments(files: manifestURLs(version: metallb.version))
            : ManifestArguments(metallb.manifests, loaded: plan.input.loaded)
        let step = Install(cluster: name, version: metallb.version, manifests: manifests)
        let resource = "MetalLB \(metallb.version)"
        let needs: [ActionID] = [.cluster(name), .images(name)]
        guard case .observed(let objects, _) = inside, objects.metalLB.installed else {
            let reason = inside.isNew ? "cluster \(name) is new" : "namespace metallb-system has no MetalLB controller"
            plan.add(PlanAction(id: .metalLB(name), change: .create, step: step, resource: resource, reason: reason, needs: needs))
            return
        }
        let lb = objects.metalLB
        // The version is told by the controller image's tag (v0.10.0's manifests name `main`).
        if let version = lb.version, version != metallb.version, version != MetalLBImages.tag(version: metallb.version) {
            plan.add(
                PlanAction(
                    id: .metalLB(name), change: .update, step: step, resource: resource, reason: "the controller runs \(version)",
                    observed: version, needs: needs))
        } else if metallb.mode == .configMap && !lb.memberlistSecretPresent {
            plan.add(
                PlanAction(
                    id: .metalLB(name), change: .update, step: step, resource: resource,
                    reason: "secret metallb-system/memberlist is missing",
                    observed: "no memberlist secret", needs: needs))
        } else {
            plan.add(
                PlanAction(
                    id: .metalLB(name), change: .inSync, step: step, resource: resource,
                    reason: lb.controllerReady ? "controller ready" : "installed; controller not ready yet", needs: needs))
        }
    }

    /// `kubectl apply -f URL…`, the memberlist secret (< v0.13, on stdin), then a wait for the
    /// controller Deployment to be Available.
    struct Install: Step {
        var cluster: String
        var version: String
        var manifests: ManifestArguments

        func run(_ context: StepContext) async throws {
            let kubectl = context.kubectl(cluster)
            try await context.check(manifests.apply(kubectl))
            if Topology.MetalLB(version: version).mode == .configMap {
                // ≤ v0.12 needs the memberlist secret (MetalLB's installation guide); on stdin, never on argv.
                let secret = Node.mapping([
                    "apiVersion": .string("v1"), "kind": .string("Secret"),
                    "metadata": .mapping(["name": .string("memberlist"), "namespace": .string(MetalLBState.namespace)]),
                    "type": .string("Opaque"),
                    "data": .mapping(["secretkey": .string(Data(KMSResource.randomHex(64).utf8).base64EncodedString())]),
                ])
                if !(try await context.run(kubectl.exists("secret", "memberlist", namespace: MetalLBState.namespace))).isSuccess {
                    try await context.check(kubectl.apply(manifest: YAMLEmitter.emit(context.owned(secret)), sensitive: true))
                }
            }
            let wait = kubectl.wait(for: "condition=Available", "deployment/controller", namespace: MetalLBState.namespace, timeout: "10s")
            try await context.waitUntil("the MetalLB controller in cluster \(cluster) to be Available") {
                let result = try await context.run(wait)
                return result.isSuccess ? .ready : .notYet(result.lastErrorLine)
            }
            // LoadBalancer addresses answer only once the speakers are Ready, not just the
            // controller (metallb speaker DaemonSet; docs/tools.md#metallb-speaker).
            let speakers = kubectl.rolloutStatus("daemonset/speaker", namespace: MetalLBState.namespace, timeout: "10s")
            try await context.waitUntil("the MetalLB speakers in cluster \(cluster) to be Ready") {
                let result = try await context.run(speakers)
                return result.isSuccess ? .ready : .notYet(result.lastErrorLine)
            }
        }
    }
}

extension PlanBuilder.Inside {
    var isNew: Bool {
        if case .new = self { return true }
        return false
    }
}
