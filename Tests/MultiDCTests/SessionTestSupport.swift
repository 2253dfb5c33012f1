import Foundation
import MultiDCTestSupport
import Synchronization
import Testing
import YAML

@testable import MultiDC

/// The tools as a `World`: a `ScriptedRunner` that answers the observer's reads (`docker network
/// inspect`, `docker ps`, one `kubectl get … -A -o json` and one `helm list` per cluster) with
/// the text the tools would print for the world it holds, every Vault pod's `vault status` from
/// `health`, and every write as `ActionRunnerTests.happyRunner` does. Tests swap the world when
/// the tools would have changed it (e.g. from `confirm`, which runs right before a round's
/// execution), so a whole observe → plan → execute → health round runs in memory.
final class ScriptedWorld: Sendable {
    /// What every Vault pod's `vault status -format=json` answers.
    enum Health: Sendable {
        /// The leader's pod is the Raft leader, every other pod a follower.
        case healthy
        /// The pods of these clusters are sealed (exit 2); the others as in `healthy`.
        case sealed([String])
    }

    let loaded: LoadedTopology
    let runner: ScriptedRunner
    private let state: Mutex<(world: World, health: Health)>

    /// - Parameter overrides: rules tried before the world's and the happy ones.
    init(
        _ loaded: LoadedTopology, world: World, health: Health = .healthy, overrides: (ScriptedRunner) -> Void = { _ in }
    ) {
        self.loaded = loaded
        self.runner = ScriptedRunner()
        self.state = Mutex((world, health))
        overrides(runner)
        runner.answerToolProbes()
        installReads()
        _ = ActionRunnerTests.happyRunner(files: ActionRunnerTests.FileLog(), into: runner)
    }

    var world: World {
        get { state.withLock { $0.world } }
        set { state.withLock { $0.world = newValue } }
    }

    var health: Health {
        get { state.withLock { $0.health } }
        set { state.withLock { $0.health = newValue } }
    }

    /// How many times the observer read the world (its `docker ps` calls).
    var observations: Int { runner.calls.filter { $0.argv.starts(with: ["docker", "ps"]) }.count }

    /// The commands that are neither reads of the observer nor `vault status`.
    var writes: [Command] { runner.calls.filter { !Self.isRead($0) } }

    static func isRead(_ command: Command) -> Bool {
        let argv = command.argv
        return argv.starts(with: ["docker", "ps"]) || (argv.starts(with: ["docker", "network", "inspect"]) && argv.count == 4)
            || argv.count <= 4 && argv.contains("version")
            || argv.starts(with: ["helm", "list"]) || isObserverGet(command) || isVaultStatus(command) || isListPeers(command)
            || isVaultCRGet(command) || command.executable == "git"
    }

    static func isListPeers(_ command: Command) -> Bool {
        command.executable == "kubectl" && command.arguments.contains("exec") && command.arguments.last?.contains("list-peers") == true
    }

    static func isVaultCRGet(_ command: Command) -> Bool {
        command.executable == "kubectl" && command.arguments.contains("get") && command.arguments.contains("vaults.vault.banzaicloud.com")
            && !command.arguments.contains("-A")
    }

    /// The Raft peers the world's Vault CRs make: one voter per cluster holding a CR, at its
    /// Vault Service's LoadBalancer address (else its pool's first address); the leader's is the leader.
    func peersJSON() -> String {
        let topology = loaded.topology
        let subnet = topology.network.subnet ?? world.network.value?.ipv4Subnet.flatMap { CIDR($0) }
        var pools: [String: ClusterPool] = [:]
        if case .success(let list)? = PoolSlicer.pools(for: topology, knownSubnet: subnet) {
            for p in list { pools[p.cluster] = p }
        }
        var servers: [[String: Any]] = []
        for cluster in world.clusters where !cluster.objects.vaults.isEmpty {
            let host =
                cluster.objects.vaultServices.first { $0.type == "LoadBalancer" }?.loadBalancerIP
                ?? pools[cluster.name]?.loadBalancerIP.description ?? "vault-\(cluster.name)"
            servers.append([
                "node_id": "node-\(cluster.name)", "address": "\(host):8201", "leader": cluster.name == topology.leader.name,
                "protocol_version": "3", "voter": true,
            ])
        }
        return Self.json(["data": ["config": ["index": 120, "servers": servers]]]) + "\n"
    }

