import Foundation
import YAML

/// Turns a plan into executor jobs: each action's step, carried out through the tools' CLIs
/// exactly as shared/reference/cli-reference.md documents them, with bounded readiness waits.
public struct ActionRunner: Sendable {
    public let runner: any CommandRunner
    public let loaded: LoadedTopology
    public let world: World
    public let environment: [String: String]
    /// SHA-256 of the spec's manifests, recorded in the ownership ConfigMap.
    public let manifestDigest: String?
    /// Longest wait for any one readiness condition (API server, controller, CRD, pod).
    public let readinessTimeout: Duration
    let state: RunState

    var topology: Topology { loaded.topology }

    public init(
        runner: any CommandRunner, loaded: LoadedTopology, world: World, environment: [String: String],
        manifestDigest: String?, readinessTimeout: Duration = .seconds(300)
    ) {
        self.runner = runner
        self.loaded = loaded
        self.world = world
        self.environment = environment
        self.manifestDigest = manifestDigest
        self.readinessTimeout = readinessTimeout
        let observedSubnet = loaded.topology.network.subnet ?? world.network.value?.ipv4Subnet.flatMap { CIDR($0) }
        let kmsName = loaded.topology.kmsContainerName
        let kmsAddress = kmsName.flatMap { world.network.value?.attachment(for: $0)?.ipv4Address ?? world.kms.container?.ipv4Address }
        var token: Secret?
        if case .fromEnv(let variable) = loaded.topology.kms.rootToken, let value = environment[variable] { token = Secret(value) }
        state = RunState(subnet: observedSubnet, kmsAddress: kmsAddress, kmsToken: token)
    }

    /// One job per changing action, with the plan's edges.
    public func jobs(for plan: Plan) -> [ExecutionJob] {
        let changing = Set(plan.changes.map(\.id))
        let vaultActions = Set(plan.changes.filter { if case .applyVault = $0.step { return true } else { return false } }.map(\.id))
        var jobs: [ExecutionJob] = []
        for action in plan.changes {
            var dependencies = action.dependsOn.filter(changing.contains)
            switch action.step {
            case .copySecret, .applyVault:
                // The leader's TLS secret exists once its CR is applied (the operator makes it),
                // and a follower retries its Raft join until the leader answers: neither waits
                // for the leader's pod to be Ready, which takes that wait off the critical path.
                dependencies = dependencies.map { vaultActions.contains($0) ? Self.applyStage($0) : $0 }
            default:
                break
            }
            let label = "\(action.change.symbol) \(action.resource)"
            if case .applyVault(let cluster, let recreate) = action.step {
                jobs.append(
                    ExecutionJob(
                        id: Self.applyStage(action.id), label: label + " (apply)", group: action.cluster, dependencies: dependencies
                    ) {
                        context in
                        try await applyVault(cluster, recreate: recreate, context)
                    })
                jobs.append(
                    ExecutionJob(
                        id: action.id, label: label + " (pod Ready)", group: action.cluster, dependencies: [Self.applyStage(action.id)]
                    ) {
                        context in
                        try await waitForVaultPods(cluster, context)
                    })
                continue
            }
            jobs.append(
                ExecutionJob(id: action.id, label: label, group: action.cluster, dependencies: dependencies) { context in
                    try await perform(action, context)
                })
        }
        return jobs
    }

    /// The job that applies a Vault action's CR; the action's own id waits for its pods.
    static func applyStage(_ id: String) -> String { id + "#apply" }

    func kubectl(_ cluster: String) -> Kubectl {
        Kubectl(context: topology.clusters.first { $0.name == cluster }.map { topology.context(of: $0) } ?? "kind-\(cluster)")
    }

    func helm(_ cluster: String) -> Helm {
        Helm(kubeContext: kubectl(cluster).context)
    }

