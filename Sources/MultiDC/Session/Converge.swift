/// `apply` as a loop: observe → plan → execute, again until the plan has no changes (a stopped
/// cluster's insides can only be planned once it answers), then the Raft health check.
package struct ConvergeOptions: Sendable {
    package var allowDataLoss: Bool
    /// `--adopt`: take over kind clusters that carry no ownership record.
    package var adopt: Bool
    package var execution: Session.ExecutionOptions
    /// Rounds of observe → plan → execute before giving up on convergence.
    package var maxRounds: Int
    /// Skip the health check (e.g. for a topology whose Vault CRs are not meant to form Raft).
    package var skipHealth: Bool
    /// Health check timeout; nil: `health.raft.timeout`.
    package var healthTimeout: Duration?
    /// `--cluster`: only these clusters and what they need are applied; the health check, which
    /// judges the whole topology, is skipped, and provenance is recorded on those clusters only.
    package var targets: Set<String>? = nil
    /// What to record on the ownership records (`Provenance`'s rule); nil: record nothing.
    package var provenance: Provenance?

    package init(
        allowDataLoss: Bool = false, adopt: Bool = false, execution: Session.ExecutionOptions = .init(), maxRounds: Int = 3,
        skipHealth: Bool = false, healthTimeout: Duration? = nil, provenance: Provenance? = nil
    ) {
        self.provenance = provenance
        self.adopt = adopt
        self.allowDataLoss = allowDataLoss
        self.execution = execution
        self.maxRounds = maxRounds
        self.skipHealth = skipHealth
        self.healthTimeout = healthTimeout
    }
}

/// How an apply ended.
package enum ConvergeOutcome: Sendable {
    /// Nothing to do and healthy (or health skipped).
    case converged(rounds: [ConvergeRound], health: HealthReport?)
    /// The plan cannot be carried out (problems listed in the plan).
    case blocked(Plan, rounds: [ConvergeRound])
    /// The plan loses data and --allow-data-loss was not given.
    case refused(Plan, rounds: [ConvergeRound])
    /// The caller declined the plan (answered no).
    case declined(Plan, rounds: [ConvergeRound])
    /// An action failed, timed out or was cancelled.
    case failed(rounds: [ConvergeRound])
    /// Everything was applied but the Raft health check did not pass in time.
    case unhealthy(rounds: [ConvergeRound], health: HealthReport)
    /// The plan still had changes after the last round.
    case notConverged(Plan, rounds: [ConvergeRound])

    package var rounds: [ConvergeRound] {
        switch self {
        case .converged(let r, _), .blocked(_, let r), .refused(_, let r), .declined(_, let r), .failed(let r),
            .unhealthy(let r, _), .notConverged(_, let r):
            return r
        }
    }
}

/// One observe → plan → execute round.
package struct ConvergeRound: Sendable {
    package var plan: Plan
    package var report: ExecutionReport?
    /// The provenance written at the end of the apply (on its last round).
    package var provenance: ProvenanceWrite? = nil
}

