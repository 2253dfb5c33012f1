import Foundation
import MultiDCTestSupport
import Synchronization
import Testing
import YAML

@testable import MultiDC

/// multidc on the behaviours of the real tools (docs/tools.md): each test is one place where a
/// kinder world let the old multidc pass.
@Suite struct RealToolBehaviourTests {
    typealias A = ActionRunnerTests

    @Test("the vault CLI in a Bank-Vaults pod is given the pod's CA")
    func vaultCLINamesTheCA() {
        #expect(VaultCLI.status() == ["vault", "status", "-format=json", "-ca-cert=/vault/tls/ca.crt"])
    }

    @Test("helm list names every state: works on helm 3 and on helm 4 (no -a)")
    func helmListOnBothMajors() {
        let argv = Helm(kubeContext: "kind-a").list().argv
        #expect(!argv.contains("-a") && !argv.contains("--all"))
        for state in ["--deployed", "--failed", "--pending", "--superseded", "--uninstalling", "--uninstalled"] {
            #expect(argv.contains(state), "\(state)")
        }
        // helm 4 lower-cases its unreachable text; both are transient and read as unreachable.
        let four = CommandResult(exitCode: 1, stderr: "Error: kubernetes cluster unreachable: Get \"https://127.0.0.1:1/version\": EOF\n")
        #expect(Helm.unreachableMessage(four) != nil)
        #expect(ToolFailure.isTransient(four.stderr))
    }

    @Test("a LoadBalancer that reports a hostname (EKS) gives the Service its address")
    func loadBalancerHostname() throws {
        let objects = try ObserveClusterObjectsTests.read(
            """
            {"apiVersion":"v1","kind":"List","items":[
              {"apiVersion":"v1","kind":"Service","metadata":{"name":"vault","namespace":"vault","labels":{"vault_cr":"vault"}},
               "spec":{"type":"LoadBalancer"},
               "status":{"loadBalancer":{"ingress":[{"hostname":"a1b2.eu-west-1.elb.amazonaws.com"}]}}}
            ]}
            """)
        #expect(objects.vaultServices.first?.loadBalancerIP == "a1b2.eu-west-1.elb.amazonaws.com")
        #expect(objects.vaultServices.first?.isPending == false)
    }