    func perform(_ action: PlanAction, _ context: JobContext) async throws {
        switch action.step {
        case .createNetwork(let name, let subnet):
            try await createNetwork(name: name, subnet: subnet, replace: action.change == .replace, context)
        case .runKMS(let name, let image, let network, let replace):
            try await runKMS(name: name, image: image, network: network, replace: replace, context)
        case .startContainers(let names):
            _ = try await runner.check(Command(Docker.executable, ["start"] + names))
            if let cluster = action.cluster { try await waitForAPIServer(cluster, context) }
        case .createCluster(let name, let image, let workers, let network):
            try await createCluster(
                name: name, image: image, workers: workers, network: network, replace: action.change == .replace, context)
        case .recordOwnership(let cluster):
            try await recordOwnership(cluster, digest: nil)
        case .installMetalLB(let cluster, let version, let manifests):
            try await installMetalLB(cluster, version: version, manifests: manifests, context)
        case .configurePool(let cluster, let mode):
            try await configurePool(cluster, mode: mode, context)
        case .addHelmRepository(let name, let url):
            _ = try await runner.check(Command(Helm.executable, ["repo", "add", name, url, "--force-update"]))
        case .installOperator(let cluster):
            try await installOperator(cluster, reinstall: action.change == .replace, context)
        case .applyManifests(let cluster, let files):
            _ = try await runner.check(kubectl(cluster).command(["apply"] + files.flatMap { ["-f", $0.resolved] }))
            try await recordOwnership(cluster, digest: manifestDigest)
        case .copySecret(let name, let from, let to):
            try await copySecret(name, from: from, to: to, context)
        case .applyVault(let cluster, let recreate):
            try await applyVault(cluster, recreate: recreate, context)
            try await waitForVaultPods(cluster, context)
        case .deleteVault(let cluster, let names):
            _ = try await runner.check(
                kubectl(cluster).command(
                    ["-n", topology.vault.namespace, "delete", "vault"] + names + ["--ignore-not-found"]))
        case .deleteSecret(let cluster, let name):
            _ = try await runner.check(kubectl(cluster).delete("secret", name, namespace: topology.vault.namespace))
        case .uninstallOperator(let cluster):
            _ = try await runner.check(
                helm(cluster).uninstall(release: topology.vaultOperator.release, namespace: topology.vaultOperator.namespace))
        case .deleteOwnership(let cluster):
            _ = try await runner.check(
                kubectl(cluster).delete("configmap", Ownership.configMapName, namespace: Ownership.configMapNamespace))
        case .deleteObject(let cluster, let kind, let name, let namespace):
            _ = try await runner.check(kubectl(cluster).delete(kind.lowercased(), name, namespace: namespace))
        case .deleteCluster(let name):
            _ = try await runner.check(Kind.deleteCluster(name: name))
        case .removeContainer(let name):
            _ = try await runner.check(Command(Docker.executable, ["rm", "-f", "-v", name]))
        case .removeNetwork(let name):
            _ = try await runner.check(Docker.networkRemove(name))
        }
    }

    // MARK: Network and KMS

