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
        await Observer(runner: runner).observe(target(loaded))
    }

    /// What to observe: the spec's clusters, and the kind clusters this machine created for the
    /// topology that are no longer in the spec (to prune them).
    package func target(_ loaded: LoadedTopology) -> ObservationTarget {
        var target = ObservationTarget(loaded.topology)
        if loaded.topology.provider == .kind {
            let spec = Set(loaded.topology.clusters.map(\.name))
            target.formerClusters = CreationRecord.clusters(topology: loaded.topology.name, environment: environment)
                .subtracting(spec).sorted().map { ObservationTarget.Cluster(name: $0, context: Kind.context(forCluster: $0)) }
        }
        return target
    }

    package func input(_ loaded: LoadedTopology, _ world: World, adopt: Bool = false) -> PlanInput {
        PlanInput(
            loaded: loaded, world: world, environment: environment, adopt: adopt,
            createdClusters: CreationRecord.clusters(topology: loaded.topology.name, environment: environment))
    }

    /// What apply would do (`adopt`: take over kind clusters without an ownership record).
    /// `targets` (`--cluster`) limits it to those clusters and what they need (`Plan.limited`).
    package func plan(_ loaded: LoadedTopology, world: World, adopt: Bool = false, targets: Set<String>? = nil) -> Plan {
        let plan = Planner.plan(input(loaded, world, adopt: adopt))
        return targets.map { plan.limited(to: $0) } ?? plan
    }

    /// What destroy would do (limited to `targets`: never the network or the KMS then).
    package func destroyPlan(_ loaded: LoadedTopology, world: World, targets: Set<String>? = nil) -> Plan {
        let plan = Planner.destroyPlan(input(loaded, world))
        return targets.map { plan.limited(to: $0) } ?? plan
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
        if plan.purpose == .destroy || plan.changes.contains(where: { $0.change == .delete }) {
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
    /// Each poll reads every Vault pod's `vault status` and the Raft peers (one `list-peers`);
    /// `world` (the last observation, if any) lends its Raft access and Vault addresses.
    package func health(
        _ loaded: LoadedTopology, world: World? = nil, timeout: Duration? = nil, interval: Duration = .milliseconds(500),
        onReport: @escaping @Sendable (HealthReport) -> Void = { _ in }
    ) async -> HealthReport {
        let topology = loaded.topology
        let book = await raftAddressBook(loaded, world: world)
        var access = world?.raft.access
        return await RaftHealthCheck.poll(
            expectedVoters: topology.health.raft.voters, timeout: timeout ?? topology.health.raft.timeout,
            interval: interval, clock: clock, onReport: onReport
        ) {
            async let nodes = nodeObservations(loaded)
            let membership = await raftMembership(loaded, access: access)
            // The access may be stale (the apply re-created the KMS or the CRs: a new token or
            // address): read the Vault CR again before the next poll.
            access = membership.peers == nil ? nil : membership.access
            let verdict = RaftMembershipCheck.evaluate(
                membership, clusters: topology.clusters.map(\.name), specLeader: topology.leader.name, book: book)
            return (await nodes, membership.peers, verdict)
        }
    }

    /// The Raft peers read through `access`, or through the access the Vault CRs give when there
    /// is none (one `kubectl get` per cluster tried, then the read).
    package func raftMembership(_ loaded: LoadedTopology, access: RaftAccess?) async -> RaftMembership {
        var access = access
        if access == nil, case .success(let found) = await raftAccess(loaded) { access = found }
        guard let access else { return .notObserved("no Vault CR with a KV key store answers yet") }
        return await RaftMembership.read(access, runner: runner, timeout: .seconds(60))
    }

    /// Where `list-peers` can run: the first cluster (the leader's first) whose Vault CR names a
    /// KV key store; its pod `<CR>-0`. One `kubectl get` per cluster tried.
    package func raftAccess(_ loaded: LoadedTopology) async -> Result<RaftAccess, RaftAccessError> {
        let topology = loaded.topology
        var why: [String] = []
        for cluster in [topology.leader] + topology.clusters.filter({ $0.name != topology.leader.name }) {
            guard let name = (try? VaultResource.names(loaded, cluster: cluster))?.first else { continue }
            let kubectl = Kubectl(context: topology.context(of: cluster))
            guard
                let result = try? await runner.run(
                    kubectl.getObject("vaults.vault.banzaicloud.com", name, namespace: topology.vault.namespace)),
                result.isSuccess, let node = try? YAMLParser.parse(result.stdout)
            else { continue }
            switch VaultCLI.KeyStore.from(vaultCR: node) {
            case .success(let store):
                return .success(
                    RaftAccess(
                        cluster: cluster.name, context: kubectl.context, namespace: topology.vault.namespace, pod: "\(name)-0",
                        keyStore: store))
            case .failure(let error): why.append("\(cluster.name): \(error)")
            }
        }
        return .failure(RaftAccessError(why.isEmpty ? "no Vault CR could be read" : why.joined(separator: "; ")))
    }

    /// Which cluster each Raft peer is: pools from the spec's subnet (or the observed one, or one
    /// `docker network inspect` when the network is new), and the observed Vault Services.
    package func raftAddressBook(_ loaded: LoadedTopology, world: World?) async -> RaftAddressBook {
        let topology = loaded.topology
        var subnet = topology.network.subnet ?? world?.network.value?.ipv4Subnet.flatMap { CIDR($0) }
        if subnet == nil, topology.provider == .kind, case .metallb = topology.loadBalancer,
            let result = try? await runner.run(Docker.networkInspect(topology.network.name)),
            let network = try? Docker.parseNetworkInspect(result)
        {
            subnet = network.ipv4Subnet.flatMap { CIDR($0) }
        }
        var pools: [String: CIDR] = [:]
        if case .metallb = topology.loadBalancer, case .success(let list)? = PoolSlicer.pools(for: topology, knownSubnet: subnet) {
            for pool in list { pools[pool.cluster] = pool.cidr }
        }
        return RaftAddressBook(pools: pools, clusters: world?.clusters ?? [])
    }
}
