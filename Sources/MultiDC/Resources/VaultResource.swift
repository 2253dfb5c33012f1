import Foundation
import YAML

/// The Vault custom resources of each cluster, rendered from its template: created, updated
/// field by field, or deleted and re-created when the KMS is new (their unseal keys lived in the
/// old one). Followers need the leader's CR applied first (its operator makes the TLS secret
/// they copy), not its pod Ready: a follower's Raft join is retried until the leader answers.
enum VaultResource: ClusterRule, ClusterDestroyRule {
    static func planApply(_ cluster: Topology.Cluster, _ plan: inout PlanBuilder) {
        planCR(cluster, &plan)
        // A follower joins a leader whose insides are planned next round (stopped, or its
        // context being exported) only then: a changing CR would wait on a secret nobody makes now.
        if cluster.name != plan.leaderName, plan.deferredClusters.contains(plan.leaderName) {
            plan.actions.removeAll { $0.id == .vault(cluster.name) && $0.change != .inSync }
        }
    }

    private static func planCR(_ cluster: Topology.Cluster, _ plan: inout PlanBuilder) {
        guard let inside = plan.inside[cluster.name] else { return }
        let name = cluster.name
        let topology = plan.topology
        let leader = plan.leaderName
        var needs: [ActionID] = [
            .vaultOperator(name), .kms, .pool(name), .manifests(name), .ownership(name), .metalLB(name), .images(name),
        ]
        if name != leader {
            // bank-vaults joins the leader once and exits on failure; the pod then crash-loops
            // with the kubelet's back-off (10 s doubling to 5 min; docs/tools.md#bank-vaults-join,
            // #k8s-crashloop-backoff). So a follower's CR waits for the leader's pods Ready.
            needs += [.vault(leader), .vaultReady(leader)] + topology.vault.shareSecrets.map { .sharedSecret($0, cluster: name) }
        }
        // Without a pool for the leader (loadBalancer none, provider existing) the leader's
        // address comes from the cloud; once its Vault Service has one, the followers'
        // raftLeaderAddress is known and compared, not shown as `(known after apply)`.
        var assumptions: [String: String] = [:]
        if let leaderIP = observedLeaderAddress(plan) { assumptions["leader.loadBalancerIP"] = leaderIP }
        let values = TemplateValues.for(
            topology: topology, cluster: cluster, subnet: plan.subnet, kmsAddress: plan.keptKMSAddress, kmsToken: nil,
            assumptions: assumptions)
        let rendered: [Node]
        do {
            rendered = try manifests(plan.input.loaded, cluster: cluster, values: values, mode: .display)
        } catch {
            for d in error.items { plan.problems.append(PlanProblem(cluster: name, d.summary)) }
            return
        }
        let vaults = Self.vaults(rendered)
        let names = vaults.compactMap(Self.name)
        let resource = "Vault CR " + (names.isEmpty ? "(none)" : names.joined(separator: ", "))
        guard case .observed(let objects, _) = inside else {
            var step = Apply(cluster: name, deleteFirst: false)
            var reason = "cluster \(name) is new"
            if let kms = keysToClear(name, plan) {
                // bank-vaults never overwrites a key in the KMS ("error before init: value for key
                // 'vault-root' already exists"; docs/tools.md#bank-vaults-kv), so a new leader
                // cannot initialise while the kept KMS holds the old cluster's keys: restart the
                // dev-mode KMS first, which empties it (docs/tools.md#vault-dev).
                step.restartKMS = kms
                reason += "; KMS container \(kms) is restarted first to clear the unseal keys of the Vault cluster that ran there"
            }
            plan.add(
                PlanAction(id: .vault(name), change: .create, step: step, resource: resource, reason: reason, needs: needs))
            return
        }
        var fields: [FieldChange] = []
        var missing: [String] = []
        for vault in vaults {
            guard let vaultName = Self.name(vault) else { continue }
            guard let live = objects.vaults[vaultName] else {
                missing.append(vaultName)
                continue
            }
            fields += FieldDiff.changes(
                rendered: vault, live: live.node,
                sensitiveMatches: { [fingerprint = plan.tokenFingerprint] text in
                    guard let text, let fingerprint else { return false }
                    return SHA256.hex(text) == fingerprint
                }
            ).map { FieldChange(path: "\(vaultName): \($0.path)", before: $0.before, after: $0.after) }
            // Fields the template no longer sets: `kubectl apply` removes them (three-way merge
            // with the last-applied configuration; FieldDiff.removals), so the diff shows them.
            fields += FieldDiff.removals(
                rendered: vault, lastApplied: FieldDiff.lastApplied(of: live.node), live: live.node,
                isSensitive: { [fingerprint = plan.tokenFingerprint] text in fingerprint.map { SHA256.hex(text) == $0 } ?? false }
            ).map { FieldChange(path: "\(vaultName): \($0.path)", before: $0.before, after: nil) }
        }
        let liveVaults = objects.vaults.keys.sorted()
        if (plan.kmsIsNew || plan.kmsKeysLost != nil) && !liveVaults.isEmpty {
            let why =
                plan.kmsIsNew
                ? "the KMS is new: the Vault cluster must be re-initialised with keys in the new KMS"
                : "the KMS lost its unseal keys (\(plan.kmsKeysLost ?? "")): the Vault cluster must be re-initialised with keys in the KMS"
            plan.add(
                PlanAction(
                    id: .vault(name), change: .replace, step: Apply(cluster: name, deleteFirst: true), resource: resource,
                    reason: why,
                    observed:
                        "Vault \(liveVaults.joined(separator: ", ")) initialised against \(plan.kmsIsNew ? "the old KMS" : "keys the KMS lost")",
                    needs: needs,
                    dataLoss:
                        "the data of Vault \(liveVaults.joined(separator: ", ")) in cluster \(name) (its CRs, their PersistentVolumeClaims and the Raft data on them are deleted, then initialised afresh)",
                    fields: fields))
        } else if !missing.isEmpty {
            plan.add(
                PlanAction(
                    id: .vault(name), change: .create, step: Apply(cluster: name, deleteFirst: false), resource: resource,
                    reason: "no Vault CR \(missing.joined(separator: ", ")) in namespace \(topology.vault.namespace)", needs: needs))
        } else if !fields.isEmpty {
            plan.add(
                PlanAction(
                    id: .vault(name), change: .update, step: Apply(cluster: name, deleteFirst: false), resource: resource,
                    reason: "\(fields.count) field(s) differ from the rendered template", needs: needs, fields: fields))
        } else {
            let pods = objects.vaultPods.filter { p in names.contains { p.name.hasPrefix($0) } }
            let ready = pods.filter(\.ready).map(\.name)
            plan.add(
                PlanAction(
                    id: .vault(name), change: .inSync, step: Apply(cluster: name, deleteFirst: false), resource: resource,
                    reason: ready.isEmpty ? "in sync; no Vault pod Ready yet" : "in sync; pod \(ready.joined(separator: ", ")) Ready",
                    needs: needs))
        }
    }

