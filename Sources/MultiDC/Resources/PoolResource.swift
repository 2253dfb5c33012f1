import YAML

/// Each cluster's MetalLB address pool: a slice of the network's subnet (or the pool the spec
/// pins), written as the ConfigMap `config` before MetalLB v0.13 and as an IPAddressPool plus an
/// L2Advertisement from v0.13 on. The global rule cuts the pools once per plan.
enum PoolResource: GlobalRule, ClusterRule, ClusterDestroyRule {
    /// Names of the MetalLB objects multidc writes in CRD mode.
    static let addressPoolName = "multidc-pool"
    static let l2AdvertisementName = "multidc-l2"

    /// Cuts every cluster's pool from the pinned or observed subnet, and refuses pools that hold
    /// the address of a container already on the network.
    static func planApply(_ plan: inout PlanBuilder) {
        guard case .metallb = plan.topology.loadBalancer else { return }
        let topology = plan.topology
        if topology.provider == .kind {
            if let pinned = topology.network.subnet {
                plan.subnet = pinned
            } else if let observed = plan.world.network.value?.ipv4Subnet.flatMap({ CIDR($0) }) {
                plan.subnet = observed
                plan.notes.append("pools are cut from \(observed), the subnet docker gave network \(topology.network.name)")
            }
        }
        switch PoolSlicer.pools(for: topology, knownSubnet: plan.subnet) {
        case .success(let list)?:
            for pool in list { plan.pools[pool.cluster] = pool }
        case .failure(let list)?:
            for problem in list { plan.problems.append(PlanProblem(problem.message)) }
            return
        case nil:
            plan.notes.append(
                "the pools are known after apply: network \(topology.network.name) does not exist yet and the spec does not pin its subnet")
            return
        }
        guard !plan.networkReplaced, let network = plan.world.network.value else { return }
        refuseOverlaps(&plan, network: network.name)
        for attachment in network.containers {
            guard let text = attachment.ipv4Address, let ip = IPAddress(text) else { continue }
            for cluster in topology.clusters {
                if let pool = plan.pools[cluster.name], pool.cidr.contains(ip) {
                    plan.problems.append(
                        PlanProblem(
                            cluster: cluster.name,
                            "container \(attachment.name) holds \(ip), inside the pool \(pool.cidr) of cluster \(cluster.name); move the pool (clusters[].pool) or remove the container"
                        ))
                }
            }
        }
    }

    /// Label on the KMS container: the topology's pools (CIDRs, space-separated — `docker ps`
    /// joins labels with `,`, docs/tools.md#docker-ps), so that other topologies on the same
    /// network can see them.
    static let poolsLabel = "multidc/pools"

    /// Refuses pools that overlap another topology's on the same docker network: two MetalLB
    /// speakers would answer ARP for the same addresses. Another topology's pools are visible
    /// through what observation already reads (`docker ps`, no extra process): the
    /// `multidc/pools` label its KMS container carries (written when the KMS is created; a
    /// topology without a KMS container, or whose pools moved since, is not seen).
    static func refuseOverlaps(_ plan: inout PlanBuilder, network: String) {
        let topology = plan.topology
        for container in plan.world.containers {
            guard let other = container.labels[Ownership.topologyKey], other != topology.name, container.networks.contains(network),
                let text = container.labels[poolsLabel]
            else { continue }
            let theirs = text.split(separator: " ").compactMap { CIDR(String($0)) }
            for cluster in topology.clusters {
                guard let pool = plan.pools[cluster.name], let clash = theirs.first(where: { $0.overlaps(pool.cidr) }) else { continue }
                plan.problems.append(
                    PlanProblem(
                        cluster: cluster.name,
                        "the pool \(pool.cidr) of cluster \(cluster.name) overlaps the pool \(clash) of topology \(other) on network \(network) (label \(poolsLabel) of its KMS container \(container.name)); pin clusters[].pool to a free range"
                    ))
            }
        }
    }

    /// The value of the `multidc/pools` label for a topology's pools.
    static func poolsLabelValue(_ pools: [ClusterPool]) -> String { pools.map(\.cidr.description).joined(separator: " ") }