    static func isObserverGet(_ command: Command) -> Bool {
        command.executable == "kubectl" && command.arguments.contains("-A") && command.arguments.contains("get")
            && command.arguments.contains { $0.hasPrefix("namespaces,") }
    }

    static func isVaultStatus(_ command: Command) -> Bool {
        command.executable == "kubectl" && command.arguments.contains("exec")
            && command.arguments.suffix(VaultCLI.status().count) == VaultCLI.status()[...]
    }

    // MARK: the reads

    private func installReads() {
        let topology = loaded.topology
        runner.on(where: { $0.argv.starts(with: ["docker", "network", "inspect"]) && $0.argv.count == 4 }) { [self] command in
            let name = command.arguments[2]
            guard let network = world.network.value, network.name == name else {
                return .result(CommandResult(exitCode: 1, stderr: "Error response from daemon: network \(name) not found\n"))
            }
            return .result(CommandResult(stdout: Self.networkJSON(network)))
        }
        runner.on(where: { $0.argv.starts(with: ["docker", "ps"]) }) { [self] _ in
            .result(CommandResult(stdout: world.containers.map(Self.psLine).joined()))
        }
        runner.on(where: Self.isObserverGet) { [self] command in
            let context = Self.context(of: command)
            guard let cluster = world.clusters.first(where: { $0.context == context }) else {
                return .result(Self.contextMissing(context))
            }
            switch cluster.reachability {
            case .reachable: return .result(CommandResult(stdout: Self.kubectlList(cluster.objects, topology: topology)))
            case .contextMissing: return .result(Self.contextMissing(context))
            case .apiServerUnreachable(let message), .failed(let message):
                return .result(CommandResult(exitCode: 1, stderr: message + "\n"))
            }
        }
        runner.on(where: { $0.argv.starts(with: ["helm", "list"]) }) { [self] command in
            let context = command.arguments.firstIndex(of: "--kube-context").map { command.arguments[$0 + 1] } ?? ""
            guard let cluster = world.clusters.first(where: { $0.context == context }), cluster.reachability == .reachable else {
                return .result(
                    CommandResult(exitCode: 1, stderr: "Error: Kubernetes cluster unreachable: context \"\(context)\" does not exist\n"))
            }
            return .result(CommandResult(stdout: Self.helmJSON(cluster.helmReleases)))
        }
        runner.on(where: Self.isListPeers) { [self] _ in .result(CommandResult(stdout: peersJSON())) }
        runner.on(where: Self.isVaultCRGet) { [self] command in
            let context = Self.context(of: command)
            let name = command.arguments[(command.arguments.firstIndex(of: "vaults.vault.banzaicloud.com") ?? 0) + 1]
            guard let cr = world.clusters.first(where: { $0.context == context })?.objects.vaults[name] else {
                return .result(
                    CommandResult(
                        exitCode: 1, stderr: "Error from server (NotFound): vaults.vault.banzaicloud.com \"\(name)\" not found\n"))
            }
            return .result(CommandResult(stdout: cr.node.jsonString()))
        }
        runner.on(where: Self.isVaultStatus) { [self] command in
            let context = Self.context(of: command)
            let cluster = topology.clusters.first { topology.context(of: $0) == context }?.name ?? ""
            if case .sealed(let sealed) = health, sealed.contains(cluster) {
                return .result(CommandResult(exitCode: 2, stdout: VaultStatusSample.sealed))
            }
            return .result(CommandResult(stdout: VaultStatusSample.unsealed(isSelf: cluster == topology.leader.name)))
        }
    }

    static func context(of command: Command) -> String {
        command.arguments.firstIndex(of: "--context").map { command.arguments[$0 + 1] } ?? ""
    }

    static func contextMissing(_ context: String) -> CommandResult {
        CommandResult(exitCode: 1, stderr: "error: context was not found for specified context: \(context)\n")
    }

    // MARK: the tools' texts

