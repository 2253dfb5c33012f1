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
        } else if plan.topology.provider != .kind {
            reason = "the cluster carries no ownership record of topology \(plan.topology.name)"
        } else if plan.input.createdClusters.contains(name) {
            reason = "adopted: an earlier apply on this machine created it and was interrupted before its ownership record"
        } else if plan.input.adopt {
            reason = "adopted (--adopt): the cluster carries no ownership record"
        } else {
            // A kind cluster of the spec's name that no apply here created may be someone else's
            // (CreationRecord): refused unless the user says to take it over.
            reason = "the cluster carries no ownership record of topology \(plan.topology.name)"
            plan.problems.append(
                PlanProblem(
                    cluster: name,
                    "kind cluster \(name) exists but carries no ownership record (ConfigMap \(Ownership.configMapNamespace)/\(Ownership.configMapName)), and no earlier apply of topology \(plan.topology.name) on this machine created it; rerun with --adopt to take it over, or choose another cluster name"
                ))
        }
        // A record written now describes the cluster as the spec makes it (a new cluster) or
        // takes it as the spec says it is (adoption): it carries the kind config passed through.
        let kindConfig = plan.topology.provider == .kind ? KindClusterResource.recordedText(plan.topology.kindConfig(of: cluster)) : nil
        plan.add(
            PlanAction(
                id: .ownership(name), change: record == nil ? .create : .inSync,
                step: Record(cluster: name, manifestDigest: nil, kindConfig: kindConfig), resource: resource, reason: reason,
                needs: [.cluster(name)]))
    }

    static func planDestroy(_ cluster: Topology.Cluster, _ scope: DestroyScope, _ plan: inout PlanBuilder) {
        guard case .ownedObjects = scope else { return }
        let name = cluster.name
        plan.add(
            PlanAction(
                id: .ownership(name), change: .delete, step: Delete(cluster: name), resource: resource, reason: "the ownership record",
                needs: plan.actions.filter { $0.cluster == name }.map(\.id)))
    }

    /// Writes the record (with the manifests' digest when the manifests step writes it), then
    /// annotates it with the kind config passed through when the cluster was made with one.
    struct Record: Step {
        var cluster: String
        var manifestDigest: String?
        /// The `kindConfigKey` annotation (nil: none; absent means nothing passed through).
        var kindConfig: String? = nil

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
            if let kindConfig { try await OwnershipResource.annotate(cluster, [(OwnershipResource.kindConfigKey, kindConfig)], context) }
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

extension OwnershipResource {
    /// Annotations on the ownership record: what multidc applied that observation cannot read
    /// back cheaply. They are written with `kubectl annotate` (not in the record's last-applied
    /// configuration, so re-applying the record keeps them).
    ///
    /// SHA-256 of the `operator.values` YAML the release was last installed or upgraded with.
    static let valuesDigestKey = "multidc/operator-values-sha256"
    /// The release's helm revision right after that install or upgrade.
    static let operatorRevisionKey = "multidc/operator-revision"
    /// The KMS container's network endpoint id when this cluster's Vault CR was applied: the KMS
    /// incarnation its unseal keys went into (docs/tools.md#vault-dev: a restart empties it).
    static let kmsEndpointKey = "multidc/kms-endpoint"
    /// The kind config fields passed through when the cluster was created (compact JSON in kind's
    /// field names, `Topology.KindConfig.node`); absent when none was. kind reads its config only
    /// in `kind create cluster`, and nothing of it can be read back cheaply.
    static let kindConfigKey = "multidc/kind-config"

    /// A plan with nothing to change whose clusters' records name another spec digest (a comment
    /// edited, or the same world made from another spec): says that apply records this spec and
    /// changes nothing else (`Provenance`'s rule). Read from the observed records: no process.
    static func noteProvenance(_ plan: inout PlanBuilder) {
        guard plan.problems.isEmpty, !plan.actions.contains(where: { $0.change != .inSync }) else { return }
        let digest = plan.input.loaded.specDigest
        let other = plan.topology.clusters.compactMap { Provenance.recorded(in: plan.world.cluster(named: $0.name)) }
            .filter { $0.specDigest != digest }.max { $0.time < $1.time }
        guard let other else { return }
        plan.notes.append(
            "the world was applied from another spec (sha256 \(other.specDigest.prefix(12)), from \(other.commitText) at \(other.time)); apply records this one (sha256 \(digest.prefix(12))) and changes nothing else"
        )
    }

    /// The record's annotations.
    static func annotations(_ record: KubeObject?) -> [String: String] {
        KubeObject.stringMap(record?.node[path: "metadata", "annotations"])
    }

    /// The cluster's observed ownership record (nil: none, or the cluster is new).
    static func record(_ cluster: String, _ plan: PlanBuilder) -> KubeObject? {
        if case .observed(let objects, _)? = plan.inside[cluster] { return objects.ownership }
        return nil
    }

    /// `kubectl annotate` of the ownership record, waiting for the record when it is written by
    /// a step running at the same time (NotFound is not yet, not a failure).
    static func annotate(_ cluster: String, _ pairs: [(key: String, value: String)], _ context: StepContext) async throws {
        let command = context.kubectl(cluster).annotate(
            "configmap", Ownership.configMapName, namespace: Ownership.configMapNamespace, pairs)
        try await context.waitUntil("the ownership record of cluster \(cluster) to take \(pairs.map(\.key).joined(separator: ", "))") {
            let result = try await context.run(command)
            if result.isSuccess { return .ready }
            let failure = ToolFailure(command, result)
            if failure.isTransient || result.stderr.contains("(NotFound)") { return .notYet(result.lastErrorLine) }
            throw failure
        }
    }
}