    /// The KMS container to restart before the leader's Vault CR is created in a cluster this
    /// plan creates while no Vault node is left in any cluster: the kept KMS may hold the keys of
    /// the Vault cluster that is gone, and emptying it loses nothing (nil: the KMS is new or
    /// already lost its keys, this is not the leader, or Vault nodes survive elsewhere — their
    /// Raft cluster and its keys live on, and the new leader's place in it is the Raft rules').
    static func keysToClear(_ cluster: String, _ plan: PlanBuilder) -> String? {
        guard cluster == plan.leaderName, !plan.kmsIsNew, plan.kmsKeysLost == nil, case .container(let name, _, _) = plan.topology.kms,
            let container = plan.world.kms.container, container.state == .running || container.state == .paused,
            plan.world.clusters.allSatisfy({ $0.objects.vaults.isEmpty })
        else { return nil }
        return name
    }

    static func planDestroy(_ cluster: Topology.Cluster, _ scope: DestroyScope, _ plan: inout PlanBuilder) {
        guard case .ownedObjects(let observed) = scope else { return }
        let vaults = observed.objects.vaults.values.filter { $0.isOwned(byTopology: plan.topology.name) }.map(\.name).sorted()
        guard !vaults.isEmpty else { return }
        plan.add(
            PlanAction(
                id: .vault(cluster.name), change: .delete, step: Delete(cluster: cluster.name, names: vaults),
                resource: "Vault CR \(vaults.joined(separator: ", "))", reason: "owned by topology \(plan.topology.name)",
                dataLoss: "the Vault node(s) \(vaults.joined(separator: ", ")) in cluster \(cluster.name)"))
    }

    /// Without MetalLB pools (`loadBalancer: none`) the leader's address is whatever the cloud
    /// gave its Vault Service: known from observation once the leader runs, else after apply
    /// (not when the leader's Vault is re-created — a new Service gets a new address).
    static func observedLeaderAddress(_ plan: PlanBuilder) -> String? {
        let leaderName = plan.leaderName
        guard plan.pools[leaderName] == nil, !plan.kmsIsNew, !plan.networkReplaced,
            let leader = plan.world.cluster(named: leaderName), leader.reachability.isReachable
        else { return nil }
        let services = leader.objects.vaultServices.filter { $0.type == "LoadBalancer" && $0.loadBalancerIP != nil }
        return (services.first { leader.objects.vaults[$0.name] != nil } ?? services.first)?.loadBalancerIP
    }

