import YAML

/// What a plan does to one resource, in terraform's symbols.
package enum Change: String, Sendable, Hashable, CaseIterable {
    case create = "+"
    case update = "~"
    case replace = "-/+"
    case delete = "-"
    /// A readiness wait that runs as its own step (the Vault pods Ready after their CR).
    case wait = "…"
    case inSync = "="

    package var symbol: String { rawValue }

    /// The word used in JSON and messages.
    package var word: String {
        switch self {
        case .create: "create"
        case .update: "update"
        case .replace: "replace"
        case .delete: "delete"
        case .wait: "wait"
        case .inSync: "in-sync"
        }
    }
}

/// One field of a resource that differs between the rendered and the live object.
package struct FieldChange: Sendable, Hashable {
    /// A dotted path with indexes: `spec.unsealConfig.vault.address`, `spec.volumes[0].name`.
    package var path: String
    /// The live value as displayed (nil: absent).
    package var before: String?
    /// The wanted value as displayed (nil: to be removed). Sensitive values display as (sensitive).
    package var after: String?

    package init(path: String, before: String?, after: String?) {
        self.path = path
        self.before = before
        self.after = after
    }
}

/// One action of a plan: what it does, why, and what it must wait for. The plan is exactly the
/// graph that executes: one action, one job.
package struct PlanAction: Sendable, Identifiable {
    package var id: ActionID
    package var change: Change
    /// What runs, with everything decided at plan time (replace semantics included).
    package var step: any Step
    /// The cluster the action belongs to (nil: global — network, KMS, helm repository).
    package var cluster: String? { id.cluster }
    /// The resource in words: `kind cluster primary`, `Vault CR vault-primary`.
    package var resource: String
    /// Why the action is needed (or why it is in sync).
    package var reason: String
    /// The observed value the action fixes, when there is one (`exited`, `172.18.9.128/25`).
    package var observed: String?
    /// What the action needs done first, as its rule declares it, whether or not those actions
    /// change anything; the planner's second pass turns this into `dependsOn`.
    package var needs: [ActionID]
    /// The changing actions that must finish first (computed over the whole plan).
    package internal(set) var dependsOn: [ActionID]
    /// Set when the action destroys data (the KMS's unseal keys, a cluster holding a Vault
    /// node): what would be lost. Such a plan is refused without --allow-data-loss.
    package var dataLoss: String?
    /// For updates of rendered objects: the fields that differ.
    package var fields: [FieldChange]

    package init(
        id: ActionID, change: Change, step: any Step, resource: String, reason: String, observed: String? = nil,
        needs: [ActionID] = [], dataLoss: String? = nil, fields: [FieldChange] = []
    ) {
        self.id = id
        self.change = change
        self.step = step
        self.resource = resource
        self.reason = reason
        self.observed = observed
        self.needs = needs
        self.dependsOn = []
        self.dataLoss = dataLoss
        self.fields = fields
    }
}

/// A reason the plan cannot be carried out at all (an unreachable engine, a foreign container
/// inside a pool, a missing token): diff and apply report it and exit 1.
package struct PlanProblem: Sendable, Hashable, CustomStringConvertible {
    package var cluster: String?
    package var message: String

    package init(cluster: String? = nil, _ message: String) {
        self.cluster = cluster
        self.message = message
    }

    package var description: String { cluster.map { "cluster \($0): \(message)" } ?? message }
}

/// The difference between a topology and the observed world: a DAG of actions.
package struct Plan: Sendable {
    package enum Purpose: String, Sendable { case apply, destroy }

    package var topology: String
    package var purpose: Purpose
    /// Every action, in a deterministic order that respects dependencies (in-sync entries included).
    package var actions: [PlanAction]
    package var problems: [PlanProblem]
    /// Notes for the reader that change nothing (e.g. the subnet adopted from docker).
    package var notes: [String]
    /// Clusters whose insides could not be planned yet (stopped: their API server answers only
    /// after the plan's start action), so apply must observe and plan once more.
    package var deferredClusters: [String]
    /// Values the plan knew when it was made (the subnet, the kept KMS's address); what it did
    /// not know is learned by the steps that create it.
    package var known: KnownValues

    package init(
        topology: String, purpose: Purpose = .apply, actions: [PlanAction] = [], problems: [PlanProblem] = [], notes: [String] = [],
        deferredClusters: [String] = [], known: KnownValues = KnownValues()
    ) {
        self.topology = topology
        self.purpose = purpose
        self.actions = actions
        self.problems = problems
        self.notes = notes
        self.deferredClusters = deferredClusters
        self.known = known
    }

    /// The actions that change something.
    package var changes: [PlanAction] { actions.filter { $0.change != .inSync } }

    package var hasChanges: Bool { !changes.isEmpty }

    /// Actions that would lose data.
    package var dataLosses: [PlanAction] { changes.filter { $0.dataLoss != nil } }

    /// Counted as terraform counts: a replacement is one add and one destroy.
    package var summary: (add: Int, change: Int, destroy: Int) {
        var add = 0, change = 0, destroy = 0
        for action in changes {
            switch action.change {
            case .create: add += 1
            case .update: change += 1
            case .replace: add += 1; destroy += 1
            case .delete: destroy += 1
            case .wait, .inSync: break
            }
        }
        return (add, change, destroy)
    }

    /// `Plan: 3 to add, 1 to change, 0 to destroy.` or `No changes.`
    package var summaryLine: String {
        guard hasChanges else { return "No changes." }
        let s = summary
        return "Plan: \(s.add) to add, \(s.change) to change, \(s.destroy) to destroy."
    }

    /// `Runs as 26 steps, 3 of them readiness waits.` — what apply's report counts (nil: no waits).
    package var stepsLine: String? {
        let waits = self.waits
        guard waits > 0 else { return nil }
        return "Runs as \(changes.count) steps, \(waits) of them readiness wait\(waits == 1 ? "" : "s")."
    }

    /// Whether anything would be deleted or replaced (apply asks before that even without a TTY).
    package var deletesOrReplaces: Bool { changes.contains { $0.change == .delete || $0.change == .replace } }

    /// The readiness waits that run as steps of their own.
    package var waits: Int { changes.filter { $0.change == .wait }.count }

    package func action(_ id: ActionID) -> PlanAction? { actions.first { $0.id == id } }

    /// The action whose id reads `id` (`vault/primary`).
    package func action(_ id: String) -> PlanAction? { actions.first { $0.id.description == id } }
}

/// Values known when the plan was made: the subnet pools are cut from, the address of a KMS
/// that is kept. Steps start from these and learn the rest as they run.
package struct KnownValues: Sendable, Hashable {
    package var subnet: CIDR?
    package var kmsAddress: String?

    package init(subnet: CIDR? = nil, kmsAddress: String? = nil) {
        self.subnet = subnet
        self.kmsAddress = kmsAddress
    }
}
