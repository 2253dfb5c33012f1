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
        let needs: [ActionID] = [.cluster(name), .helmRepository]
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
        } else {
            plan.add(
                PlanAction(
                    id: .vaultOperator(name), change: .inSync, step: Install(cluster: name, uninstallFirst: false), resource: resource,
                    reason: "\(release.chart) deployed (revision \(release.revision.map(String.init) ?? "?"))", needs: needs))
        }
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
            let values = op.values.mapping?.isEmpty == false ? YAMLEmitter.emit(op.values) : nil
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
