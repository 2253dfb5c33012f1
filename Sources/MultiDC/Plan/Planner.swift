/// The planner: a pure function from a topology and the observed world to a plan. It walks the
/// table of resource rules below; each managed resource keeps its planning rule and its steps
/// together in one file under Sources/MultiDC/Resources.
package enum Planner {
    /// Rules for the topology-wide resources planned before the clusters, in order.
    static var globalRules: [any GlobalRule.Type] { [NetworkResource.self, PoolResource.self, KMSResource.self] }
    /// Rules for what lives inside each cluster, in order, once the cluster's own rule
    /// (`KindClusterResource`) has said its insides can be planned.
    static var insideRules: [any ClusterRule.Type] {
        [
            OwnershipResource.self, ImagesResource.self, MetalLBResource.self, PoolResource.self, OperatorResource.self,
            ManifestsResource.self,
            SharedSecretResource.self, VaultResource.self, VaultReadyResource.self,
        ]
    }
    /// Rules for topology-wide resources that depend on what the clusters need.
    static var closingRules: [any GlobalRule.Type] {
        [HelmRepositoryResource.self, ImagesResource.self, RaftBootstrapResource.self, RaftPeerResource.self]
    }
    /// Destroy rules per cluster, in removal order, then the topology-wide ones.
    static var clusterDestroyRules: [any ClusterDestroyRule.Type] {
        [
            VaultResource.self, SharedSecretResource.self, OperatorResource.self, PoolResource.self, OwnershipResource.self,
            KindClusterResource.self,
        ]
    }
    static var globalDestroyRules: [any GlobalDestroyRule.Type] { [KMSResource.self, NetworkResource.self] }

    /// What `apply` would do.
    package static func plan(_ input: PlanInput) -> Plan {
        var plan = PlanBuilder(input: input)
        guard plan.engineIsUsable() else { return plan.finish(purpose: .apply) }
        for rule in globalRules { rule.planApply(&plan) }
        // The leader's cluster first: followers' secret copies and Vault CRs need its actions.
        let topology = input.topology
        let leaderFirst = topology.clusters.filter { $0.name == plan.leaderName } + topology.clusters.filter { $0.name != plan.leaderName }
        for cluster in leaderFirst {
            KindClusterResource.planApply(cluster, &plan)
            guard plan.inside[cluster.name] != nil else { continue }
            for rule in insideRules { rule.planApply(cluster, &plan) }
        }
        for rule in closingRules { rule.planApply(&plan) }
        OwnershipResource.noteProvenance(&plan)
        return plan.finish(purpose: .apply)
    }

    /// What `destroy` would remove: only what carries this topology's ownership marks, in reverse
    /// dependency order.
    package static func destroyPlan(_ input: PlanInput) -> Plan {
        var plan = PlanBuilder(input: input)
        guard plan.engineIsUsable() else { return plan.finish(purpose: .destroy) }
        for cluster in input.topology.clusters {
            guard let scope = KindClusterResource.destroyScope(cluster, &plan) else { continue }
            for rule in clusterDestroyRules { rule.planDestroy(cluster, scope, &plan) }
        }
        // The topology's clusters that already left the spec go too (nothing of Raft is kept).
        RaftPeerResource.planDestroyFormer(&plan)
        for rule in globalDestroyRules { rule.planDestroy(&plan) }
        return plan.finish(purpose: .destroy)
    }
}

/// A topology-wide resource's apply rule.
protocol GlobalRule {
    static func planApply(_ plan: inout PlanBuilder)
}

/// A per-cluster resource's apply rule.
protocol ClusterRule {
    static func planApply(_ cluster: Topology.Cluster, _ plan: inout PlanBuilder)
}

/// What destroy may remove in a cluster.
enum DestroyScope {
    /// The whole kind cluster goes (its objects with it).
    case wholeCluster
    /// Provider existing: the cluster stays; only objects carrying the ownership marks go.
    case ownedObjects(ClusterObservation)
}

/// A per-cluster resource's destroy rule.
protocol ClusterDestroyRule {
    static func planDestroy(_ cluster: Topology.Cluster, _ scope: DestroyScope, _ plan: inout PlanBuilder)
}

/// A topology-wide resource's destroy rule.
protocol GlobalDestroyRule {
    static func planDestroy(_ plan: inout PlanBuilder)
}

extension PlanBuilder {
    /// Whether docker answered well enough to plan (only needed where docker is used at all):
    /// without the container list, kind clusters and the KMS are unknown, not absent.
    mutating func engineIsUsable() -> Bool {
        guard topology.provider == .kind || topology.kmsContainerName != nil else { return true }
        if case .unreachable(let message) = world.engine {
            problems.append(PlanProblem("the Docker engine is unreachable: \(message)"))
            return false
        }
        if let message = world.containerListProblem {
            problems.append(PlanProblem("cannot list docker containers: \(message)"))
            return false
        }
        return true
    }
}