    /// Moving a pool changes the LoadBalancer address of the cluster's Vault Service, which is the
    /// node's Raft address: the other members keep the old one and the node is cut off.
    static func moveLoss(_ cluster: String, _ lb: ClusterObjects?) -> String? {
        guard let vaults = lb?.vaults.keys.sorted(), !vaults.isEmpty else { return nil }
        return
            "cluster \(cluster) holds Vault node \(vaults.joined(separator: ", ")): its LoadBalancer address comes from this pool and is its Raft address, so moving the pool cuts the node off from the Raft cluster"
    }

    static func planApply(_ cluster: Topology.Cluster, _ plan: inout PlanBuilder) {
        guard case .metallb(let metallb) = plan.topology.loadBalancer, case .some(let inside) = plan.inside[cluster.name] else { return }
        let name = cluster.name
        let mode = metallb.mode
        let needs: [ActionID] = [.metalLB(name)]
        guard let pool = plan.pools[name] else {
            plan.add(
                PlanAction(
                    id: .pool(name), change: .create, step: Configure(cluster: name, mode: mode, pool: nil), resource: "MetalLB pool",
                    reason: "the pool is cut from network \(plan.topology.network.name)'s subnet, known after apply",
                    needs: needs + [.network]))
            return
        }
        let step = Configure(cluster: name, mode: mode, pool: pool)
        let wanted = pool.rangeText
        var lb = MetalLBState()
        var observedObjects: ClusterObjects?
        if case .observed(let objects, _) = inside {
            lb = objects.metalLB
            observedObjects = objects
        }
        switch mode {
        case .configMap:
            let resource = "ConfigMap metallb-system/config (\(wanted))"
            guard let config = lb.legacyConfig else {
                plan.add(
                    PlanAction(
                        id: .pool(name), change: .create, step: step, resource: resource, reason: "no address pool configured", needs: needs
                    ))
                return
            }
            let live = config.pools.flatMap(\.addresses)
            if config.pools.count == 1, pool.isWritten(as: live), config.pools[0].protocol == "layer2" {
                plan.add(
                    PlanAction(
                        id: .pool(name), change: .inSync, step: step, resource: resource, reason: "pool \(wanted) configured", needs: needs)
                )
            } else {
                plan.add(
                    PlanAction(
                        id: .pool(name), change: .update, step: step, resource: resource,
                        reason: "the address pools differ from the slice of cluster \(name)", observed: live.joined(separator: ","),
                        needs: needs, dataLoss: live.isEmpty ? nil : moveLoss(name, observedObjects),
                        fields: [FieldChange(path: "data.config address-pools", before: live.joined(separator: ","), after: wanted)]))
            }
        case .customResources:
            let resource = "IPAddressPool metallb-system/\(addressPoolName) (\(wanted))"
            guard let live = lb.addressPools.first(where: { $0.name == addressPoolName }) else {
                plan.add(
                    PlanAction(
                        id: .pool(name), change: .create, step: step, resource: resource, reason: "no IPAddressPool \(addressPoolName)",
                        needs: needs))
                return
            }
            let matches = pool.isWritten(as: live.addresses)
            let hasAdvertisement = lb.l2Advertisements.contains { $0.name == l2AdvertisementName }
            if matches && hasAdvertisement {
                plan.add(
                    PlanAction(
                        id: .pool(name), change: .inSync, step: step, resource: resource,
                        reason: "pool \(wanted) configured and advertised",
                        needs: needs))
            } else {
                plan.add(
                    PlanAction(
                        id: .pool(name), change: .update, step: step, resource: resource,
                        reason: matches
                            ? "L2Advertisement \(l2AdvertisementName) is missing"
                            : "the pool's addresses differ from the slice of cluster \(name)",
                        observed: live.addresses.joined(separator: ","), needs: needs,
                        dataLoss: matches ? nil : moveLoss(name, observedObjects),
                        fields: matches
                            ? [] : [FieldChange(path: "spec.addresses", before: live.addresses.joined(separator: ","), after: wanted)]))
            }
        }
    }

