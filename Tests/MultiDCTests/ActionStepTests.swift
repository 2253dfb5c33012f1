import Foundation
import MultiDCTestSupport
import Synchronization
import Testing
import YAML

@testable import MultiDC

/// Replacements, restarts, the IPv4-only fallback and destroy: the argv of each step.
@Suite struct ActionStepTests {
    typealias A = ActionRunnerTests

    static func runAll(
        _ plan: Plan, loaded: LoadedTopology, world: World, runner: ScriptedRunner,
        environment: [String: String] = [:]
    ) async throws -> ExecutionReport {
        let actions = ActionRunner(
            runner: runner, loaded: loaded, environment: environment, readinessTimeout: .seconds(5))
        return try await JobExecutor(clock: ManualClock()).run(actions.jobs(for: plan))
    }

    @Test func convergedPlanHasNoJobs() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged()
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world))
        let actions = ActionRunner(runner: ScriptedRunner(), loaded: loaded, environment: [:])
        #expect(actions.jobs(for: plan).isEmpty)
    }

    @Test func jobsCarryThePlansEdgesAndLabels() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().removingCluster("secondary")
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world))
        let jobs = ActionRunner(runner: ScriptedRunner(), loaded: loaded, environment: [:]).jobs(
            for: plan)
        // One job per changing action, the Vault pods' readiness wait included: the plan is the graph.
        #expect(jobs.map(\.id) == plan.changes.map(\.id.description))
        #expect(jobs.map(\.dependencies) == plan.changes.map { $0.dependsOn.map(\.description) })
        #expect(plan.action("vault-ready/secondary")?.dependsOn == ["vault/secondary"])
        #expect(jobs.first { $0.id == "cluster/secondary" }?.label == "+ kind cluster secondary")
        #expect(jobs.first { $0.id == "cluster/secondary" }?.group == "secondary")
        #expect(jobs.first { $0.id == "helm-repo" }?.group == nil)
        try JobExecutor.validate(jobs)
    }

    @Test func replacedKMSIsRemovedFirstAndItsGeneratedTokenMatchesItsLabel() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        var world = try WorldBuilder(loaded).converged()
        var kms = try #require(world.kms.container)
        kms.image = "vault:1.5.0"
        world.kms = .present(kms)
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world))
        let files = A.FileLog()
        let runner = A.happyRunner(files: files)
        var job = try #require(
            ActionRunner(runner: runner, loaded: loaded, environment: [:]).jobs(for: plan)
                .first { $0.id == "kms" })
        job.dependencies = []
        let report = try await JobExecutor(clock: ManualClock()).run([job])
        #expect(report.succeeded)
        try #require(runner.calls.map { Array($0.argv.prefix(2)) } == [["docker", "rm"], ["docker", "run"], ["docker", "inspect"]])
        #expect(runner.calls[0].argv == ["docker", "rm", "-f", "-v", "central-vault"])
        #expect(
            runner.calls[2].argv == [
                "docker", "inspect", "-f", "{{(index .NetworkSettings.Networks \"kind\").IPAddress}}", "central-vault",
            ])
        let run = runner.calls[1]
        let env = try #require(files.all.first)
        #expect(env.contents.hasPrefix("VAULT_DEV_ROOT_TOKEN_ID=multidc."))
        let token = String(env.contents.dropFirst("VAULT_DEV_ROOT_TOKEN_ID=".count).dropLast())
        #expect(token.count == "multidc.".count + 48)
        #expect(run.arguments.contains("\(KMSResource.tokenFingerprintLabel)=\(SHA256.hex(token))"))
        #expect(!run.argv.joined(separator: " ").contains(token))
    }

    @Test func replacedClusterIsDeletedFirst() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(workers: ["tertiary": 1]))
        var world = try WorldBuilder(loaded).converged()
        world.containers.removeAll { $0.name == "tertiary-worker" }
        world.kindClusters = Kind.clusters(from: world.containers)
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world))
        let runner = A.happyRunner(files: A.FileLog())
        var job = try #require(
            ActionRunner(runner: runner, loaded: loaded, environment: [:]).jobs(for: plan)
                .first { $0.id == "cluster/tertiary" })
        job.dependencies = []
        let report = try await JobExecutor(clock: ManualClock()).run([job])
        #expect(report.succeeded)
        try #require(runner.calls.count == 3)
        #expect(runner.calls[0].argv == ["kind", "delete", "cluster", "--name", "tertiary"])
        #expect(Array(runner.calls[1].argv.prefix(5)) == ["kind", "create", "cluster", "--name", "tertiary"])
        #expect(runner.calls[2].argv == ["kubectl", "--context", "kind-tertiary", "get", "namespaces", "-o", "name"])
    }

    /// Ctrl-C during `kind create cluster`: the half-made cluster is deleted, as kind does after a failed create.
    @Test func interruptedClusterCreateIsCleanedUp() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        var world = try WorldBuilder(loaded).converged()
        world.containers.removeAll { $0.name == "tertiary-control-plane" }
        world.kindClusters = Kind.clusters(from: world.containers)
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world))
        let runner = ScriptedRunner()
        runner.on(["kind", "delete", "cluster"])
        runner.on(
            ["kind", "create", "cluster"],
            throwing: CommandRunnerError(code: .cancelled, command: "kind create cluster", message: "cancelled"))
        var job = try #require(
            ActionRunner(runner: runner, loaded: loaded, environment: [:]).jobs(for: plan)
                .first { $0.id == "cluster/tertiary" })
        job.dependencies = []
        let report = try await JobExecutor(clock: ManualClock()).run([job])
        #expect(!report.succeeded)
        try #require(runner.calls.count == 2)
        #expect(Array(runner.calls[0].argv.prefix(5)) == ["kind", "create", "cluster", "--name", "tertiary"])
        #expect(runner.calls[1].argv == ["kind", "delete", "cluster", "--name", "tertiary"])
    }

    @Test func pendingOperatorIsUninstalledFirst() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().editing("primary") { $0.helmReleases[0].status = .pendingInstall }
        let report = try await A.performAlone("operator/primary", loaded: loaded, world: world, runner: A.happyRunner(files: A.FileLog()))
        #expect(report.succeeded)
        let runner = A.happyRunner(files: A.FileLog())
        _ = try await A.performAlone("operator/primary", loaded: loaded, world: world, runner: runner)
        #expect(
            runner.calls.map(\.argv) == [
                ["helm", "uninstall", "vault-operator", "--namespace", "default", "--kube-context", "kind-primary"],
                [
                    "helm", "upgrade", "--install", "vault-operator", "banzaicloud-stable/vault-operator", "--namespace", "default",
                    "--create-namespace", "--wait", "--timeout", "5s", "--kube-context", "kind-primary",
                ],
                [
                    "kubectl", "--context", "kind-primary", "wait", "--for=condition=Established", "crd/vaults.vault.banzaicloud.com",
                    "--timeout=10s",
                ],
                Helm(kubeContext: "kind-primary").list().argv,
                [
                    "kubectl", "--context", "kind-primary", "-n", "default", "annotate", "configmap", "multidc-ownership",
                    "multidc/operator-values-sha256=\(OperatorResource.valuesDigest(loaded.topology.vaultOperator))", "--overwrite",
                ],
            ])
    }

    @Test func recreatedVaultIsDeletedBeforeItIsApplied() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().removingKMS()
        let runner = A.happyRunner(files: A.FileLog())
        // The KMS runs in an earlier job; here its address and token come from docker inspect.
        let report = try await A.performAlone("vault/primary", loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded, "\(report.jobs)")
        let kubectl = runner.calls.filter { $0.executable == "kubectl" }.map(\.arguments)
        #expect(
            kubectl == [
                ["--context", "kind-primary", "-n", "default", "delete", "vault", "vault-primary", "--ignore-not-found"],
                // Re-initialised: the pod gone, then its claims (they outlive the CR; docs/tools.md#k8s-pvc-retention).
                ["--context", "kind-primary", "-n", "default", "wait", "--for=delete", "pod/vault-primary-0", "--timeout=10s"],
                ["--context", "kind-primary", "-n", "default", "delete", "pvc", "-l", "vault_cr=vault-primary", "--ignore-not-found"],
                ["--context", "kind-primary", "apply", "-f", "-"],
                ["--context", "kind-primary", "-n", "default", "wait", "--for=condition=Ready", "pod/vault-primary-0", "--timeout=10s"],
            ])
    }

    @Test func stoppedContainersAreStarted() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        var world = try WorldBuilder(loaded).converged()
        world.containers = world.containers.map {
            var c = $0
            if c.name == "tertiary-control-plane" { c.state = .exited; c.ipv4Address = nil }
            return c
        }
        world.kindClusters = Kind.clusters(from: world.containers)
        world = world.editing("tertiary") { $0.reachability = .apiServerUnreachable("connection refused") }
        let runner = ScriptedRunner()
        let namespaces = A.flaky(
            runner, where: { $0.arguments.contains("namespaces") }, failures: 2,
            stderr: "The connection to the server 127.0.0.1:40123 was refused - did you specify the right host or port?")
        runner.on(["docker", "start"], stdout: "tertiary-control-plane\n")
        let report = try await A.performAlone("cluster/tertiary", loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded)
        #expect(runner.calls.first?.argv == ["docker", "start", "tertiary-control-plane"])
        #expect(namespaces.count == 3)
    }

    @Test func networkFallsBackToIPv4OnlyAsKindDoes() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(network: "multidc-test", subnet: "172.30.0.0/16", clusters: ["primary"]))
        let world = WorldBuilder(loaded).empty()
        let runner = ScriptedRunner()
        runner.on(["docker", "network", "inspect", "bridge"], stdout: "0\n")
        runner.on(
            where: { $0.arguments.starts(with: ["network", "create"]) && $0.arguments.contains("--ipv6") },
            answer: { _ in
                .result(
                    CommandResult(
                        exitCode: 1,
                        stderr:
                            "Error response from daemon: Cannot read IPv6 setup for bridge br-1234: open /proc/sys/net/ipv6/conf/br-1234/disable_ipv6: no such file or directory\n"
                    ))
            })
        runner.on(["docker", "network", "create"], stdout: "abc\n")
        runner.on(["docker", "network", "inspect"], stdout: A.networkJSON)
        let report = try await A.performAlone("network", loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded)
        let creates = A.calls(runner, ["docker", "network", "create"]).map(\.argv)
        // MTU 0 from the default bridge: no mtu option, as kind does.
        #expect(
            creates == [
                [
                    "docker", "network", "create", "-d=bridge", "-o", "com.docker.network.bridge.enable_ip_masquerade=true",
                    "--label", "app.kubernetes.io/managed-by=multidc", "--label", "multidc/topology=vault-raft",
                    "--ipv6", "--subnet", KindNetwork.ulaSubnet(name: "multidc-test"), "--subnet", "172.30.0.0/16", "multidc-test",
                ],
                [
                    "docker", "network", "create", "-d=bridge", "-o", "com.docker.network.bridge.enable_ip_masquerade=true",
                    "--label", "app.kubernetes.io/managed-by=multidc", "--label", "multidc/topology=vault-raft",
                    "--subnet", "172.30.0.0/16", "multidc-test",
                ],
            ])
    }

    @Test func networkThatAlreadyExistsIsFineAndOtherFailuresAreNot() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(network: "multidc-test", subnet: "172.30.0.0/16", clusters: ["primary"]))
        let world = WorldBuilder(loaded).empty()
        let exists = ScriptedRunner()
        exists.on(["docker", "network", "inspect", "bridge"], stdout: "1500\n")
        exists.on(
            ["docker", "network", "create"], exitCode: 1,
            stderr: "Error response from daemon: network with name multidc-test already exists\n")
        var report = try await A.performAlone("network", loaded: loaded, world: world, runner: exists)
        #expect(report.succeeded)

        let overlap = ScriptedRunner()
        overlap.on(["docker", "network", "inspect", "bridge"], stdout: "1500\n")
        overlap.on(
            ["docker", "network", "create"], exitCode: 1,
            stderr: "Error response from daemon: Pool overlaps with other one on this address space\n")
        report = try await A.performAlone("network", loaded: loaded, world: world, runner: overlap)
        #expect(report["network"]?.status == .failed)
        #expect(report["network"]?.error?.contains("Pool overlaps with other one on this address space") == true)
        #expect(report["network"]?.attempts == 1)
    }

    // MARK: destroy

    @Test func destroyOfAKindTopology() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(network: "multidc-test", subnet: "172.30.0.0/16"))
        var builder = WorldBuilder(loaded)
        builder.networkLabels = Ownership.labels(topology: "vault-raft")
        let world = try builder.converged()
        let plan = Planner.destroyPlan(PlanInput(loaded: loaded, world: world))
        let runner = ScriptedRunner()
        runner.on(["kind", "delete", "cluster"], stderr: "Deleting cluster ...\n")
        runner.on(["docker"], stdout: "ok\n")
        let report = try await Self.runAll(plan, loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded)
        let argv = runner.calls.map(\.argv)
        #expect(Set(argv.prefix(3)) == Set(["primary", "secondary", "tertiary"].map { ["kind", "delete", "cluster", "--name", $0] }))
        #expect(Array(argv.suffix(2)) == [["docker", "rm", "-f", "-v", "central-vault"], ["docker", "network", "rm", "multidc-test"]])
        #expect(argv.count == 5)
    }

    @Test func destroyOfAnExistingTopology() async throws {
        let loaded = try PlanFixture.example("existing")
        let world = try WorldBuilder(loaded).converged(leaderLoadBalancerIP: "203.0.113.10")
        let plan = Planner.destroyPlan(PlanInput(loaded: loaded, world: world))
        let runner = ScriptedRunner()
        runner.on(["kubectl"], stdout: "deleted\n")
        runner.on(["helm"], stdout: "release \"vault-operator\" uninstalled\n")
        let report = try await Self.runAll(plan, loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded)
        let context = "arn:aws:eks:us-east-1:123456789012:cluster/vault"
        let calls = runner.calls.map(\.argv).filter { $0.contains(context) }
        #expect(calls.count == 4)
        #expect(
            calls.first == ["kubectl", "--context", context, "-n", "vault", "delete", "vault", "vault-us-east-1", "--ignore-not-found"]
                || calls.first == [
                    "kubectl", "--context", context, "-n", "vault", "delete", "secret", "vault-eu-west-1-tls", "--ignore-not-found",
                ])
        #expect(
            Set(calls) == [
                ["kubectl", "--context", context, "-n", "vault", "delete", "vault", "vault-us-east-1", "--ignore-not-found"],
                ["kubectl", "--context", context, "-n", "vault", "delete", "secret", "vault-eu-west-1-tls", "--ignore-not-found"],
                ["helm", "uninstall", "vault-operator", "--namespace", "vault-system", "--kube-context", context],
                ["kubectl", "--context", context, "-n", "default", "delete", "configmap", "multidc-ownership", "--ignore-not-found"],
            ])
        #expect(
            calls.last == [
                "kubectl", "--context", context, "-n", "default", "delete", "configmap", "multidc-ownership", "--ignore-not-found",
            ])
        #expect(!runner.calls.contains { $0.executable == "docker" || $0.executable == "kind" })
    }

    // MARK: Execute behaviour found while testing (fixed on main meanwhile)

    @Test func networkReplacementLeavesForeignKindClustersAlone() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(network: "multidc-test", subnet: "172.30.0.0/16"))
        var builder = WorldBuilder(loaded)
        builder.subnet = CIDR("172.19.0.0/16")!
        var world = try builder.converged()
        // Another kind cluster on docker's own `kind` network, nothing to do with this topology.
        let foreign = DockerContainer(
            id: "f00" + String(repeating: "0", count: 61), name: "other-control-plane", image: "kindest/node:v1.27.3",
            state: .running, labels: [Kind.clusterLabel: "other", Kind.roleLabel: "control-plane"], networks: ["kind"])
        world.containers.append(foreign)
        world.kindClusters = Kind.clusters(from: world.containers)
        let runner = A.happyRunner(files: A.FileLog())
        let report = try await A.performAlone("network", loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded)
        let deleted = A.calls(runner, ["kind", "delete", "cluster"]).map { $0.arguments[3] }
        #expect(Set(deleted).isSuperset(of: ["primary", "secondary", "tertiary"]))
        #expect(!deleted.contains("other"))
    }

    @Test func existingProviderFollowerCRRendersAtApply() async throws {
        let loaded = try PlanFixture.example("existing")
        var builder = WorldBuilder(loaded)
        builder.token = PlanExistingTests.environment["MULTIDC_KMS_TOKEN"]!
        let world = try builder.converged(leaderLoadBalancerIP: "203.0.113.10").editing("us-east-1") { $0.objects.vaults = [:] }
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world, environment: PlanExistingTests.environment))
        #expect(plan.changeRows == [PlanRow("vault/us-east-1", .create)])
        let runner = ScriptedRunner()
        let context = "arn:aws:eks:eu-west-1:123456789012:cluster/vault"
        // The leader's Service is pending once, then the cloud gives it an address.
        let lookups = Counter()
        runner.on(
            where: { $0.arguments.contains("service") && $0.arguments.contains("json") },
            answer: { _ in
                let ingress = lookups.next() == 1 ? "" : #""ingress":[{"ip":"203.0.113.10"}]"#
                return .result(CommandResult(stdout: #"{"kind":"Service","status":{"loadBalancer":{\#(ingress)}}}"#))
            })
        runner.on(["kubectl"], stdout: "ok\n")
        let actions = ActionRunner(
            runner: runner, loaded: loaded, environment: PlanExistingTests.environment,
            readinessTimeout: .seconds(5))
        let report = try await JobExecutor(clock: ManualClock()).run(actions.jobs(for: plan))
        #expect(report.succeeded, "\(report.jobs.compactMap(\.error))")
        #expect(lookups.count == 2)
        #expect(
            runner.calls.first?.argv == [
                "kubectl", "--context", context, "-n", "vault", "get", "service", "vault-eu-west-1", "-o", "json",
            ])
        // The Vault namespace first (it is not `default`), then the CR.
        let namespace = try #require(runner.calls.first { $0.arguments.contains("apply") })
        #expect(String(decoding: namespace.standardInput!.bytes, as: UTF8.self).contains("kind: Namespace"))
        let apply = try #require(runner.calls.last { $0.arguments.contains("apply") })
        let cr = try #require(try YAMLParser.parse(String(decoding: apply.standardInput?.bytes ?? [], as: UTF8.self), file: "stdin"))
        #expect(cr[path: "spec", "raftLeaderAddress"]?.string == "203.0.113.10")
        #expect(cr[path: "spec", "unsealConfig", "vault", "address"]?.string == "https://kms.vault.example.com:8200")
        #expect(apply.standardInput?.isSensitive == true)
    }
}
