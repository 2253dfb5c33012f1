import YAML

/// The Bank-Vaults operator in each cluster, a helm release: installed or upgraded with the
/// spec's values on stdin, re-installed when an interrupted helm run left it pending; the install
/// waits until the Vault CRD is Established. destroy of an `existing` cluster uninstalls it.
enum OperatorResource: ClusterRule, ClusterDestroyRule {
    static func planApply(_ cluster: Topology.Cluster, _ plan: inout PlanBuilder) {
        guard let inside = plan.inside[cluster.name] else { return }
        let name = cluster.name
        let op = plan.topology.vaultOperator
        let resource = "helm release \(op.namespace)/\(op.release)"
        let needs: [ActionID] = [.cluster(name), .helmRepository, .images(name)]
        var release: HelmRelease?
        if case .observed(_, let releases) = inside { release = releases.first { $0.name == op.release && $0.namespace == op.namespace } }
        guard let release else {
            plan.add(
                PlanAction(
                    id: .vaultOperator(name), change: .create, step: Install(cluster: name, uninstallFirst: false), resource: resource,
                    reason: inside.isNew ? "cluster \(name) is new" : "no helm release \(op.release) in namespace \(op.namespace)",
                    needs: needs))
            return
        }
        if release.status.isPending {
            plan.add(
                PlanAction(
                    id: .vaultOperator(name), change: .replace, step: Install(cluster: name, uninstallFirst: true), resource: resource,
                    reason: "the release is \(release.status) (an interrupted helm run); uninstall and install it again",
                    observed: release.status.rawValue, needs: needs))
        } else if release.status != .deployed {
            plan.add(
                PlanAction(
                    id: .vaultOperator(name), change: .update, step: Install(cluster: name, uninstallFirst: false), resource: resource,
                    reason: "the release is \(release.status)", observed: release.status.rawValue, needs: needs))
        } else if let version = op.version, let live = release.chartVersion, live != version {
            plan.add(
                PlanAction(
                    id: .vaultOperator(name), change: .update, step: Install(cluster: name, uninstallFirst: false), resource: resource,
                    reason: "chart version \(live) is deployed, the spec says \(version)", observed: live, needs: needs))
        } else if let drift = valuesDrift(release, record: OwnershipResource.record(name, plan), op) {
            plan.add(
                PlanAction(
                    id: .vaultOperator(name), change: .update, step: Install(cluster: name, uninstallFirst: false), resource: resource,
                    reason: drift.reason, observed: drift.observed, needs: needs, fields: drift.fields))
        } else {
            plan.add(
                PlanAction(
                    id: .vaultOperator(name), change: .inSync, step: Install(cluster: name, uninstallFirst: false), resource: resource,
                    reason: "\(release.chart) deployed (revision \(release.revision.map(String.init) ?? "?"))", needs: needs))
        }
    }

    /// The values YAML helm gets on stdin (nil: none).
    static func valuesText(_ op: Topology.VaultOperator) -> String? {
        op.values.mapping?.isEmpty == false ? YAMLEmitter.emit(op.values) : nil
    }

    /// SHA-256 of the values the spec gives (of the empty text when there are none).
    static func valuesDigest(_ op: Topology.VaultOperator) -> String { SHA256.hex(valuesText(op) ?? "") }