    func createNetwork(name: String, subnet: CIDR?, replace: Bool, _ context: JobContext) async throws {
        if replace {
            // Everything on the network goes first (the plan marked this as data loss).
            // Only this topology's clusters: other kind clusters on the engine are not ours to remove.
            for cluster in topology.clusters where world.kindCluster(named: cluster.name) != nil {
                _ = try await runner.check(Kind.deleteCluster(name: cluster.name))
            }
            if let kms = topology.kmsContainerName { _ = try await runner.run(Command(Docker.executable, ["rm", "-f", kms])) }
            _ = try await runner.check(Docker.networkRemove(name))
        }
        // kind's way: bridge, masquerade, the default bridge's MTU, an IPv6 ULA derived from the name.
        let mtuResult = try await runner.run(
            Command(Docker.executable, ["network", "inspect", "bridge", "-f", "{{ index .Options \"com.docker.network.driver.mtu\" }}"]))
        let mtu = Int(mtuResult.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        var base = ["network", "create", "-d=bridge", "-o", "com.docker.network.bridge.enable_ip_masquerade=true"]
        if mtu > 0 { base += ["-o", "com.docker.network.driver.mtu=\(mtu)"] }
        for (key, value) in Ownership.orderedLabels(topology: topology.name) { base += ["--label", "\(key)=\(value)"] }
        let v4 = subnet.map { ["--subnet", $0.description] } ?? []
        var result = try await runner.run(
            Command(Docker.executable, base + ["--ipv6", "--subnet", KindNetwork.ulaSubnet(name: name)] + v4 + [name]))
        if !result.isSuccess, Self.ipv6Unavailable(result.stderr) {
            context.progress("IPv6 is unavailable on this engine; creating network \(name) IPv4-only, as kind does")
            result = try await runner.run(Command(Docker.executable, base + v4 + [name]))
        }
        if !result.isSuccess {
            if Docker.isNetworkAlreadyExists(result) { return }
            throw ToolFailure(
                command: "docker network create \(name)", status: result.status.description, message: result.lastErrorLine,
                isTransient: false)
        }
        let inspected = try await runner.run(Docker.networkInspect(name))
        if let network = try? Docker.parseNetworkInspect(inspected), let s = network.ipv4Subnet.flatMap({ CIDR($0) }) {
            state.subnet = topology.network.subnet ?? s
        }
    }

    /// kind's own markers for an engine without IPv6 (network.go).
    static func ipv6Unavailable(_ stderr: String) -> Bool {
        stderr.contains("Cannot read IPv6 setup for bridge") || stderr.contains("(iptables failed: ip6tables")
    }

    func runKMS(name: String, image: String, network: String, replace: Bool, _ context: JobContext) async throws {
        if replace { _ = try await runner.run(Command(Docker.executable, ["rm", "-f", "-v", name])) }
        let token: Secret
        switch topology.kms.rootToken {
        case .fromEnv(let variable):
            guard let value = environment[variable], !value.isEmpty else {
                throw ToolFailure(
                    command: "docker run \(name)", status: "not run", message: "environment variable \(variable) is not set",
                    isTransient: false)
            }
            token = Secret(value)
        case .generate:
            token = Secret("multidc." + Self.randomHex(24))
        }
        // The token travels in a 0600 env file, never on an argv.
        let file = try SecretFile(contents: "VAULT_DEV_ROOT_TOKEN_ID=\(token.reveal())\n")
        defer { file.remove() }
        var args = ["run", "-d", "--name", name, "--network", network, "--restart", "unless-stopped"]
        var labels = Ownership.labels(topology: topology.name)
        labels[VaultManifests.tokenFingerprintLabel] = SHA256.hex(token.reveal())
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) { args += ["--label", "\(key)=\(value)"] }
        args += ["--env-file", file.path, image]
        let result = try await runner.run(Command(Docker.executable, args))
        if !result.isSuccess {
            // A failed `docker run` can leave a container in state created (reference §2.2): remove it.
            _ = try? await runner.run(Command(Docker.executable, ["rm", "-f", name]))
            throw ToolFailure(
                command: "docker run --name \(name) … \(image)", status: result.status.description, message: result.lastErrorLine,
                isTransient: false)
        }
        state.kmsToken = token
        let address = try await containerAddress(name, network: network)
        guard IPAddress(address) != nil else {
            throw ToolFailure(
                command: "docker inspect \(name)", status: "exit 0",
                message: "KMS container has no IPv4 address on network \(network) (got '\(address)')", isTransient: false)
        }
        state.kmsAddress = address
        context.progress("KMS \(name) runs at \(address)")
    }

