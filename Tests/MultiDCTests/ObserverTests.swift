import Foundation
import MultiDCTestSupport
import Synchronization
import Testing
import YAML

@testable import MultiDC

@Suite("Observe: Observer with a ScriptedRunner")
struct ObserverTests {
    static let target = ObservationTarget(
        topologyName: "vault-raft", provider: .kind, networkName: "kind", kmsContainerName: "central-vault",
        clusters: ["primary", "secondary", "tertiary"].map { .init(name: $0, context: "kind-\($0)") },
        vaultNamespace: "default", sharedSecretNames: ["vault-primary-tls"], operatorRelease: "vault-operator", operatorNamespace: "default"
    )

    /// A runner answering like a converged three-cluster world.
    static func convergedRunner() -> ScriptedRunner {
        let runner = ScriptedRunner()
        runner.on(["docker", "network", "inspect", "kind"], stdout: ObserveFixture.kindNetwork)
        runner.on(["docker", "ps"], stdout: ObserveFixture.ps())
        runner.on(["kubectl"], stdout: ObserveFixture.clusterList())
        runner.on(["helm", "list"], stdout: ObserveFixture.helmList)
        return runner
    }

    @Test("a converged 3-cluster world takes exactly 2 + 2 per cluster processes")
    func convergedProcessCount() async throws {
        let runner = Self.convergedRunner()
        let world = await Observer(runner: runner).observe(Self.target)
        let calls = runner.calls
        #expect(calls.count == 2 + 2 * 3)
        #expect(calls.filter { $0.executable == "docker" }.count == 2)
        for context in ["kind-primary", "kind-secondary", "kind-tertiary"] {
            #expect(calls.filter { $0.executable == "kubectl" && $0.arguments.contains(context) }.count == 1)
            #expect(calls.filter { $0.executable == "helm" && $0.arguments.contains(context) }.count == 1)
        }
        let get = try #require(calls.first { $0.executable == "kubectl" })
        #expect(get.arguments.starts(with: ["--context"]))
        #expect(get.arguments.suffix(3) == ["-A", "-o", "json"])

        #expect(world.engine == .reachable)
        let network = try #require(world.network.value)
        #expect(network.ipv4Subnet == "172.18.0.0/16")
        #expect(world.kindClusters.map(\.name) == ["primary", "secondary", "tertiary"])
        #expect(world.kindClusters.allSatisfy { $0.isRunning && $0.controlPlanes.count == 1 })
        let kms = try #require(world.kms.container)
        #expect(kms.isRunning)
        #expect(kms.image == "vault:1.6.2")
        #expect(kms.ipv4Address == "172.18.0.5")
        #expect(world.ownedContainers.map(\.name) == ["central-vault"])
        #expect(world.container(named: "primary-control-plane")?.ipv4Address == "172.18.0.2")
        #expect(world.container(named: "foreign")?.state == .exited)
        #expect(world.clusters.map(\.name) == ["primary", "secondary", "tertiary"])
        for cluster in world.clusters {
            #expect(cluster.reachability == .reachable)
            #expect(cluster.helmError == nil)
            #expect(cluster.helmRelease(named: "vault-operator", namespace: "default")?.status == .deployed)
            #expect(cluster.objects.vaultCRDEstablished)
            #expect(cluster.objects.operatorDeployment?.available == true)
            #expect(cluster.objects.metalLB.installed)
        }
    }