    @Test("paused node containers and a paused KMS are unpaused, not started")
    func pausedContainersAreUnpaused() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        var world = try WorldBuilder(loaded).converged()
        var kms = try #require(world.kms.container)
        kms.state = .paused
        world.kms = .present(kms)
        let index = try #require(world.kindClusters.firstIndex { $0.name == "secondary" })
        world.kindClusters[index].nodes[0].container.state = .paused
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world))
        #expect(plan.problems.isEmpty)
        #expect(plan.action("kms")?.reason == "the container is paused; unpause it")
        #expect((plan.action("kms")?.step as? KMSResource.Unpause)?.names == ["central-vault"])
        let start = try #require(plan.action("cluster/secondary")?.step as? KindClusterResource.Start)
        #expect(start.nodes.isEmpty && start.paused == ["secondary-control-plane"])
        #expect(plan.action("cluster/secondary")?.reason.hasSuffix("are paused; unpause them") == true)
    }

    @Test("the loser of a concurrent network create takes the network that now exists")
    func networkCreateRace() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(network: "multidc-test", subnet: "172.30.0.0/16", clusters: ["primary"]))
        let runner = ScriptedRunner()
        runner.on(["docker", "network", "inspect", "bridge"], stdout: "1500\n")
        runner.on(
            ["docker", "network", "create"], exitCode: 1,
            stderr: "Error response from daemon: Pool overlaps with other one on this address space\n")
        runner.on(["docker", "network", "inspect", "multidc-test"], stdout: A.networkJSON)
        let step = NetworkResource.Create(name: "multidc-test", subnet: CIDR("172.30.0.0/16"), removing: nil)
        let jobs = ExecutionJob(id: "network") { job in
            try await step.run(
                StepContext(
                    runner: runner, loaded: loaded, environment: [:], readinessTimeout: .seconds(5),
                    state: RunState(subnet: nil, kmsAddress: nil, kmsToken: nil), job: job))
        }
        let report = try await JobExecutor(clock: ManualClock()).run([jobs])
        #expect(report.succeeded, "\(report.jobs.compactMap(\.error))")

        // Another network holding that subnet under another name is still a failure.
        let other = ScriptedRunner()
        other.on(["docker", "network", "inspect", "bridge"], stdout: "1500\n")
        other.on(
            ["docker", "network", "create"], exitCode: 1,
            stderr: "Error response from daemon: Pool overlaps with other one on this address space\n")
        other.on(["docker", "network", "inspect", "multidc-test"], exitCode: 1, stderr: "Error: No such network: multidc-test\n")
        let failing = ExecutionJob(id: "network") { job in
            try await step.run(
                StepContext(
                    runner: other, loaded: loaded, environment: [:], readinessTimeout: .seconds(5),
                    state: RunState(subnet: nil, kmsAddress: nil, kmsToken: nil), job: job))
        }
        let refused = try await JobExecutor(clock: ManualClock()).run([failing])
        #expect(!refused.succeeded)
        #expect(refused.jobs[0].error?.contains("Pool overlaps") == true)
    }

    @Test("kind's kubeconfig lock race: the running cluster's context is exported, retried while the lock is busy")
    func kubeconfigLockRace() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(clusters: ["primary"]))
        let runner = ScriptedRunner()
        let exports = Mutex(0)
        runner.on(
            ["kind", "create", "cluster"], exitCode: 1,
            stderr:
                "ERROR: failed to create cluster: failed to lock config file: open /root/.kube/config.lock: file exists\n")
        runner.on(["kind", "export", "kubeconfig"]) { _ in
            let n = exports.withLock {
                $0 += 1; return $0
            }
            return n == 1
                ? CommandResult(exitCode: 1, stderr: "ERROR: failed to lock config file: open /root/.kube/config.lock: file exists\n")
                : CommandResult(stderr: "Set kubectl context to \"kind-primary\"\n")
        }
        runner.on(["kubectl"], stdout: "namespace/default\n")
        let step = KindClusterResource.Create(name: "primary", image: nil, workers: 0, network: "kind", deleteFirst: false)
        let job = ExecutionJob(id: "cluster/primary") { job in
            try await step.run(
                StepContext(
                    runner: runner, loaded: loaded, environment: [:], readinessTimeout: .seconds(5),
                    state: RunState(subnet: nil, kmsAddress: nil, kmsToken: nil), job: job))
        }
        let report = try await JobExecutor(clock: ManualClock()).run([job])
        #expect(report.succeeded, "\(report.jobs.compactMap(\.error))")
        #expect(exports.withLock { $0 } == 2)
        #expect(!runner.calls.contains { $0.argv.starts(with: ["kind", "delete"]) }, "the running nodes are kept")
    }

    @Test("MetalLB counts as installed only once its speakers are Ready too")
    func metalLBSpeakersAreAwaited() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().editing("primary") { $0.objects.metalLB = MetalLBState() }
        let runner = A.happyRunner(files: A.FileLog())
        let report = try await A.performAlone("metallb/primary", loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded)
        #expect(
            runner.calls.last?.argv == [
                "kubectl", "--context", "kind-primary", "-n", "metallb-system", "rollout", "status", "daemonset/speaker", "--timeout=10s",
            ])
    }

    @Test("a follower's CR waits for the leader's pods Ready: bank-vaults joins once")
    func followersWaitForTheLeadersPods() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let plan = Planner.plan(PlanInput(loaded: loaded, world: WorldBuilder(loaded).empty()))
        #expect(plan.action("vault/secondary")?.dependsOn.contains(.vaultReady("primary")) == true)
        #expect(plan.action("secret/vault-primary-tls/secondary")?.dependsOn.contains(.vaultReady("primary")) == false)
    }

    @Test("objects go into a Vault namespace other than default only after it is created")
    func vaultNamespaceIsCreated() async throws {
        let loaded = try PlanFixture.example("existing")
        #expect(loaded.topology.vault.namespace == "vault")
        let runner = ScriptedRunner()
        let step = SharedSecretResource.Copy(name: "vault-eu-west-1-tls", from: "eu-west-1", to: "us-east-1")
        runner.on(
            where: { $0.arguments.contains("get") && $0.arguments.contains("secret") },
            answer: { _ in .result(CommandResult(stdout: A.leaderSecretJSON("vault-eu-west-1-tls"))) })
        runner.on(["kubectl"], stdout: "ok\n")
        let job = ExecutionJob(id: "copy") { job in
            try await step.run(
                StepContext(
                    runner: runner, loaded: loaded, environment: [:], readinessTimeout: .seconds(5),
                    state: RunState(subnet: nil, kmsAddress: nil, kmsToken: nil), job: job))
        }
        let report = try await JobExecutor(clock: ManualClock()).run([job])
        #expect(report.succeeded)
        let applies = runner.calls.filter { $0.arguments.contains("apply") }
        #expect(applies.count == 2)
        #expect(String(decoding: applies[0].standardInput!.bytes, as: UTF8.self).contains("kind: Namespace"))
    }
}

/// A leader cluster whose insides wait for the next round (its context is exported again)
/// takes its followers' secret copies and Vault CRs with it: planned then, not now.
@Suite struct DeferredLeaderTests {
    @Test func followersOfADeferredLeaderWaitForTheNextRound() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().removingCluster("secondary").editing("primary") {
            $0.reachability = .contextMissing("error: context \"kind-primary\" does not exist")
            $0.objects = ClusterObjects()
        }
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world))
        #expect(plan.deferredClusters == ["primary"])
        #expect(plan.action("cluster/secondary")?.change == .create)
        #expect(plan.action("secret/vault-primary-tls/secondary") == nil)
        #expect(plan.action("vault/secondary") == nil)
    }
}