    // MARK: Rendering

    /// The Vault CR documents of a cluster's template, rendered and marked as owned.
    static func manifests(
        _ loaded: LoadedTopology, cluster: Topology.Cluster, values: TemplateValues, mode: Template.Mode
    ) throws(Diagnostics) -> [Node] {
        try ClusterManifests.render(loaded, cluster: cluster, values: values, mode: mode).vault.filter { $0.mapping != nil }
    }

    /// The names of a cluster's Vault CRs (they do not depend on values known only after apply).
    static func names(_ loaded: LoadedTopology, cluster: Topology.Cluster) throws(Diagnostics) -> [String] {
        let values = TemplateValues.for(topology: loaded.topology, cluster: cluster)
        return vaults(try manifests(loaded, cluster: cluster, values: values, mode: .display)).compactMap(name)
    }

    /// The Vault CRs among rendered documents.
    static func vaults(_ documents: [Node]) -> [Node] { documents.filter { $0["kind"]?.string == "Vault" } }

    /// Name of an object (`metadata.name`).
    static func name(_ object: Node) -> String? { object[path: "metadata", "name"]?.string }

    // MARK: Steps

    /// Renders the cluster's CRs with every value known by now (the subnet, the KMS's address and
    /// token, the leader's LoadBalancer address) and applies them (on stdin, marked sensitive),
    /// deleting the old ones first when the KMS is new.
    struct Apply: Step {
        var cluster: String
        /// Re-initialise: delete the CRs, wait for their pods to go, delete their
        /// PersistentVolumeClaims (they outlive the CR and hold the Raft data;
        /// docs/tools.md#k8s-pvc-retention), then apply.
        var deleteFirst: Bool
        /// A KMS container to `docker restart` first, emptying it (the leader of a re-created cluster).
        var restartKMS: String? = nil

        func run(_ context: StepContext) async throws {
            let topology = context.topology
            guard let spec = topology.clusters.first(where: { $0.name == cluster }) else { return }
            let subnet: CIDR? = topology.loadBalancer == .none ? context.state.subnet : try await context.subnet()
            var assumptions: [String: String] = [:]
            if topology.loadBalancer == .none, cluster != topology.leader.name {
                assumptions["leader.loadBalancerIP"] = try await leaderServiceAddress(context)
            }
            if let restartKMS {
                try await context.check(Docker.restart([restartKMS]))
                context.state.kmsAddress = nil  // a restarted container may get another address
            }
            let values = TemplateValues.for(
                topology: topology, cluster: spec, subnet: subnet, kmsAddress: try await context.kmsAddress(),
                kmsToken: try await context.kmsToken(), assumptions: assumptions)
            let documents: [Node]
            do {
                documents = try manifests(context.loaded, cluster: spec, values: values, mode: .apply)
            } catch {
                throw StepError(.render, "rendering the Vault CR of cluster \(cluster): \(error.description)")
            }
            let names = vaults(documents).compactMap(name)
            try await context.ensureNamespace(topology.vault.namespace, cluster: cluster)
            if deleteFirst { try await Self.deleteWithData(names, cluster: cluster, context) }
            try await context.applyUntilAccepted(
                "the Vault CRD to accept \(names.joined(separator: ", ")) in cluster \(cluster)", cluster: cluster, documents,
                sensitive: true)
            try await Self.recordKMS(cluster: cluster, context)
        }

        /// Deletes the CRs, waits for their pods to go, then deletes the claims the operator's
        /// StatefulSet made: the StatefulSet controller copies the set's selector labels
        /// (`vault_cr=<name>`, vault-operator `labelsForVault`) onto each claim (kubernetes
        /// pkg/controller/statefulset/stateful_set_utils.go `getPersistentVolumeClaims`), and the
        /// default retention policy keeps them after the set is gone (docs/tools.md#k8s-pvc-retention).
        /// `kubectl delete` waits for the objects to be gone (its `--wait` defaults to true); `kubectl
        /// wait --for=delete` of a pod already gone succeeds (kubectl@dee3483a pkg/cmd/wait/wait.go:
        /// NotFound is ignored for delete).
        static func deleteWithData(_ names: [String], cluster: String, _ context: StepContext) async throws {
            let namespace = context.topology.vault.namespace
            let kubectl = context.kubectl(cluster)
            try await context.check(kubectl.delete("vault", names, namespace: namespace))
            for name in names {
                let gone = kubectl.wait(for: "delete", "pod/\(name)-0", namespace: namespace, timeout: "10s")
                try await context.waitUntil("pod \(namespace)/\(name)-0 in cluster \(cluster) to be deleted") {
                    let result = try await context.run(gone)
                    return result.isSuccess ? .ready : .notYet(result.lastErrorLine)
                }
                try await context.check(kubectl.delete("pvc", selector: "vault_cr=\(name)", namespace: namespace))
            }
        }

