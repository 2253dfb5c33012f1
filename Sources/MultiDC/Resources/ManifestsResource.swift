import YAML

/// The extra manifests the spec lists (`spec.manifests`: RBAC, namespaces, …), applied to every
/// cluster before its Vault CR. The ownership record keeps their digest, so changed files are
/// applied again.
enum ManifestsResource: ClusterRule {
    static func planApply(_ cluster: Topology.Cluster, _ plan: inout PlanBuilder) {
        let files = plan.topology.manifests
        guard !files.isEmpty, let inside = plan.inside[cluster.name] else { return }
        let name = cluster.name
        let wanted = plan.input.manifestDigest
        var record: KubeObject?
        if case .observed(let objects, _) = inside { record = objects.ownership }
        let live = record?.node["data"]?["manifests-sha256"]?.string
        let step = Apply(cluster: name, manifests: ManifestArguments(files, loaded: plan.input.loaded), manifestDigest: wanted)
        let resource = "manifests \(files.map(\.display).joined(separator: ", "))"
        let needs: [ActionID] = [.cluster(name), .ownership(name)]
        if inside.isNew || record == nil || live != wanted {
            plan.add(
                PlanAction(
                    id: .manifests(name), change: live == nil ? .create : .update, step: step, resource: resource,
                    reason: inside.isNew
                        ? "cluster \(name) is new"
                        : (live == nil ? "never applied by multidc" : "the files changed since they were applied"),
                    observed: live.map { "sha256 \($0.prefix(12))" }, needs: needs))
        } else {
            plan.add(
                PlanAction(
                    id: .manifests(name), change: .inSync, step: step, resource: resource,
                    reason: "applied, unchanged (sha256 \(wanted?.prefix(12) ?? ""))", needs: needs))
        }
    }

    /// `kubectl apply -f FILE…` (a revision's files on stdin), then the ownership record with
    /// the digest of what was applied.
    struct Apply: Step {
        var cluster: String
        var manifests: ManifestArguments
        var manifestDigest: String?

        func run(_ context: StepContext) async throws {
            try await context.check(manifests.apply(context.kubectl(cluster)))
            try await OwnershipResource.Record(cluster: cluster, manifestDigest: manifestDigest).run(context)
        }
    }
}
