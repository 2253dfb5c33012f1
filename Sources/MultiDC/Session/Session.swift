import Foundation
import YAML

/// The pipeline end to end — parse → observe → plan → execute → health — over one
/// `CommandRunner`. The library never prints: callers get values and event callbacks.
package struct Session: Sendable {
    package let runner: any CommandRunner
    /// The process environment (for `rootToken.fromEnv`).
    package let environment: [String: String]
    /// The time source of the overall timeout, the executor and health polling (virtual in tests).
    package let clock: any ExecutionClock

    package init(
        runner: any CommandRunner, environment: [String: String] = ProcessInfo.processInfo.environment,
        clock: any ExecutionClock = SystemClock()
    ) {
        self.runner = runner
        self.environment = environment
        self.clock = clock
    }

    /// Parse and validate a spec file.
    package func load(_ path: String) throws(Diagnostics) -> LoadedTopology {
        try TopologyLoader.load(path: path)
    }

    /// Every read, in parallel, into a World.
    package func observe(_ loaded: LoadedTopology) async -> World {
        await Observer(runner: runner).observe(ObservationTarget(loaded.topology))
    }

    package func input(_ loaded: LoadedTopology, _ world: World, adopt: Bool = false) -> PlanInput {
        PlanInput(
            loaded: loaded, world: world, environment: environment, adopt: adopt,
            createdClusters: CreationRecord.clusters(topology: loaded.topology.name, environment: environment))
    }

    /// What apply would do (`adopt`: take over kind clusters without an ownership record).
    package func plan(_ loaded: LoadedTopology, world: World, adopt: Bool = false) -> Plan {
        Planner.plan(input(loaded, world, adopt: adopt))
    }

    /// What destroy would do.
    package func destroyPlan(_ loaded: LoadedTopology, world: World) -> Plan {
        Planner.destroyPlan(input(loaded, world))
    }

    /// How an execution is carried out.
    package struct ExecutionOptions: Sendable {
        package var parallelism: Int?
        package var timeout: Duration?
        package var readinessTimeout: Duration
        package var onEvent: @Sendable (ExecutionEvent) -> Void

        package init(
            parallelism: Int? = nil, timeout: Duration? = nil, readinessTimeout: Duration = .seconds(300),
            onEvent: @escaping @Sendable (ExecutionEvent) -> Void = { _ in }
        ) {
            self.parallelism = parallelism
            self.timeout = timeout
            self.readinessTimeout = readinessTimeout
            self.onEvent = onEvent
        }
    }

    /// Carry out a plan's changes as a DAG.
    package func execute(
        _ plan: Plan, loaded: LoadedTopology, options: ExecutionOptions
    ) async throws(ExecutionGraphError) -> ExecutionReport {
        // Before any `kind create cluster`: this machine's record that the apply created them.
        if plan.purpose == .apply {
            try? CreationRecord.note(CreationRecord.created(by: plan), topology: loaded.topology.name, environment: environment)
        }
        let actions = ActionRunner(
            runner: runner, loaded: loaded, environment: environment, readinessTimeout: options.readinessTimeout)
        let executor = JobExecutor(parallelism: options.parallelism, timeout: options.timeout, clock: clock)
        let report = try await executor.run(actions.jobs(for: plan), onEvent: options.onEvent)
        if plan.purpose == .destroy {
            try? CreationRecord.forget(CreationRecord.deleted(by: plan, report), topology: loaded.topology.name, environment: environment)
        }
        return report
    }

    // MARK: Health

    /// The Vault pods the topology expects: `<CR name>-0` of every rendered Vault CR.
    package func vaultPods(_ loaded: LoadedTopology) throws(Diagnostics) -> [(cluster: String, pod: String)] {
        var pods: [(cluster: String, pod: String)] = []
        for cluster in loaded.topology.clusters {
            pods += try VaultResource.names(loaded, cluster: cluster).map { (cluster: cluster.name, pod: "\($0)-0") }
        }
        return pods
    }

    /// `vault status -format=json` in every Vault pod, in parallel.
    package func nodeObservations(_ loaded: LoadedTopology) async -> [NodeObservation] {
        let topology = loaded.topology
        let pods: [(cluster: String, pod: String)]
        do {
            pods = try vaultPods(loaded)
        } catch {
            // The loader renders every template once; a template that fails here is reported
            // against every cluster rather than hidden as "no pods".
            return topology.clusters.map { NodeObservation(cluster: $0.name, pod: "-", error: "cannot render its Vault CR: \(error)") }
        }
        return await withTaskGroup(of: (Int, NodeObservation).self) { group in
            for (index, target) in pods.enumerated() {
                let context =
                    topology.clusters.first { $0.name == target.cluster }.map { topology.context(of: $0) } ?? "kind-\(target.cluster)"
                let command = Kubectl(context: context).exec(
                    pod: target.pod, namespace: topology.vault.namespace, container: "vault", VaultCLI.status())
                group.addTask {
                    do {
                        let result = try await runner.run(command)
                        let exit: Int32
                        switch result.status {
                        case .exited(let code): exit = code
                        default: exit = 1
                        }
                        return (
                            index,
                            NodeObservation(
                                cluster: target.cluster, pod: target.pod,
                                result: VaultNodeStatus.parse(stdout: result.stdout, stderr: result.stderr, exitCode: exit))
                        )
                    } catch {
                        return (index, NodeObservation(cluster: target.cluster, pod: target.pod, error: "\(error)"))
                    }
                }
            }
            var results: [(Int, NodeObservation)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// The Raft health check, polled until healthy or `timeout` (default: health.raft.timeout).
    package func health(
        _ loaded: LoadedTopology, timeout: Duration? = nil, interval: Duration = .milliseconds(500),
        onReport: @escaping @Sendable (HealthReport) -> Void = { _ in }
    ) async -> HealthReport {
        await RaftHealthCheck.poll(
            expectedVoters: loaded.topology.health.raft.voters, timeout: timeout ?? loaded.topology.health.raft.timeout,
            interval: interval, clock: clock, onReport: onReport
        ) {
            await nodeObservations(loaded)
        }
    }
}