        /// Records on the ownership record which KMS incarnation (its network endpoint) the CR's
        /// unseal keys go into (KMSResource.keysLost).
        static func recordKMS(cluster: String, _ context: StepContext) async throws {
            guard let kms = context.topology.kmsContainerName, context.topology.provider == .kind else { return }
            // Best effort: without a record the KMS is trusted (KMSResource.keysLost), as before.
            let result = try await context.run(Docker.networkInspect(context.topology.network.name))
            guard result.isSuccess, let endpoint = (try? Docker.parseNetworkInspect(result))??.attachment(for: kms)?.endpointID else {
                return
            }
            try await OwnershipResource.annotate(cluster, [(OwnershipResource.kmsEndpointKey, endpoint)], context)
        }

        /// Without MetalLB pools the leader's address is what the cloud gives its Vault Service:
        /// `status.loadBalancer.ingress[0]`'s `ip`, or its `hostname` where the cloud reports a name
        /// and no address (EKS; docs/tools.md#k8s-lb-hostname). Empty while pending.
        func leaderServiceAddress(_ context: StepContext) async throws -> String {
            let leader = context.topology.leader
            guard let service = try VaultResource.names(context.loaded, cluster: leader).first else {
                throw StepError(.render, "the leader's template has no Vault CR")
            }
            let get = context.kubectl(leader.name).getObject("service", service, namespace: context.topology.vault.namespace)
            var address = ""
            try await context.waitUntil(
                "Service \(service) in cluster \(leader.name) to get a LoadBalancer address", interval: .milliseconds(250)
            ) {
                let result = try await context.run(get)
                guard result.isSuccess else { return .notYet(result.lastErrorLine) }
                let ingress = try Node(json: Data(result.standardOutput))[path: "status", "loadBalancer", "ingress"]?.sequence?.first
                address = (ingress?["ip"]?.string).flatMap { $0.isEmpty ? nil : $0 } ?? ingress?["hostname"]?.string ?? ""
                return address.isEmpty ? .notYet("pending") : .ready
            }
            return address
        }
    }

    /// `kubectl delete vault NAME… --ignore-not-found`.
    struct Delete: Step {
        var cluster: String
        var names: [String]
        func run(_ context: StepContext) async throws {
            try await context.check(context.kubectl(cluster).delete("vault", names, namespace: context.topology.vault.namespace))
        }
    }
}

/// The Vault pods of a cluster Ready: a readiness wait that runs as its own step, after the CR is
/// applied, so that what follows the CR (the followers) does not wait for it.
enum VaultReadyResource: ClusterRule {
    static func planApply(_ cluster: Topology.Cluster, _ plan: inout PlanBuilder) {
        guard let apply = plan.action(.vault(cluster.name)), apply.change != .inSync else { return }
        let pods: [String]
        do {
            pods = try VaultResource.names(plan.input.loaded, cluster: cluster).map { "\($0)-0" }
        } catch {
            return  // the Vault rule reported the render problem
        }
        plan.add(
            PlanAction(
                id: .vaultReady(cluster.name), change: .wait, step: Wait(cluster: cluster.name, pods: pods),
                resource: "Vault pod \(pods.joined(separator: ", ")) Ready", reason: "after its CR is applied",
                needs: [.vault(cluster.name)]))
    }

    /// Waits for pod `<name>-0` of each Vault CR to be Ready.
    struct Wait: Step {
        var cluster: String
        var pods: [String]

        func run(_ context: StepContext) async throws {
            let namespace = context.topology.vault.namespace
            for pod in pods {
                let wait = context.kubectl(cluster).wait(for: "condition=Ready", "pod/\(pod)", namespace: namespace, timeout: "10s")
                try await context.waitUntil("pod \(namespace)/\(pod) in cluster \(cluster) to be Ready") {
                    let result = try await context.run(wait)
                    return result.isSuccess ? .ready : .notYet(result.lastErrorLine)
                }
            }
        }
    }
}