    /// A container's IPv4 address on a network, with the index form of reference §2.4 (network
    /// names may hold '-'); empty when it is not attached.
    func containerAddress(_ name: String, network: String) async throws -> String {
        try await runner.check(
            Command(Docker.executable, ["inspect", "-f", "{{(index .NetworkSettings.Networks \"\(network)\").IPAddress}}", name])
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The KMS token for rendering: from the environment, from this run, or read back from the
    /// running KMS container (`docker inspect`, output never logged).
    func kmsToken() async throws -> Secret {
        if let token = state.kmsToken { return token }
        guard let name = topology.kmsContainerName else {
            throw ToolFailure(command: "render", status: "not run", message: "the KMS token is unknown", isTransient: false)
        }
        let result = try await runner.check(Command(Docker.executable, ["inspect", "-f", "{{json .Config.Env}}", name]))
        let env = (try? JSONSerialization.jsonObject(with: Data(result.standardOutput))) as? [String] ?? []
        guard let entry = env.first(where: { $0.hasPrefix("VAULT_DEV_ROOT_TOKEN_ID=") }) else {
            throw ToolFailure(
                command: "docker inspect \(name)", status: "exit 0", message: "KMS container \(name) has no VAULT_DEV_ROOT_TOKEN_ID",
                isTransient: false)
        }
        let token = Secret(String(entry.dropFirst("VAULT_DEV_ROOT_TOKEN_ID=".count)))
        state.kmsToken = token
        return token
    }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    // MARK: Clusters

    func createCluster(name: String, image: String?, workers: Int, network: String, replace: Bool, _ context: JobContext) async throws {
        if replace { _ = try await runner.check(Kind.deleteCluster(name: name)) }
        var config = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n"
        for _ in 0..<workers { config += "- role: worker\n" }
        let file = try SecretFile(contents: config, suffix: ".yaml")
        defer { file.remove() }
        let result: CommandResult
        do {
            result = try await runner.run(Kind.createCluster(name: name, image: image, configPath: file.path, network: network))
        } catch {
            // `kind create cluster` was cut short (Ctrl-C, SIGTERM, --timeout) or never ran. An
            // interrupted kind cleans nothing up: it leaves node containers (some only "created")
            // and no kubeconfig context, a half cluster that a rerun can neither adopt nor create
            // again ("node(s) already exist"). Remove it as kind itself does after a failed create.
            // Detached, so the cancellation that stopped kind does not stop the cleanup.
            let runner = self.runner
            _ = await Task.detached { try? await runner.run(Kind.deleteCluster(name: name)) }.value
            throw error
        }
        guard result.isSuccess else {
            let errorLine = result.stderr.split(separator: "\n").first { $0.hasPrefix("ERROR:") }.map(String.init) ?? result.lastErrorLine
            throw ToolFailure(
                command: "kind create cluster --name \(name)", status: result.status.description, message: errorLine, isTransient: false)
        }
        try await waitForAPIServer(name, context)
    }

    func waitForAPIServer(_ cluster: String, _ context: JobContext) async throws {
        try await context.waitUntil(
            "the API server of cluster \(cluster) to answer", timeout: readinessTimeout, interval: .milliseconds(200)
        ) {
            let result = try await runner.run(kubectl(cluster).command(["get", "namespaces", "-o", "name"]))
            return result.isSuccess ? .ready : .notYet(result.lastErrorLine)
        }
    }

    func recordOwnership(_ cluster: String, digest: String?) async throws {
        var data: [Node.Pair] = [Node.Pair(key: .string("topology"), value: .string(topology.name))]
        if let digest { data.append(Node.Pair(key: .string("manifests-sha256"), value: .string(digest))) }
        let object = owned(
            .mapping([
                "apiVersion": .string("v1"), "kind": .string("ConfigMap"),
                "metadata": .mapping(["name": .string(Ownership.configMapName), "namespace": .string(Ownership.configMapNamespace)]),
                "data": .mapping(data),
            ]))
        _ = try await runner.check(kubectl(cluster).apply(manifest: YAMLEmitter.emit(object)))
    }

    func owned(_ object: Node) -> Node { VaultManifests.owned(object, topology: topology) }

    // MARK: MetalLB

    /// The manifests of a MetalLB release, by the URLs of its repository.
    public static func metalLBManifests(version: String) -> [String] {
        let base = "https://raw.githubusercontent.com/metallb/metallb/\(version)"
        if Topology.MetalLB(version: version).mode == .configMap {
            return ["\(base)/manifests/namespace.yaml", "\(base)/manifests/metallb.yaml"]
        }
        return ["\(base)/config/manifests/metallb-native.yaml"]
    }

    func installMetalLB(_ cluster: String, version: String, manifests: [String], _ context: JobContext) async throws {
        let urls = manifests.isEmpty ? Self.metalLBManifests(version: version) : manifests
        _ = try await runner.check(kubectl(cluster).command(["apply"] + urls.flatMap { ["-f", $0] }))
        if Topology.MetalLB(version: version).mode == .configMap {
            // ≤ v0.12 needs the memberlist secret (MetalLB's installation guide); on stdin, never on argv.
            let secret = Node.mapping([
                "apiVersion": .string("v1"), "kind": .string("Secret"),
                "metadata": .mapping(["name": .string("memberlist"), "namespace": .string(MetalLBState.namespace)]),
                "type": .string("Opaque"),
                "data": .mapping(["secretkey": .string(Data(Self.randomHex(64).utf8).base64EncodedString())]),
            ])
            let live = try await runner.run(
                kubectl(cluster).command(["-n", MetalLBState.namespace, "get", "secret", "memberlist", "-o", "name"]))
            if !live.isSuccess {
                _ = try await runner.check(kubectl(cluster).apply(manifest: YAMLEmitter.emit(owned(secret)), sensitive: true))
            }
        }
        try await context.waitUntil(
            "the MetalLB controller in cluster \(cluster) to be Available", timeout: readinessTimeout, interval: .milliseconds(200)
        ) {
            let result = try await runner.run(
                kubectl(cluster).wait(
                    for: "condition=Available", "deployment/controller", namespace: MetalLBState.namespace, timeout: "10s"))
            return result.isSuccess ? .ready : .notYet(result.lastErrorLine)
        }
    }

    func subnet() async throws -> CIDR {
        if let subnet = state.subnet { return subnet }
        let result = try await runner.check(Docker.networkInspect(topology.network.name))
        guard let network = try Docker.parseNetworkInspect(result), let s = network.ipv4Subnet.flatMap({ CIDR($0) }) else {
            throw ToolFailure(
                command: "docker network inspect \(topology.network.name)", status: "exit 0", message: "no IPv4 subnet", isTransient: false)
        }
        state.subnet = s
        return s
    }

    func pool(for cluster: String) async throws -> ClusterPool? {
        guard case .metallb = topology.loadBalancer else { return nil }
        let outcome: PoolSlicer.Outcome
        if let pinned = PoolSlicer.pinnedPools(for: topology) {
            outcome = pinned
        } else {
            outcome = PoolSlicer.pools(for: topology, subnet: try await subnet())
        }
        switch outcome {
        case .success(let pools): return pools.first { $0.cluster == cluster }
        case .failure(let problems):
            throw ToolFailure(
                command: "pool slicing", status: "refused", message: problems.map(\.message).joined(separator: "; "), isTransient: false)
        }
    }

    func configurePool(_ cluster: String, mode: Topology.MetalLB.Mode, _ context: JobContext) async throws {
        guard let pool = try await pool(for: cluster) else { return }
        let objects: [Node]
        switch mode {
        case .configMap:
            let config = "address-pools:\n- name: default\n  protocol: layer2\n  addresses:\n  - \(pool.rangeText)\n"
            objects = [
                owned(
                    .mapping([
                        "apiVersion": .string("v1"), "kind": .string("ConfigMap"),
                        "metadata": .mapping(["name": .string("config"), "namespace": .string(MetalLBState.namespace)]),
                        "data": .mapping(["config": .scalar(config, style: .literal)]),
                    ]))
            ]
        case .customResources:
            objects = [
                owned(
                    .mapping([
                        "apiVersion": .string("metallb.io/v1beta1"), "kind": .string("IPAddressPool"),
                        "metadata": .mapping(["name": .string(PoolNames.addressPool), "namespace": .string(MetalLBState.namespace)]),
                        "spec": .mapping(["addresses": .sequence([.string(pool.rangeText)])]),
                    ])),
                owned(
                    .mapping([
                        "apiVersion": .string("metallb.io/v1beta1"), "kind": .string("L2Advertisement"),
                        "metadata": .mapping(["name": .string(PoolNames.l2Advertisement), "namespace": .string(MetalLBState.namespace)]),
                        "spec": .mapping(["ipAddressPools": .sequence([.string(PoolNames.addressPool)])]),
                    ])),
            ]
        }
        // The ≥ v0.13 webhook refuses pools until the controller is Ready: retried as transient.
        try await context.waitUntil(
            "MetalLB in cluster \(cluster) to accept the pool \(pool.rangeText)", timeout: readinessTimeout, interval: .milliseconds(200)
        ) {
            let result = try await runner.run(kubectl(cluster).apply(manifest: YAMLEmitter.emit(objects)))
            if result.isSuccess { return .ready }
            if ToolFailure.isTransient(result.stderr) { return .notYet(result.lastErrorLine) }
            throw ToolFailure(
                command: "kubectl apply (MetalLB pool)", status: result.status.description, message: result.lastErrorLine,
                isTransient: false)
        }
    }

    // MARK: Operator

    func installOperator(_ cluster: String, reinstall: Bool, _ context: JobContext) async throws {
        let op = topology.vaultOperator
        if reinstall { _ = try await runner.run(helm(cluster).uninstall(release: op.release, namespace: op.namespace)) }
        let values = op.values.mapping?.isEmpty == false ? YAMLEmitter.emit(op.values) : nil
        try await context.waitUntil(
            "helm to install \(op.release) in cluster \(cluster)", timeout: readinessTimeout, interval: .milliseconds(500)
        ) {
            let result = try await runner.run(
                helm(cluster).upgradeInstall(
                    release: op.release, chart: op.chart, namespace: op.namespace, version: op.version, values: values))
            if result.isSuccess { return .ready }
            if ToolFailure.isTransient(result.stderr) { return .notYet(result.lastErrorLine) }
            throw ToolFailure(
                command: "helm upgrade --install \(op.release) \(op.chart)", status: result.status.description,
                message: result.lastErrorLine, isTransient: false)
        }
        try await context.waitUntil(
            "CRD \(ClusterObjects.vaultCRDName) to be Established in cluster \(cluster)", timeout: readinessTimeout,
            interval: .milliseconds(200)
        ) {
            let result = try await runner.run(
                kubectl(cluster).wait(for: "condition=Established", "crd/\(ClusterObjects.vaultCRDName)", timeout: "10s"))
            return result.isSuccess ? .ready : .notYet(result.lastErrorLine)
        }
    }

    // MARK: Secrets

    func copySecret(_ name: String, from: String, to: String, _ context: JobContext) async throws {
        let namespace = topology.vault.namespace
        var source: Node?
        try await context.waitUntil(
            "secret \(namespace)/\(name) to exist in cluster \(from)", timeout: readinessTimeout, interval: .milliseconds(250)
        ) {
            let result = try await runner.run(kubectl(from).command(["-n", namespace, "get", "secret", name, "-o", "json"]))
            guard result.isSuccess else { return .notYet(result.lastErrorLine) }
            source = try Node(json: Data(result.standardOutput))
            return .ready
        }
        guard let source else { return }
        // Server-populated metadata stripped as reference §3.8 says.
        let copy = owned(KubeObject(node: source).manifestForCopy(namespace: namespace))
        _ = try await runner.check(kubectl(to).apply(manifest: YAMLEmitter.emit(copy), sensitive: true))
    }

    // MARK: Vault

    /// Without MetalLB pools the leader's address is what the cloud gives its Vault Service:
    /// wait for `status.loadBalancer.ingress[0].ip` (reference §3.3: empty while pending).
    func leaderServiceAddress(_ context: JobContext) async throws -> String {
        let leader = topology.leader
        guard let service = VaultManifests.names(loaded, cluster: leader).first else {
            throw ToolFailure(
                command: "render \(leader.name)", status: "refused", message: "the leader's template has no Vault CR", isTransient: false)
        }
        var address = ""
        try await context.waitUntil(
            "Service \(service) in cluster \(leader.name) to get a LoadBalancer address", timeout: readinessTimeout,
            interval: .milliseconds(250)
        ) {
            let result = try await runner.run(
                kubectl(leader.name).command([
                    "-n", topology.vault.namespace, "get", "service", service, "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}",
                ]))
            address = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            return result.isSuccess && !address.isEmpty ? .ready : .notYet(result.isSuccess ? "pending" : result.lastErrorLine)
        }
        return address
    }

    func applyVault(_ cluster: String, recreate: Bool, _ context: JobContext) async throws {
        guard let spec = topology.clusters.first(where: { $0.name == cluster }) else { return }
        let subnet: CIDR? = topology.loadBalancer == .none ? state.subnet : try await self.subnet()
        if case .container = topology.kms, state.kmsAddress == nil, let name = topology.kmsContainerName {
            state.kmsAddress = try await containerAddress(name, network: topology.network.name)
        }
        var assumptions: [String: String] = [:]
        if topology.loadBalancer == .none, cluster != topology.leader.name {
            assumptions["leader.loadBalancerIP"] = try await leaderServiceAddress(context)
        }
        let values = TemplateValues.for(
            topology: topology, cluster: spec, subnet: subnet, kmsAddress: state.kmsAddress, kmsToken: try await kmsToken(),
            assumptions: assumptions)
        let documents: [Node]
        do {
            documents = try VaultManifests.render(loaded, cluster: spec, values: values, mode: .apply)
        } catch {
            throw ToolFailure(command: "render \(cluster)", status: "refused", message: error.description, isTransient: false)
        }
        let names = VaultManifests.vaults(documents).compactMap(VaultManifests.name)
        let namespace = topology.vault.namespace
        if recreate {
            _ = try await runner.check(kubectl(cluster).command(["-n", namespace, "delete", "vault"] + names + ["--ignore-not-found"]))
        }
        try await context.waitUntil(
            "the Vault CRD to accept \(names.joined(separator: ", ")) in cluster \(cluster)", timeout: readinessTimeout,
            interval: .milliseconds(200)
        ) {
            let result = try await runner.run(kubectl(cluster).apply(manifest: YAMLEmitter.emit(documents), sensitive: true))
            if result.isSuccess { return .ready }
            if ToolFailure.isTransient(result.stderr) { return .notYet(result.lastErrorLine) }
            throw ToolFailure(
                command: "kubectl apply (Vault CR)", status: result.status.description, message: result.lastErrorLine, isTransient: false)
        }
    }

    /// Waits for pod `<name>-0` of each Vault CR of the cluster to be Ready.
    func waitForVaultPods(_ cluster: String, _ context: JobContext) async throws {
        guard let spec = topology.clusters.first(where: { $0.name == cluster }) else { return }
        let namespace = topology.vault.namespace
        for name in VaultManifests.names(loaded, cluster: spec) {
            let pod = "\(name)-0"
            try await context.waitUntil(
                "pod \(namespace)/\(pod) in cluster \(cluster) to be Ready", timeout: readinessTimeout, interval: .milliseconds(200)
            ) {
                let result = try await runner.run(
                    kubectl(cluster).wait(for: "condition=Ready", "pod/\(pod)", namespace: namespace, timeout: "10s"))
                return result.isSuccess ? .ready : .notYet(result.lastErrorLine)
            }
        }
    }
}
