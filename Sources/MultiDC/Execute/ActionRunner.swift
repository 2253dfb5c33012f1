import Foundation
import YAML

/// Turns a plan into executor jobs: one job per changing action, with the plan's own edges —
/// the plan is exactly the graph that executes. What each job does is its action's step,
/// defined next to the resource's planning rule (Sources/MultiDC/Resources).
package struct ActionRunner: Sendable {
    package let runner: any CommandRunner
    package let loaded: LoadedTopology
    package let environment: [String: String]
    /// Longest wait for any one readiness condition (API server, controller, CRD, pod, helm).
    package let readinessTimeout: Duration

    package init(
        runner: any CommandRunner, loaded: LoadedTopology, environment: [String: String], readinessTimeout: Duration = .seconds(300)
    ) {
        self.runner = runner
        self.loaded = loaded
        self.environment = environment
        self.readinessTimeout = readinessTimeout
    }

    /// One job per changing action, in plan order, depending on the action's `dependsOn`.
    package func jobs(for plan: Plan) -> [ExecutionJob] {
        var token: Secret?
        if case .fromEnv(let variable) = loaded.topology.kms.rootToken, let value = environment[variable], !value.isEmpty {
            token = Secret(value)
        }
        let state = RunState(subnet: plan.known.subnet, kmsAddress: plan.known.kmsAddress, kmsToken: token)
        return plan.changes.map { action in
            ExecutionJob(
                id: action.id.description, label: "\(action.change.symbol) \(action.resource)", group: action.cluster,
                dependencies: action.dependsOn.map(\.description)
            ) { job in
                try await action.step.run(
                    StepContext(
                        runner: runner, loaded: loaded, environment: environment, readinessTimeout: readinessTimeout, state: state,
                        job: job))
            }
        }
    }
}

/// What a running step gets: the tools (through the one `CommandRunner` seam), the loaded spec,
/// the run's state (values learned after apply), and its job's progress and bounded waits.
package struct StepContext: Sendable {
    package let runner: any CommandRunner
    package let loaded: LoadedTopology
    package let environment: [String: String]
    /// The bound of every readiness wait of the step (`--wait-timeout`), helm's `--timeout` included.
    package let readinessTimeout: Duration
    let state: RunState
    package let job: JobContext

    var topology: Topology { loaded.topology }

    /// kubectl bound to a cluster's context.
    func kubectl(_ cluster: String) -> Kubectl {
        Kubectl(context: topology.clusters.first { $0.name == cluster }.map { topology.context(of: $0) } ?? "kind-\(cluster)")
    }

    /// helm bound to a cluster's context.
    func helm(_ cluster: String) -> Helm { Helm(kubeContext: kubectl(cluster).context) }

    /// Runs a command; a non-zero exit is a `ToolFailure` (transient when the tool's text says so).
    @discardableResult
    func check(_ command: Command) async throws -> CommandResult { try await runner.check(command) }

    /// Runs a command and returns its result whatever the exit status.
    @discardableResult
    func run(_ command: Command) async throws -> CommandResult { try await runner.run(command) }

    func progress(_ message: String) { job.progress(message) }

    /// A bounded readiness wait (`--wait-timeout`), polled with backoff.
    func waitUntil(
        _ description: String, interval: Duration = .milliseconds(200), condition: () async throws -> WaitState
    ) async throws {
        try await job.waitUntil(description, timeout: readinessTimeout, interval: interval, condition: condition)
    }

    /// Applies manifests until the server takes them: transient refusals (a webhook or CRD not
    /// ready yet) are waited out within the readiness bound; anything else fails at once.
    func applyUntilAccepted(_ description: String, cluster: String, _ documents: [Node], sensitive: Bool = false) async throws {
        let command = kubectl(cluster).apply(manifest: YAMLEmitter.emit(documents), sensitive: sensitive)
        try await waitUntil(description) {
            let result = try await run(command)
            if result.isSuccess { return .ready }
            let failure = ToolFailure(command, result)
            if failure.isTransient { return .notYet(result.lastErrorLine) }
            throw failure
        }
    }

    /// Makes sure a namespace exists before objects go into it: `kubectl apply` of a namespaced
    /// object into a missing namespace fails (`namespaces "vault" not found`; docs/tools.md#kubectl-apply).
    /// `default` always exists.
    func ensureNamespace(_ namespace: String, cluster: String) async throws {
        guard namespace != "default" else { return }
        let object = Node.mapping([
            "apiVersion": .string("v1"), "kind": .string("Namespace"), "metadata": .mapping(["name": .string(namespace)]),
        ])
        try await check(kubectl(cluster).apply(manifest: YAMLEmitter.emit(object)))
    }

    /// An object with this topology's ownership labels (and the Vault namespace when it has none).
    func owned(_ object: Node) -> Node {
        Ownership.labelled(object, topology: topology.name, namespace: topology.vault.namespace)
    }

    // MARK: Values known after apply

    /// The network's subnet: known at plan time, learned by the network step, or read now.
    func subnet() async throws -> CIDR {
        if let subnet = state.subnet { return subnet }
        let result = try await check(Docker.networkInspect(topology.network.name))
        guard let network = try Docker.parseNetworkInspect(result), let subnet = network.ipv4Subnet.flatMap({ CIDR($0) }) else {
            throw ToolFailure(
                command: Docker.networkInspect(topology.network.name).description, status: "exit 0",
                message: "network \(topology.network.name) has no IPv4 subnet", isTransient: false)
        }
        state.subnet = subnet
        return subnet
    }

    /// The KMS container's address on the network: known at plan time, learned by the KMS step,
    /// or read now.
    func kmsAddress() async throws -> String? {
        if let address = state.kmsAddress { return address }
        guard let name = topology.kmsContainerName else { return nil }
        let address = try await check(Docker.containerAddress(name, network: topology.network.name)).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard IPAddress(address) != nil else {
            throw ToolFailure(
                command: Docker.containerAddress(name, network: topology.network.name).description, status: "exit 0",
                message: "KMS container \(name) has no IPv4 address on network \(topology.network.name) (got '\(address)')",
                isTransient: false)
        }
        state.kmsAddress = address
        return address
    }

    /// The KMS token: from the environment, from this run, or read back from the running KMS
    /// container (`docker inspect`, output never logged).
    func kmsToken() async throws -> Secret {
        if let token = state.kmsToken { return token }
        guard let name = topology.kmsContainerName else {
            throw StepError(.missingValue, "the KMS token is unknown: spec.kms names no container and no token was given")
        }
        let result = try await check(Docker.containerEnvironment(name))
        guard let token = Docker.environmentValue("VAULT_DEV_ROOT_TOKEN_ID", in: result) else {
            throw StepError(.missingValue, "KMS container \(name) has no VAULT_DEV_ROOT_TOKEN_ID")
        }
        let secret = Secret(token)
        state.kmsToken = secret
        return secret
    }
}

/// A step failed for a reason that is not a tool's: a value it needs is missing, rendering or
/// pool slicing refused. Never transient.
package struct StepError: Error, Sendable, CustomStringConvertible, Equatable {
    /// An open set of codes (compare with `==`).
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        package static let missingValue = Code(name: "missingValue")
        package static let render = Code(name: "render")
        package static let pools = Code(name: "pools")
        package var description: String { name }
    }

    package var code: Code
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }
}