    @Test("the cluster objects are typed: MetalLB, secrets, Vault CR, pods, services, ownership")
    func clusterObjects() async throws {
        let world = await Observer(runner: Self.convergedRunner()).observe(Self.target)
        let objects = try #require(world.cluster(named: "primary")).objects
        #expect(objects.namespaces == ["default", "metallb-system"])
        #expect(objects.metalLB.version == "v0.9.3")
        #expect(objects.metalLB.controllerReady)
        #expect(objects.metalLB.memberlistSecretPresent)
        #expect(objects.metalLB.legacyConfig?.pools == [.init(name: "default", protocol: "layer2", addresses: ["172.18.1.128/25"])])
        #expect(objects.metalLB.legacyConfig?.object.isOwned(byTopology: "vault-raft") == true)
        #expect(objects.sharedSecrets.keys.sorted() == ["vault-primary-tls"])
        let tls = try #require(objects.sharedSecrets["vault-primary-tls"])
        #expect(tls.node["type"]?.string == "kubernetes.io/tls")
        #expect(tls.node[path: "data", "tls.key"]?.string == "a2V5")
        let cr = try #require(objects.vaults["vault"])
        #expect(cr.node[path: "spec", "image"]?.string == "vault:1.6.2")
        #expect(cr.node[path: "spec", "size"]?.int == 1)
        #expect(
            objects.vaultPods == [
                PodState(
                    name: "vault-0", namespace: "default", labels: ["app.kubernetes.io/name": "vault", "vault_cr": "vault"],
                    phase: "Running",
                    ready: true, vaultCR: "vault")
            ])
        #expect(objects.vaultServices.map(\.name) == ["vault"])
        #expect(objects.vaultServices[0].loadBalancerIP == "172.18.1.128")
        #expect(objects.vaultServices[0].requestedLoadBalancerIP == "172.18.1.128")
        #expect(!objects.vaultServices[0].isPending)
        #expect(objects.ownership?.isOwned(byTopology: "vault-raft") == true)
    }

    @Test("a pending LoadBalancer IP and a not-ready Vault pod are facts")
    func pendingService() async throws {
        let pending = ScriptedRunner()
        pending.on(["kubectl"], stdout: ObserveFixture.clusterList(lbIP: nil, vaultReady: false))
        let world = await Observer(runner: pending).observe(
            ObservationTarget(
                topologyName: "t", provider: .existing, networkName: nil, clusters: [.init(name: "eu", context: "eks-eu")]))
        let objects = try #require(world.clusters.first).objects
        #expect(objects.vaultServices[0].isPending)
        #expect(objects.vaultServices[0].loadBalancerIP == nil)
        #expect(objects.vaultPods[0].ready == false)
        #expect(world.engine == .notObserved)
        #expect(pending.calls.allSatisfy { $0.executable != "docker" })
    }

    @Test("an unreachable cluster is a fact with kubectl's message; the others are still read")
    func unreachableCluster() async throws {
        let runner = ScriptedRunner()
        runner.on(["kubectl", "--context", "kind-secondary"], exitCode: 1, stderr: Fixture.kubectlRefused)
        runner.on(
            Helm(kubeContext: "kind-secondary").list().argv, exitCode: 1, stderr: Fixture.helmUnreachable)
        runner.on(["docker", "network", "inspect", "kind"], stdout: ObserveFixture.kindNetwork)
        runner.on(["docker", "ps"], stdout: ObserveFixture.ps())
        runner.on(["kubectl"], stdout: ObserveFixture.clusterList())
        runner.on(["helm", "list"], stdout: ObserveFixture.helmList)
        let world = await Observer(runner: runner).observe(Self.target)
        let secondary = try #require(world.cluster(named: "secondary"))
        #expect(
            secondary.reachability
                == .apiServerUnreachable(
                    "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?"))
        #expect(secondary.objects == ClusterObjects())
        #expect(secondary.helmReleases.isEmpty)
        #expect(secondary.helmError?.contains("Kubernetes cluster unreachable") == true)
        #expect(world.cluster(named: "primary")?.reachability == .reachable)
        #expect(world.cluster(named: "tertiary")?.reachability == .reachable)
    }

    @Test("a missing context is a fact")
    func contextMissing() async {
        let runner = ScriptedRunner()
        runner.on(["kubectl"], exitCode: 1, stderr: Fixture.kubectlContextMissing)
        runner.on(["helm"], exitCode: 1, stderr: "Error: Kubernetes cluster unreachable: context \"kind-nope\" does not exist\n")
        let world = await Observer(runner: runner).observe(
            ObservationTarget(
                topologyName: "t", provider: .existing, networkName: nil, clusters: [.init(name: "nope", context: "kind-nope")]))
        #expect(
            world.clusters.first?.reachability
                == .contextMissing("Error in configuration: context was not found for specified context: kind-nope"))
    }

    @Test("a missing docker CLI makes the engine unreachable, never a crash")
    func missingDockerCLI() async {
        let runner = ScriptedRunner()
        runner.on(
            ["docker"],
            throwing: CommandRunnerError(code: .executableNotFound, command: "docker ps", message: "docker: executable not found on PATH"))
        runner.on(["kubectl"], stdout: Fixture.kubectlEmptyList)
        runner.on(["helm"], stdout: "[]\n")
        let world = await Observer(runner: runner).observe(Self.target)
        #expect(world.engine == .unreachable("the docker CLI was not found on PATH"))
        #expect(world.network == .unknown("Docker engine unreachable: the docker CLI was not found on PATH"))
        guard case .unknown = world.kms else {
            Issue.record("KMS should be unknown, is \(world.kms)")
            return
        }
        #expect(world.containers.isEmpty)
        #expect(world.clusters.count == 3)
    }

    @Test("a stopped daemon makes the engine unreachable with docker's message")
    func daemonDown() async {
        let runner = ScriptedRunner()
        runner.on(["docker"], exitCode: 1, stderr: Fixture.dockerDaemonDown)
        let world = await Observer(runner: runner).observe(Self.target)
        #expect(
            world.engine
                == .unreachable("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"))
        #expect(world.kindClusters.isEmpty)
    }

    @Test(
        "a missing network is absent (both client texts); a stopped KMS is present and exited",
        arguments: [
            Fixture.networkMissing28, Fixture.networkMissing2010,
        ])
    func missingNetwork(stderr: String) async throws {
        let runner = ScriptedRunner()
        runner.on(["docker", "network", "inspect"], exitCode: 1, stdout: "[]\n", stderr: stderr)
        runner.on(["docker", "ps"], stdout: ObserveFixture.ps(kmsState: "exited"))
        runner.on(["kubectl"], stdout: ObserveFixture.clusterList())
        runner.on(["helm"], stdout: "[]\n")
        let world = await Observer(runner: runner).observe(Self.target)
        #expect(world.engine == .reachable)
        #expect(world.network == .absent)
        let kms = try #require(world.kms.container)
        #expect(kms.state == .exited)
        #expect(kms.ipv4Address == nil)
    }

    @Test("an empty engine: no network, no containers, KMS absent")
    func emptyEngine() async {
        let runner = ScriptedRunner()
        runner.on(["docker", "network", "inspect"], exitCode: 1, stdout: "[]\n", stderr: Fixture.networkMissing28)
        runner.on(["docker", "ps"], stdout: "")
        runner.on(["kubectl"], exitCode: 1, stderr: "Error in configuration: context was not found for specified context: kind-primary\n")
        runner.on(["helm"], exitCode: 1, stderr: "Error: kubernetes cluster unreachable\n")
        let world = await Observer(runner: runner).observe(Self.target)
        #expect(world.network == .absent)
        #expect(world.kms == .absent)
        #expect(world.kindClusters.isEmpty)
        #expect(world.clusters.allSatisfy { if case .contextMissing = $0.reachability { true } else { false } })
    }

    @Test("a kind without its CRD is dropped and the read repeated once")
    func unknownResourceType() async throws {
        let runner = ScriptedRunner()
        runner.on(
            where: { $0.executable == "kubectl" && $0.arguments.contains { $0.contains("vaults.vault.banzaicloud.com") } },
            answer: { _ in
                .result(CommandResult(exitCode: 1, stderr: "error: the server doesn't have a resource type \"vaults\"\n"))
            })
        runner.on(["kubectl"], stdout: Fixture.kubectlEmptyList)
        runner.on(["helm"], stdout: "[]\n")
        let world = await Observer(runner: runner).observe(
            ObservationTarget(
                topologyName: "t", provider: .existing, networkName: nil, clusters: [.init(name: "a", context: "a")]))
        #expect(world.clusters.first?.reachability == .reachable)
        #expect(runner.calls.filter { $0.executable == "kubectl" }.count == 2)
    }

    @Test("kubeconfig paths reach both kubectl and helm")
    func kubeconfig() async {
        let runner = ScriptedRunner()
        runner.on(["kubectl"], stdout: Fixture.kubectlEmptyList)
        runner.on(["helm"], stdout: "[]\n")
        _ = await Observer(runner: runner).observe(
            ObservationTarget(
                topologyName: "t", provider: .existing, networkName: nil,
                clusters: [.init(name: "a", context: "ctx", kubeconfig: "/k/config")],
                metalLBCustomResources: true))
        let kubectl = runner.calls.first { $0.executable == "kubectl" }
        #expect(kubectl?.arguments.starts(with: ["--kubeconfig", "/k/config", "--context", "ctx", "get"]) == true)
        #expect(kubectl?.arguments.contains { $0.contains("ipaddresspools.metallb.io") } == true)
        let helm = runner.calls.first { $0.executable == "helm" }
        #expect(helm?.arguments.suffix(4) == ["--kube-context", "ctx", "--kubeconfig", "/k/config"])
    }
}