    /// Whether the deployed release may run other values than `operator.values`.
    ///
    /// A no-op diff may run 3 + 2N tool processes for N clusters, so it cannot afford a
    /// `helm get values` per cluster. Instead the install step records, on the cluster's ownership
    /// record, the SHA-256 of the values it applied and the revision helm gave the release; the
    /// plan compares the spec's digest with the recorded one and the live revision (from the
    /// `helm list` observation already reads) with the recorded one. The trade-off: values
    /// changed by hand are seen only through the revision they bump (a `helm upgrade` or
    /// `helm rollback` outside multidc), not field by field, and a release installed before
    /// multidc recorded digests (no record) is upgraded once with the spec's values to record them
    /// — helm with the same values changes nothing but the revision.
    static func valuesDrift(
        _ release: HelmRelease, record: KubeObject?, _ op: Topology.VaultOperator
    ) -> (
        reason: String, observed: String?, fields: [FieldChange]
    )? {
        let recorded = OwnershipResource.annotations(record)
        let wanted = valuesDigest(op)
        guard let digest = recorded[OwnershipResource.valuesDigestKey] else {
            return ("the values it was installed with are not recorded; upgrade with operator.values to record them", "not recorded", [])
        }
        if digest != wanted {
            return (
                "operator.values changed since the release was installed", "values sha256 \(digest.prefix(12))",
                [FieldChange(path: "operator.values (sha256)", before: String(digest.prefix(12)), after: String(wanted.prefix(12)))]
            )
        }
        if let revision = recorded[OwnershipResource.operatorRevisionKey], let live = release.revision, revision != String(live) {
            return (
                "revision \(live) is deployed but multidc installed revision \(revision): a helm run outside multidc may have changed its values",
                "revision \(live)", []
            )
        }
        return nil
    }

    static func planDestroy(_ cluster: Topology.Cluster, _ scope: DestroyScope, _ plan: inout PlanBuilder) {
        guard case .ownedObjects(let observed) = scope else { return }
        let op = plan.topology.vaultOperator
        guard observed.helmRelease(named: op.release, namespace: op.namespace) != nil else { return }
        plan.add(
            PlanAction(
                id: .vaultOperator(cluster.name), change: .delete, step: Uninstall(cluster: cluster.name),
                resource: "helm release \(op.namespace)/\(op.release)", reason: "installed by topology \(plan.topology.name)",
                needs: [.vault(cluster.name)]))
    }

    /// `helm upgrade --install` (values on stdin, `--wait --timeout` = the readiness bound), then
    /// a wait for the Vault CRD to be Established.
    struct Install: Step {
        var cluster: String
        /// A pending release is uninstalled first.
        var uninstallFirst: Bool

        func run(_ context: StepContext) async throws {
            let op = context.topology.vaultOperator
            let helm = context.helm(cluster)
            if uninstallFirst { try await context.run(helm.uninstall(release: op.release, namespace: op.namespace)) }
            let values = OperatorResource.valuesText(op)
            let install = helm.upgradeInstall(
                release: op.release, chart: op.chart, namespace: op.namespace, version: op.version, values: values,
                timeout: Helm.duration(context.readinessTimeout))
            try await context.waitUntil("helm to install \(op.release) in cluster \(cluster)", interval: .milliseconds(500)) {
                let result = try await context.run(install)
                if result.isSuccess { return .ready }
                let failure = ToolFailure(install, result)
                if failure.isTransient { return .notYet(result.lastErrorLine) }
                throw failure
            }
            let established = context.kubectl(cluster).wait(
                for: "condition=Established", "crd/\(ClusterObjects.vaultCRDName)", timeout: "10s")
            try await context.waitUntil("CRD \(ClusterObjects.vaultCRDName) to be Established in cluster \(cluster)") {
                let result = try await context.run(established)
                return result.isSuccess ? .ready : .notYet(result.lastErrorLine)
            }
            // Record what was applied (OperatorResource.valuesDrift): the values' digest and the
            // revision helm gave the release.
            // The revision is best effort: without it only the digest is compared.
            let listed = try await context.run(helm.list())
            let revision = (listed.isSuccess ? try? Helm.parseList(listed) : nil)?.first {
                $0.name == op.release && $0.namespace == op.namespace
            }?.revision
            var annotations: [(key: String, value: String)] = [(OwnershipResource.valuesDigestKey, OperatorResource.valuesDigest(op))]
            if let revision { annotations.append((OwnershipResource.operatorRevisionKey, String(revision))) }
            try await OwnershipResource.annotate(cluster, annotations, context)
        }
    }

    /// `helm uninstall`.
    struct Uninstall: Step {
        var cluster: String
        func run(_ context: StepContext) async throws {
            let op = context.topology.vaultOperator
            try await context.check(context.helm(cluster).uninstall(release: op.release, namespace: op.namespace))
        }
    }
}
