import YAML

/// The Raft cluster's bootstrap leader. `vault.leader` only decides which Vault initialises a NEW
/// Raft cluster (its CR says `raftLeaderAddress: self`); the others join it. On a Raft cluster
/// that already runs, another leader in the spec would make that cluster's Vault initialise a
/// second Raft cluster of its own. So a change of `vault.leader` over live Vault CRs is a
/// re-bootstrap: every Vault CR is re-created and its data lost — planned as replacements marked
/// as data loss, which apply refuses without `--allow-data-loss`.
enum RaftBootstrapResource: GlobalRule {
    static func planApply(_ plan: inout PlanBuilder) {
        guard let bootstrap = observedBootstrapCluster(plan.world), bootstrap != plan.leaderName else { return }
        let leader = plan.leaderName
        for index in plan.actions.indices {
            guard case .vault(let cluster) = plan.actions[index].id,
                let live = plan.world.cluster(named: cluster)?.objects.vaults, !live.isEmpty
            else { continue }
            let names = live.keys.sorted().joined(separator: ", ")
            var action = plan.actions[index]
            action.change = .replace
            var step = VaultResource.Apply(cluster: cluster, deleteFirst: true)
            if cluster == leader, !plan.kmsIsNew, plan.kmsKeysLost == nil {
                // The KMS holds the old Raft cluster's keys and bank-vaults never initialises over
                // them (docs/tools.md#bank-vaults-kv): the dev-mode KMS is restarted, which empties
                // it (docs/tools.md#vault-dev), before the new leader's CR is created.
                if case .container(let kms, _, _) = plan.topology.kms {
                    step.restartKMS = kms
                } else {
                    plan.problems.append(
                        PlanProblem(
                            cluster: leader,
                            "re-bootstrapping Raft with leader \(leader) needs the old unseal keys gone from the external KMS (bank-vaults never initialises over existing keys): delete the vault-root, vault-test and vault-unseal-* entries under the CRs' unsealKeysPath, or give the new cluster another unsealKeysPath"
                        ))
                }
            }
            action.step = step
            action.reason =
                "vault.leader moved from \(bootstrap) to \(leader), but \(bootstrap)'s Vault bootstrapped the running Raft cluster; the leader only bootstraps Raft, so \(leader) taking over means re-bootstrapping every node (to keep the data, set vault.leader back to \(bootstrap))"
            action.observed = "Raft bootstrapped by cluster \(bootstrap)"
            action.dataLoss =
                "re-bootstrapping Raft with leader \(leader) re-creates Vault \(names) in cluster \(cluster) and loses its data"
            plan.actions[index] = action
        }
        // The re-created CRs get their readiness waits (the followers' CRs wait for the leader's).
        for cluster in plan.topology.clusters where plan.action(.vaultReady(cluster.name)) == nil {
            VaultReadyResource.planApply(cluster, &plan)
        }
    }

    /// The cluster whose live Vault CR bootstrapped Raft (`spec.raftLeaderAddress: self`).
    static func observedBootstrapCluster(_ world: World) -> String? {
        world.clusters.first { cluster in
            cluster.objects.vaults.values.contains { $0.node[path: "spec", "raftLeaderAddress"]?.string == "self" }
        }?.name
    }

    /// `validate`: templates that render `raftLeaderAddress: self` for more than one cluster would
    /// bootstrap more than one Raft cluster. One error per extra cluster, at its template.
    static func duplicateBootstraps(_ loaded: LoadedTopology) -> [Diagnostic] {
        var bootstraps: [String] = []
        var problems: [Diagnostic] = []
        for cluster in loaded.topology.clusters {
            let values = TemplateValues.for(topology: loaded.topology, cluster: cluster)
            guard let template = loaded.template(for: cluster),
                let documents = try? template.render(values, mode: .display),
                documents.contains(where: { $0["kind"]?.string == "Vault" && $0[path: "spec", "raftLeaderAddress"]?.string == "self" })
            else { continue }
            bootstraps.append(cluster.name)
            if bootstraps.count > 1 {
                problems.append(
                    loaded.diagnostic(
                        "cluster \(cluster.name)'s Vault CR renders raftLeaderAddress: self, as cluster \(bootstraps[0])'s does; only the leader (vault.leader: \(loaded.topology.leader.name)) bootstraps Raft, the others join it (give this cluster a follower template)",
                        at: "spec.clusters[\(loaded.topology.index(of: cluster.name) ?? 0)].name"))
            }
        }
        return problems
    }
}