    static func json(_ value: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    static func networkJSON(_ n: DockerNetwork) -> String {
        var config: [[String: Any]] = []
        if let subnet = n.ipv4Subnet { config.append(["Subnet": subnet, "Gateway": n.ipv4Gateway ?? ""]) }
        if let subnet = n.ipv6Subnet { config.append(["Subnet": subnet]) }
        var containers: [String: Any] = [:]
        for c in n.containers {
            containers[c.containerID] = [
                "Name": c.name, "IPv4Address": c.ipv4Address.map { "\($0)/\(c.ipv4PrefixLength ?? 16)" } ?? "", "IPv6Address": "",
                "EndpointID": c.endpointID ?? "",
            ]
        }
        let object: [String: Any] = [
            "Name": n.name, "Id": n.id, "Driver": n.driver.isEmpty ? "bridge" : n.driver, "EnableIPv6": n.enableIPv6,
            "IPAM": ["Driver": "default", "Options": [String: String](), "Config": config], "Containers": containers,
            "Options": n.options, "Labels": n.labels,
        ]
        return json([object]) + "\n"
    }

    static func psLine(_ c: DockerContainer) -> String {
        json([
            "ID": c.id, "Names": c.name, "Image": c.image, "State": "\(c.state)", "Status": c.status,
            "Labels": c.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
            "Networks": c.networks.joined(separator: ","),
        ]) + "\n"
    }

    static func helmJSON(_ releases: [HelmRelease]) -> String {
        json(
            releases.map {
                [
                    "name": $0.name, "namespace": $0.namespace, "revision": String($0.revision ?? 1), "updated": $0.updated,
                    "status": "\($0.status)", "chart": $0.chart, "app_version": $0.appVersion,
                ]
            }) + "\n"
    }

    static func item(_ object: KubeObject) -> Any {
        try! JSONSerialization.jsonObject(with: Data(object.node.jsonString().utf8))
    }

    static func meta(_ name: String, _ namespace: String?, labels: [String: String] = [:]) -> [String: Any] {
        var m: [String: Any] = ["name": name, "labels": labels]
        if let namespace { m["namespace"] = namespace }
        return m
    }

    static func condition(_ type: String, _ value: Bool) -> [String: Any] {
        ["conditions": [["type": type, "status": value ? "True" : "False"]]]
    }

    static func deployment(_ d: DeploymentState) -> [String: Any] {
        var status = condition("Available", d.available)
        status["readyReplicas"] = d.readyReplicas
        return [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(d.name, d.namespace, labels: d.labels),
            "spec": [
                "replicas": d.replicas,
                "template": ["spec": ["containers": d.images.enumerated().map { ["name": "c\($0.offset)", "image": $0.element] }]],
            ],
            "status": status,
        ]
    }

    /// The one multi-kind `kubectl get … -A -o json` List the observer reads for a cluster.
    static func kubectlList(_ o: ClusterObjects, topology: Topology) -> String {
        var items: [Any] = o.namespaces.map { ["apiVersion": "v1", "kind": "Namespace", "metadata": meta($0, nil)] }
        for crd in o.customResourceDefinitions.values.sorted(by: { $0.name < $1.name }) {
            items.append([
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": meta(crd.name, nil),
                "status": condition("Established", crd.established),
            ])
        }
        if let controller = o.metalLB.controller {
            var d = controller
            d.labels["component"] = "controller"
            items.append(deployment(d))
        }
        if let op = o.operatorDeployment { items.append(deployment(op)) }
        if let legacy = o.metalLB.legacyConfig { items.append(item(legacy.object)) }
        if let ownership = o.ownership { items.append(item(ownership)) }
        if o.metalLB.memberlistSecretPresent {
            items.append([
                "apiVersion": "v1", "kind": "Secret", "metadata": meta("memberlist", MetalLBState.namespace), "type": "Opaque",
                "data": ["secretkey": "eHh4"],
            ])
        }
        for secret in o.sharedSecrets.values.sorted(by: { $0.name < $1.name }) { items.append(item(secret)) }
        for s in o.vaultServices {
            var spec: [String: Any] = ["type": s.type]
            if let ip = s.requestedLoadBalancerIP { spec["loadBalancerIP"] = ip }
            items.append([
                "apiVersion": "v1", "kind": "Service",
                "metadata": meta(s.name, s.namespace, labels: s.labels.merging(["vault_cr": s.name]) { a, _ in a }), "spec": spec,
                "status": ["loadBalancer": s.ingressIPs.isEmpty ? [String: Any]() : ["ingress": s.ingressIPs.map { ["ip": $0] }]],
            ])
        }
        for p in o.vaultPods {
            var status = condition("Ready", p.ready)
            status["phase"] = p.phase
            items.append([
                "apiVersion": "v1", "kind": "Pod",
                "metadata": meta(p.name, p.namespace, labels: p.labels.merging(["vault_cr": p.vaultCR ?? p.name]) { a, _ in a }),
                "status": status,
            ])
        }
        for vault in o.vaults.values.sorted(by: { $0.name < $1.name }) { items.append(item(vault)) }
        for pool in o.metalLB.addressPools { items.append(item(pool.object)) }
        for l2 in o.metalLB.l2Advertisements { items.append(item(l2)) }
        return json(["apiVersion": "v1", "kind": "List", "items": items, "metadata": ["resourceVersion": ""]]) + "\n"
    }
}

/// The spec of the session tests: the classic three clusters on their own network with a pinned
/// subnet (what `ActionRunnerTests.happyRunner` answers for) and the KMS token from the
/// environment (so the world's KMS carries a token the plan knows).
enum SessionFixture {
    static func loaded(name: String = "vault-raft") throws -> LoadedTopology {
        try PlanFixture.load(
            PlanFixture.spec(
                name: name, network: "multidc-test", subnet: "172.30.0.0/16", rootToken: "{ fromEnv: MULTIDC_KMS_TOKEN }",
                operatorVersion: "1.12.0"))
    }