@Suite("Observe: docker edge cases")
struct ObserverDockerEdgeTests {
    @Test("a container list that cannot be read leaves the KMS unknown, not absent")
    func unreadableList() async {
        let runner = ScriptedRunner()
        runner.on(["docker", "network", "inspect"], stdout: ObserveFixture.kindNetwork)
        runner.on(["docker", "ps"], stdout: "this is not json\n")
        let world = await Observer(runner: runner).observe(
            ObservationTarget(
                topologyName: "t", kmsContainerName: "central-vault", clusters: []))
        #expect(world.engine == .reachable)
        #expect(world.containerListProblem?.hasPrefix("unreadable docker ps output") == true)
        guard case .unknown = world.kms else {
            Issue.record("KMS should be unknown, is \(world.kms)")
            return
        }
    }

    @Test("provider existing with a KMS container reads docker ps only")
    func existingWithKMS() async {
        let runner = ScriptedRunner()
        runner.on(["docker", "ps"], stdout: ObserveFixture.ps())
        let world = await Observer(runner: runner).observe(
            ObservationTarget(
                topologyName: "vault-raft", provider: .existing, networkName: nil, kmsContainerName: "central-vault", clusters: []))
        #expect(runner.calls.map(\.argv) == [Docker.listContainers().argv])
        #expect(world.kms.container?.name == "central-vault")
        #expect(world.kindClusters.isEmpty)
        #expect(world.network == .notObserved)
    }
}

