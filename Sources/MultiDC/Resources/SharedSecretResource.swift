import Foundation
import YAML

/// Secrets copied from the leader's cluster to every other cluster (`vault.shareSecrets`, e.g.
/// the leader's TLS secret, whose CA the followers' Raft join trusts). Copied again whenever the
/// leader's Vault is re-created; destroy of an `existing` cluster removes the copies.
enum SharedSecretResource: ClusterRule, ClusterDestroyRule {
    static func planApply(_ cluster: Topology.Cluster, _ plan: inout PlanBuilder) {
        let leader = plan.leaderName
        guard cluster.name != leader, let inside = plan.inside[cluster.name] else { return }
        let name = cluster.name
        let namespace = plan.topology.vault.namespace
        let leaderObjects = plan.world.cluster(named: leader)?.objects
        // A leader Vault that is created or re-created (new cluster, new KMS) gets a new secret
        // from its operator: an existing copy is stale.
        let leaderRenewed = plan.action(.vault(leader)).map { $0.change == .create || $0.change == .replace } ?? false
        for secret in plan.topology.vault.shareSecrets {
            let id = ActionID.sharedSecret(secret, cluster: name)
            let step = Copy(name: secret, from: leader, to: name)
            let resource = "Secret \(namespace)/\(secret) from \(leader)"
            let needs: [ActionID] = [.cluster(name), .vault(leader), .ownership(name)]
            let source = leaderObjects?.sharedSecrets[secret]
            var live: KubeObject?
            if case .observed(let objects, _) = inside { live = objects.sharedSecrets[secret] }
            let action: PlanAction
            if leaderRenewed, live != nil {
                action = PlanAction(
                    id: id, change: .update, step: step, resource: resource,
                    reason: "the leader's Vault is re-created; its new secret is copied again", observed: "the old leader's copy",
                    needs: needs)
            } else if let live, let source {
                let same = live.node["data"] == source.node["data"] && live.node["type"] == source.node["type"]
                action = PlanAction(
                    id: id, change: same ? .inSync : .update, step: step, resource: resource,
                    reason: same ? "same data as in \(leader)" : "its data differs from the leader's",
                    observed: same ? nil : "different data", needs: needs)
            } else if live != nil {
                // The leader could not be read (stopped): the copy stays; the next plan compares it.
                action = PlanAction(
                    id: id, change: .inSync, step: step, resource: resource,
                    reason: "present; the leader's secret could not be read to compare",
                    needs: needs)
            } else {
                let reason =
                    source == nil
                    ? "copied once the leader's operator has created it"
                    : (inside.isNew ? "cluster \(name) is new" : "missing in cluster \(name)")
                action = PlanAction(id: id, change: .create, step: step, resource: resource, reason: reason, needs: needs)
            }
            // A leader whose insides wait for the next round (stopped, or its context being
            // exported) makes no secret this round: a copy that must change is planned with it.
            if plan.deferredClusters.contains(leader), action.change != .inSync { continue }
            plan.add(action)
        }
    }

    static func planDestroy(_ cluster: Topology.Cluster, _ scope: DestroyScope, _ plan: inout PlanBuilder) {
        guard case .ownedObjects(let observed) = scope else { return }
        let topology = plan.topology
        let copies = observed.objects.sharedSecrets.values.filter { $0.isOwned(byTopology: topology.name) }.sorted { $0.name < $1.name }
        for secret in copies {
            plan.add(
                PlanAction(
                    id: .sharedSecret(secret.name, cluster: cluster.name), change: .delete,
                    step: Delete(cluster: cluster.name, name: secret.name),
                    resource: "Secret \(secret.namespace ?? topology.vault.namespace)/\(secret.name)",
                    reason: "copied by topology \(topology.name)"))
        }
    }

    /// Waits for the secret in the leader's cluster, strips what the server populated, and
    /// applies the copy (on stdin, marked sensitive).
    struct Copy: Step {
        var name: String
        var from: String
        var to: String

        func run(_ context: StepContext) async throws {
            let namespace = context.topology.vault.namespace
            let get = context.kubectl(from).getObject("secret", name, namespace: namespace)
            var source: Node?
            try await context.waitUntil("secret \(namespace)/\(name) to exist in cluster \(from)", interval: .milliseconds(250)) {
                let result = try await context.run(get)
                guard result.isSuccess else { return .notYet(result.lastErrorLine) }
                source = try Node(json: Data(result.standardOutput))
                return .ready
            }
            guard let source else { return }
            let copy = context.owned(KubeObject(node: source).manifestForCopy(namespace: namespace))
            try await context.ensureNamespace(namespace, cluster: to)
            try await context.check(context.kubectl(to).apply(manifest: YAMLEmitter.emit(copy), sensitive: true))
        }
    }

    struct Delete: Step {
        var cluster: String
        var name: String
        func run(_ context: StepContext) async throws {
            try await context.check(context.kubectl(cluster).delete("secret", name, namespace: context.topology.vault.namespace))
        }
    }
}