    static func builder(_ loaded: LoadedTopology) -> WorldBuilder {
        var builder = WorldBuilder(loaded)
        builder.token = ActionRunnerTests.token
        return builder
    }

    /// A session over the scripted world, on a virtual clock that moves only when slept on.
    static func session(_ script: ScriptedWorld, clock: ManualClock = ManualClock()) -> Session {
        Session(runner: script.runner, environment: ActionRunnerTests.environment, clock: clock)
    }
}

/// The scripted world is only as good as its texts: the observer must read back the world
/// they were made from.
@Suite struct ScriptedWorldTests {
    /// An object as sorted-key JSON (tools print keys in their own order).
    static func canonical(_ object: KubeObject?) -> String? { object.map { ScriptedWorld.json(ScriptedWorld.item($0)) } }

    @Test func theObserverReadsTheScriptedWorldBack() async throws {
        let loaded = try SessionFixture.loaded()
        let world = try SessionFixture.builder(loaded).converged()
        let script = ScriptedWorld(loaded, world: world)
        let observed = await Observer(runner: script.runner).observe(ObservationTarget(loaded.topology))
        #expect(observed.engine == .reachable)
        #expect(observed.network == world.network)
        #expect(observed.containers.map(\.name) == world.containers.map(\.name))
        #expect(observed.kindClusters.map(\.name) == world.kindClusters.map(\.name))
        #expect(observed.kms.container?.ipv4Address == world.kms.container?.ipv4Address)
        for (read, made) in zip(observed.clusters, world.clusters) {
            #expect(read.reachability == .reachable)
            #expect(read.helmReleases == made.helmReleases)
            #expect(read.objects.vaults.mapValues(Self.canonical) == made.objects.vaults.mapValues(Self.canonical))
            #expect(read.objects.sharedSecrets.mapValues(Self.canonical) == made.objects.sharedSecrets.mapValues(Self.canonical))
            #expect(Self.canonical(read.objects.ownership) == Self.canonical(made.objects.ownership))
            #expect(read.objects.metalLB.legacyConfig?.pools == made.objects.metalLB.legacyConfig?.pools)
            #expect(read.objects.metalLB.controllerReady && read.objects.metalLB.version == made.objects.metalLB.version)
            #expect(read.objects.vaultPods.map(\.name) == made.objects.vaultPods.map(\.name))
            #expect(read.objects.vaultServices.map(\.loadBalancerIP) == made.objects.vaultServices.map(\.loadBalancerIP))
        }
        let replanned = Planner.plan(PlanInput(loaded: loaded, world: observed, environment: ActionRunnerTests.environment))
        #expect(replanned.problems.isEmpty)
        #expect(!replanned.hasChanges, "\(replanned.changeRows)")
    }
}