@Suite("Observe: timeouts")
struct ObserverTimeoutTests {
    @Test("every read carries the observer's call timeout; a timed-out kubectl is a failed read")
    func timeouts() async {
        let runner = ScriptedRunner()
        runner.on(
            ["kubectl"],
            throwing: CommandRunnerError(
                code: .timedOut, command: "kubectl get", message: "timed out after 5.0 seconds; the process group was ended"))
        runner.on(["helm"], stdout: "[]\n")
        let world = await Observer(runner: runner, callTimeout: .seconds(5)).observe(
            ObservationTarget(
                topologyName: "t", provider: .existing, networkName: nil, clusters: [.init(name: "a", context: "a")]))
        #expect(runner.calls.allSatisfy { $0.timeout == .seconds(5) })
        #expect(world.clusters.first?.reachability == .failed("timed out after 5.0 seconds; the process group was ended"))
    }
}

@Suite("Observe: concurrency")
struct ObserverConcurrencyTests {
    /// Holds every call until `expected` calls are in flight (or a generous cap passes), then
    /// answers from a converged script; records the highest number in flight.
    final class BarrierRunner: CommandRunner {
        let script = ObserverTests.convergedRunner()
        let expected: Int
        private let state = Mutex((inFlight: 0, maxInFlight: 0))

        init(expected: Int) { self.expected = expected }

        var maxInFlight: Int { state.withLock { $0.maxInFlight } }

        func run(_ command: Command) async throws -> CommandResult {
            state.withLock {
                $0.inFlight += 1; $0.maxInFlight = max($0.maxInFlight, $0.inFlight)
            }
            for _ in 0..<1000 where state.withLock({ $0.maxInFlight }) < expected {
                try await Task.sleep(for: .milliseconds(10))
            }
            defer { state.withLock { $0.inFlight -= 1 } }
            return try await script.run(command)
        }
    }

    @Test("every read of a converged 3-cluster world is in flight at once")
    func allReadsConcurrent() async {
        let runner = BarrierRunner(expected: 8)
        let world = await Observer(runner: runner).observe(ObserverTests.target)
        #expect(runner.maxInFlight == 8)
        #expect(world.clusters.allSatisfy { $0.reachability == .reachable })
    }
}