extension Session {
    /// Converges the world to the topology. `confirm` sees each plan with changes before it runs
    /// (return false to stop); `onHealth` sees each health report while polling.
    package func converge(
        _ loaded: LoadedTopology, options: ConvergeOptions,
        confirm: @escaping (Plan, _ round: Int) async -> Bool = { _, _ in true },
        onHealth: @escaping @Sendable (HealthReport) -> Void = { _ in }
    ) async -> ConvergeOutcome {
        var rounds: [ConvergeRound] = []
        if let missing = await preflightProblem(loaded.topology) {
            return .blocked(Plan(topology: loaded.topology.name, problems: [missing]), rounds: [])
        }
        // One overall --timeout: each round and the health check get what is left of it.
        let start = clock.now
        func remaining(_ limit: Duration?) -> Duration? {
            guard let total = options.execution.timeout else { return limit }
            let left = max(.zero, total - (clock.now - start))
            return limit.map { min($0, left) } ?? left
        }
        let healthTimeout = { remaining(options.healthTimeout ?? loaded.topology.health.raft.timeout) }
        /// The observation made after a round that left stopped clusters for later.
        var confirmed: (world: World, plan: Plan)?

        for round in 1...max(1, options.maxRounds) {
            let world: World, plan: Plan
            if let next = confirmed {
                (world, plan) = next
                confirmed = nil
            } else {
                world = await observe(loaded)
                plan = self.plan(loaded, world: world, adopt: options.adopt, targets: options.targets)
            }
            if !plan.problems.isEmpty { return .blocked(plan, rounds: rounds + [ConvergeRound(plan: plan)]) }
            guard plan.hasChanges else {
                // Earlier rounds changed the world: record all; otherwise only outdated records.
                let applied = rounds.contains { $0.report != nil }
                rounds.append(ConvergeRound(plan: plan))
                if let provenance = options.provenance {
                    let clusters = (applied ? loaded.topology.clusters.map(\.name) : provenanceOutdated(loaded, world: world))
                        .filter { options.targets?.contains($0) ?? true }
                    if !clusters.isEmpty {
                        rounds[rounds.count - 1].provenance = await recordProvenance(loaded, provenance, clusters: clusters)
                    }
                }
                if options.skipHealth || options.targets != nil { return .converged(rounds: rounds, health: nil) }
                let report = await health(loaded, world: world, timeout: healthTimeout(), onReport: onHealth)
                return report.isHealthy ? .converged(rounds: rounds, health: report) : .unhealthy(rounds: rounds, health: report)
            }
            if !plan.dataLosses.isEmpty && !options.allowDataLoss { return .refused(plan, rounds: rounds + [ConvergeRound(plan: plan)]) }
            guard await confirm(plan, round) else { return .declined(plan, rounds: rounds + [ConvergeRound(plan: plan)]) }
            let report: ExecutionReport
            do {
                var execution = options.execution
                execution.timeout = remaining(nil)
                report = try await execute(plan, loaded: loaded, options: execution)
            } catch {
                // The planner's graph is acyclic by construction; say so if it ever is not.
                var failed = plan
                failed.problems.append(PlanProblem("internal error: \(error)"))
                return .blocked(failed, rounds: rounds + [ConvergeRound(plan: failed)])
            }
            rounds.append(ConvergeRound(plan: plan, report: report))
            if !report.succeeded || Task.isCancelled { return .failed(rounds: rounds) }
            // Everything the plan saw is done, with the values it could not know resolved as the
            // actions ran: only clusters it could not look into (stopped) need another round.
            // Otherwise the Raft health check is the confirmation, without a second observation.
            if plan.deferredClusters.isEmpty {
                if let provenance = options.provenance {
                    rounds[rounds.count - 1].provenance = await recordProvenance(
                        loaded, provenance, clusters: loaded.topology.clusters.map(\.name).filter { options.targets?.contains($0) ?? true })
                }
                if options.skipHealth || options.targets != nil { return .converged(rounds: rounds, health: nil) }
                let report = await health(loaded, world: world, timeout: healthTimeout(), onReport: onHealth)
                return report.isHealthy ? .converged(rounds: rounds, health: report) : .unhealthy(rounds: rounds, health: report)
            }
            let next = await observe(loaded)
            confirmed = (next, self.plan(loaded, world: next, adopt: options.adopt, targets: options.targets))
        }
        let last: (world: World, plan: Plan)
        if let confirmed {
            last = confirmed
        } else {
            let world = await observe(loaded)
            last = (world, self.plan(loaded, world: world, adopt: options.adopt, targets: options.targets))
        }
        return .notConverged(last.plan, rounds: rounds + [ConvergeRound(plan: last.plan)])
    }

    /// Destroys what the topology owns; `confirm` sees the plan first. A plan whose graph cannot
    /// be built comes back with that as a problem (never silently without a report).
    package func destroy(
        _ loaded: LoadedTopology, execution: ExecutionOptions, targets: Set<String>? = nil,
        confirm: @escaping (Plan) async -> Bool = { _ in true }
    ) async -> (plan: Plan, report: ExecutionReport?, confirmed: Bool) {
        if let missing = await preflightProblem(loaded.topology) {
            return (Plan(topology: loaded.topology.name, purpose: .destroy, problems: [missing]), nil, true)
        }
        let world = await observe(loaded)
        return await destroy(loaded, plan: destroyPlan(loaded, world: world, targets: targets), execution: execution, confirm: confirm)
    }

    /// Carries out a destroy plan made by `destroyPlan` (the second half of `destroy`).
    package func destroy(
        _ loaded: LoadedTopology, plan: Plan, execution: ExecutionOptions, confirm: @escaping (Plan) async -> Bool = { _ in true }
    ) async -> (plan: Plan, report: ExecutionReport?, confirmed: Bool) {
        var plan = plan
        guard plan.problems.isEmpty, plan.hasChanges else { return (plan, nil, true) }
        guard await confirm(plan) else { return (plan, nil, false) }
        do {
            return (plan, try await execute(plan, loaded: loaded, options: execution), true)
        } catch {
            plan.problems.append(PlanProblem("internal error: \(error)"))
            return (plan, nil, true)
        }
    }
}