    /// Provider existing: the pool objects multidc wrote (MetalLB itself came from upstream
    /// manifests without our labels and stays).
    static func planDestroy(_ cluster: Topology.Cluster, _ scope: DestroyScope, _ plan: inout PlanBuilder) {
        guard case .ownedObjects(let observed) = scope else { return }
        let topology = plan.topology.name
        let lb = observed.objects.metalLB
        var objects: [KubeObject] = []
        if let config = lb.legacyConfig?.object, config.isOwned(byTopology: topology) { objects.append(config) }
        objects += lb.addressPools.map(\.object).filter { $0.isOwned(byTopology: topology) }
        objects += lb.l2Advertisements.filter { $0.isOwned(byTopology: topology) }
        for object in objects {
            let namespace = object.namespace ?? MetalLBState.namespace
            plan.add(
                PlanAction(
                    id: .object(kind: object.kind.lowercased(), name: object.name, cluster: cluster.name), change: .delete,
                    step: DeleteObject(cluster: cluster.name, kind: object.kind.lowercased(), name: object.name, namespace: namespace),
                    resource: "\(object.kind) \(namespace)/\(object.name)", reason: "written by topology \(topology)"))
        }
    }

    /// Writes the pool. `pool` nil: it is cut when the step runs, from the subnet the network
    /// step learned (the plan could not know it).
    struct Configure: Step {
        var cluster: String
        var mode: Topology.MetalLB.Mode
        var pool: ClusterPool?

        func run(_ context: StepContext) async throws {
            let pool: ClusterPool
            if let planned = self.pool { pool = planned } else { pool = try await Self.cut(cluster, context) }
            let objects: [Node]
            switch mode {
            case .configMap:
                let config = "address-pools:\n- name: default\n  protocol: layer2\n  addresses:\n  - \(pool.rangeText)\n"
                objects = [
                    context.owned(
                        .mapping([
                            "apiVersion": .string("v1"), "kind": .string("ConfigMap"),
                            "metadata": .mapping(["name": .string("config"), "namespace": .string(MetalLBState.namespace)]),
                            "data": .mapping(["config": .scalar(config, style: .literal)]),
                        ]))
                ]
            case .customResources:
                objects = [
                    context.owned(
                        .mapping([
                            "apiVersion": .string("metallb.io/v1beta1"), "kind": .string("IPAddressPool"),
                            "metadata": .mapping(["name": .string(addressPoolName), "namespace": .string(MetalLBState.namespace)]),
                            "spec": .mapping(["addresses": .sequence([.string(pool.rangeText)])]),
                        ])),
                    context.owned(
                        .mapping([
                            "apiVersion": .string("metallb.io/v1beta1"), "kind": .string("L2Advertisement"),
                            "metadata": .mapping(["name": .string(l2AdvertisementName), "namespace": .string(MetalLBState.namespace)]),
                            "spec": .mapping(["ipAddressPools": .sequence([.string(addressPoolName)])]),
                        ])),
                ]
            }
            // The ≥ v0.13 webhook refuses pools until the controller is Ready: waited out.
            try await context.applyUntilAccepted(
                "MetalLB in cluster \(cluster) to accept the pool \(pool.rangeText)", cluster: cluster, objects)
        }

        static func cut(_ cluster: String, _ context: StepContext) async throws -> ClusterPool {
            switch PoolSlicer.pools(for: context.topology, subnet: try await context.subnet()) {
            case .success(let pools):
                guard let pool = pools.first(where: { $0.cluster == cluster }) else {
                    throw StepError(.pools, "no pool was cut for cluster \(cluster)")
                }
                return pool
            case .failure(let problems):
                throw StepError(.pools, problems.map(\.message).joined(separator: "; "))
            }
        }
    }

    /// `kubectl delete KIND NAME -n NS --ignore-not-found`.
    struct DeleteObject: Step {
        var cluster: String
        var kind: String
        var name: String
        var namespace: String

        func run(_ context: StepContext) async throws {
            try await context.check(context.kubectl(cluster).delete(kind, name, namespace: namespace))
        }
    }
}
