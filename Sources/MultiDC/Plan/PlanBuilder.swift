import YAML

/// The state a plan is built in: the input, the actions the resource rules added so far, and the
/// facts rules share (the subnet, the pools, whether the network or KMS is new, what can be
/// planned inside each cluster). Rules add actions with the needs they declare; `finish()`
/// computes the dependency edges in a second pass over all actions.
package struct PlanBuilder {
    /// What can be planned inside a cluster.
    enum Inside {
        /// The cluster is created (or re-created) by this plan: everything inside is new.
        case new
        /// The cluster answers: its observed objects and helm releases.
        case observed(ClusterObjects, [HelmRelease])
    }

    let input: PlanInput
    var topology: Topology { input.topology }
    var world: World { input.world }

    var actions: [PlanAction] = []
    var problems: [PlanProblem] = []
    var notes: [String] = []
    var deferredClusters: [String] = []

    /// The subnet the pools are cut from: pinned, else observed, else unknown until the network exists.
    var subnet: CIDR?
    /// Each cluster's pool, when the subnet is known (or the pools are pinned).
    var pools: [String: ClusterPool] = [:]
    /// Whether the network (and so everything on it) is being replaced.
    var networkReplaced = false
    /// Whether the KMS container is being created or replaced (its address and keys are new).
    var kmsIsNew = false
    /// Why the kept KMS no longer holds the Vault clusters' unseal keys (it restarted or stopped
    /// since they were written, or this plan clears it); nil: it holds them, or it is new.
    var kmsKeysLost: String?
    /// SHA-256 of the token the Vault CRs must carry (nil: known after apply).
    var tokenFingerprint: String?
    /// Per cluster: what the rules after the cluster's own can plan inside it (absent: nothing).
    var inside: [String: Inside] = [:]

    init(input: PlanInput) {
        self.input = input
    }

    mutating func add(_ action: PlanAction) { actions.append(action) }

    /// Replaces the action with the same id (or adds it): a later finding of the same rule
    /// decides what the resource needs.
    mutating func replaceAction(_ action: PlanAction) {
        if let index = actions.firstIndex(where: { $0.id == action.id }) {
            actions[index] = action
        } else {
            actions.append(action)
        }
    }

    func action(_ id: ActionID) -> PlanAction? { actions.first { $0.id == id } }

    /// Whether an action is in the plan and changes something.
    func changes(_ id: ActionID) -> Bool { actions.contains { $0.id == id && $0.change != .inSync } }

    var leaderName: String { topology.leader.name }

    /// The KMS's address on the network, when it runs and is kept.
    var keptKMSAddress: String? {
        guard !kmsIsNew, !networkReplaced, case .container(let name, _, _) = topology.kms, let container = world.kms.container
        else { return nil }
        return world.network.value?.attachment(for: name)?.ipv4Address ?? container.ipv4Address
    }

    /// The plan, with every action's `dependsOn` computed in a second pass over all actions:
    /// the declared needs that are in the plan and change something (an in-sync action runs no
    /// job, so nothing waits for it). In an apply plan global actions come first; the order is
    /// otherwise the rules' order.
    func finish(purpose: Plan.Purpose) -> Plan {
        let changing = Set(actions.filter { $0.change != .inSync }.map(\.id))
        var resolved = actions
        for index in resolved.indices where resolved[index].change != .inSync {
            var seen: Set<ActionID> = []
            resolved[index].dependsOn = resolved[index].needs.filter { changing.contains($0) && seen.insert($0).inserted }
        }
        let ordered =
            purpose == .apply ? resolved.filter { $0.cluster == nil } + resolved.filter { $0.cluster != nil } : resolved
        return Plan(
            topology: topology.name, purpose: purpose, actions: ordered, problems: problems, notes: notes,
            deferredClusters: deferredClusters, known: KnownValues(subnet: subnet, kmsAddress: keptKMSAddress))
    }
}
