import YAML

/// The ownership record in each cluster: the ConfigMap `default/multidc-ownership` naming the
/// topology (and the digest of the manifests last applied). destroy of an `existing` cluster
/// removes it last; a cluster carrying another topology's record is refused.
enum OwnershipResource: ClusterRule, ClusterDestroyRule {
    static let resource = "ConfigMap \(Ownership.configMapNamespace)/\(Ownership.configMapName)"

    static func planApply(_ cluster: Topology.Cluster, _ plan: inout PlanBuilder) {
        let name = cluster.name
        var record: KubeObject?
        if case .observed(let objects, _) = plan.inside[name] { record = objects.ownership }
        let reason: String
        if record != nil {
            reason = "records topology \(plan.topology.name)"
        } else if case .new = plan.inside[name] {
            reason = "cluster \(name) is new"
        } else {
            reason = "the cluster carries no ownership record of topology \(plan.topology.name)"
        }
        plan.add(
            PlanAction(
                id: .ownership(name), change: record == nil ? .create : .inSync, step: Record(cluster: name, manifestDigest: nil),
                resource: resource, reason: reason, needs: [.cluster(name)]))
    }

    static func planDestroy(_ cluster: Topology.Cluster, _ scope: DestroyScope, _ plan: inout PlanBuilder) {
        guard case .ownedObjects = scope else { return }
        let name = cluster.name
        plan.add(
            PlanAction(
                id: .ownership(name), change: .delete, step: Delete(cluster: name), resource: resource, reason: "the ownership record",
                needs: plan.actions.filter { $0.cluster == name }.map(\.id)))
    }

    /// Writes the record (with the manifests' digest when the manifests step writes it).
    struct Record: Step {
        var cluster: String
        var manifestDigest: String?

        func run(_ context: StepContext) async throws {
            var data: [Node.Pair] = [Node.Pair(key: .string("topology"), value: .string(context.topology.name))]
            if let manifestDigest { data.append(Node.Pair(key: .string("manifests-sha256"), value: .string(manifestDigest))) }
            let object = context.owned(
                .mapping([
                    "apiVersion": .string("v1"), "kind": .string("ConfigMap"),
                    "metadata": .mapping(["name": .string(Ownership.configMapName), "namespace": .string(Ownership.configMapNamespace)]),
                    "data": .mapping(data),
                ]))
            try await context.check(context.kubectl(cluster).apply(manifest: YAMLEmitter.emit(object)))
        }
    }

    struct Delete: Step {
        var cluster: String
        func run(_ context: StepContext) async throws {
            try await context.check(
                context.kubectl(cluster).delete("configmap", Ownership.configMapName, namespace: Ownership.configMapNamespace))
        }
    }
}
