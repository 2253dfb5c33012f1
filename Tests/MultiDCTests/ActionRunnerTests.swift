import Foundation
import MultiDCTestSupport
import Synchronization
import Testing
import YAML

@testable import MultiDC

/// The jobs ActionRunner builds from a plan run the tools exactly as the reference documents
/// them (checked on a ScriptedRunner), keep the KMS token off every argv and environment, and
/// retry only transient failures (in virtual time).
@Suite struct ActionRunnerTests {
    static let token = "s3cr3t-KMS-root-token-0123456789"
    static let environment = ["MULTIDC_KMS_TOKEN": token]

    /// Files the runner handed to tools, read while the call ran (they are removed afterwards).
    final class FileLog: Sendable {
        struct Entry: Sendable {
            var path: String
            var contents: String
            var permissions: Int?
        }

        private let entries = Mutex<[Entry]>([])
        var all: [Entry] { entries.withLock { $0 } }

        func read(_ path: String) {
            let contents = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<unreadable>"
            let permissions = (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int
            entries.withLock { $0.append(Entry(path: path, contents: contents, permissions: permissions)) }
        }
    }

    static let networkJSON = """
        [{"Name":"multidc-test","Id":"1234567890ab","Driver":"bridge","EnableIPv6":true,
          "IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"172.30.0.0/16","Gateway":"172.30.0.1"},{"Subnet":"fc00:1::/64"}]},
          "Containers":{},"Options":{},"Labels":{}}]
        """

    static func leaderSecretJSON(_ name: String) -> String {
        """
        {"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/tls",
         "metadata":{"name":"\(name)","namespace":"default","resourceVersion":"812","uid":"0b1c-leader",
                     "creationTimestamp":"2026-11-27T04:20:00Z","generation":1,"selfLink":"/api/v1/x",
                     "labels":{"vault_cr":"vault-primary"},
                     "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"stale\\":true}","keep":"me"},
                     "ownerReferences":[{"apiVersion":"vault.banzaicloud.com/v1alpha1","kind":"Vault","name":"vault-primary","uid":"9f"}],
                     "managedFields":[{"manager":"vault-operator","operation":"Update"}]},
         "data":{"ca.crt":"Y2EtY2VydA==","tls.crt":"dGxzLWNlcnQ=","tls.key":"dGxzLWtleQ=="},
         "status":{"x":1}}
        """
    }

    /// A runner where every tool call succeeds as the reference shows.
    /// (`into`: add the rules after those a runner already has.)
    static func happyRunner(files: FileLog, into runner: ScriptedRunner = ScriptedRunner()) -> ScriptedRunner {
        runner.on(["docker", "network", "inspect", "bridge"], stdout: "1500\n")
        runner.on(["docker", "network", "create"], stdout: "1234567890ab" + String(repeating: "0", count: 52) + "\n")
        runner.on(["docker", "network", "inspect"], stdout: networkJSON)
        runner.on(["docker", "run"]) { command in
            if let i = command.arguments.firstIndex(of: "--env-file") { files.read(command.arguments[i + 1]) }
            return CommandResult(stdout: "6b0e2a4f301cc3991c0afa3aa0453a6adb3881f8e8c21c2acd279e8206733733\n")
        }
        runner.on(["docker", "inspect", "-f", "{{json .Config.Env}}"], stdout: "[\"VAULT_DEV_ROOT_TOKEN_ID=\(token)\",\"PATH=/bin\"]\n")
        runner.on(["docker", "inspect", "-f"], stdout: "172.30.0.100\n")
        runner.on(["kind", "create", "cluster"]) { command in
            if let i = command.arguments.firstIndex(of: "--config") { files.read(command.arguments[i + 1]) }
            return CommandResult(stderr: "Creating cluster ...\n")
        }
        runner.on(
            where: {
                $0.executable == "kubectl" && $0.arguments.contains("get") && $0.arguments.contains("secret")
                    && $0.arguments.contains("-o") && $0.arguments.contains("json")
            },
            answer: { command in
                let name = command.arguments[command.arguments.firstIndex(of: "secret")! + 1]
                return .result(CommandResult(stdout: leaderSecretJSON(name)))
            })
        runner.on(["kubectl"], stdout: "ok\n")
        runner.on(["helm"], stdout: "Release \"vault-operator\" does not exist. Installing it now.\n")
        runner.on(["kind", "delete", "cluster"], stderr: "Deleting cluster ...\n")
        runner.on(["docker", "network", "rm"], stdout: "multidc-test\n")
        runner.on(["docker", "rm"], stdout: "central-vault\n")
        runner.on(["docker", "start"], stdout: "central-vault\n")
        runner.on(["docker", "restart"], stdout: "central-vault\n")
        return runner
    }

    static func run(
        _ loaded: LoadedTopology, world: World, runner: ScriptedRunner, environment: [String: String] = environment,
        readinessTimeout: Duration = .seconds(30)
    ) async throws -> (Plan, ExecutionReport) {
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world, environment: environment))
        #expect(plan.problems.isEmpty)
        let actions = ActionRunner(
            runner: runner, loaded: loaded, environment: environment, readinessTimeout: readinessTimeout)
        let report = try await JobExecutor(clock: ManualClock()).run(actions.jobs(for: plan))
        return (plan, report)
    }

    static func calls(_ runner: ScriptedRunner, _ prefix: [String]) -> [Command] {
        runner.calls.filter { $0.argv.starts(with: prefix) }
    }

    // MARK: the whole apply of an empty world

    @Test func emptyWorldOnOwnNetworkRunsTheDocumentedCommands() async throws {
        let loaded = try PlanFixture.load(
            PlanFixture.spec(
                network: "multidc-test", subnet: "172.30.0.0/16", rootToken: "{ fromEnv: MULTIDC_KMS_TOKEN }",
                operatorVersion: "1.12.0", workers: ["tertiary": 2]))
        let files = FileLog()
        let runner = Self.happyRunner(files: files)
        let (plan, report) = try await Self.run(loaded, world: WorldBuilder(loaded).empty(), runner: runner)
        #expect(report.succeeded, "\(report.jobs.filter { $0.status != .succeeded })")
        // One job per changing action: the Vault pods' readiness waits are actions of the plan.
        #expect(report.jobs.count == plan.changes.count)
        #expect(plan.waits == 3)

        // docker network create the way kind does, plus ownership labels and the pinned subnet.
        let creates = Self.calls(runner, ["docker", "network", "create"])
        #expect(
            creates.map(\.argv) == [
                [
                    "docker", "network", "create", "-d=bridge", "-o", "com.docker.network.bridge.enable_ip_masquerade=true",
                    "-o", "com.docker.network.driver.mtu=1500",
                    "--label", "app.kubernetes.io/managed-by=multidc", "--label", "multidc/topology=vault-raft",
                    "--ipv6", "--subnet", KindNetwork.ulaSubnet(name: "multidc-test"), "--subnet", "172.30.0.0/16", "multidc-test",
                ]
            ])
        #expect(
            Self.calls(runner, ["docker", "network", "inspect", "bridge"]).map(\.argv) == [
                ["docker", "network", "inspect", "bridge", "-f", "{{ index .Options \"com.docker.network.driver.mtu\" }}"]
            ])

        // The KMS: labels (ownership + token fingerprint), token only in the 0600 env file.
        let runs = Self.calls(runner, ["docker", "run"])
        #expect(runs.count == 1)
        let run = try #require(runs.first)
        let envFile = try #require(run.arguments.firstIndex(of: "--env-file").map { run.arguments[$0 + 1] })
        #expect(
            run.argv == [
                "docker", "run", "-d", "--name", "central-vault", "--network", "multidc-test", "--restart", "unless-stopped",
                "--label", "app.kubernetes.io/managed-by=multidc",
                "--label", "\(KMSResource.tokenFingerprintLabel)=\(SHA256.hex(Self.token))",
                "--label", "\(PoolResource.poolsLabel)=172.30.1.128/25 172.30.2.128/25 172.30.3.128/25",
                "--label", "multidc/topology=vault-raft",
                "--env-file", envFile, "vault:1.6.2",
            ])
        let envEntry = try #require(files.all.first { $0.path == envFile })
        #expect(envEntry.contents == "VAULT_DEV_ROOT_TOKEN_ID=\(Self.token)\n")
        #expect(envEntry.permissions == 0o600)
        #expect(!FileManager.default.fileExists(atPath: envFile), "the env file is removed after docker run")

        // kind create cluster: --name, --image, --config <generated file>, the network through the environment.
        let kindCreates = Self.calls(runner, ["kind", "create", "cluster"]).sorted { $0.arguments[3] < $1.arguments[3] }
        #expect(kindCreates.count == 3)
        for (command, name) in zip(kindCreates, ["primary", "secondary", "tertiary"]) {
            let config = try #require(command.arguments.firstIndex(of: "--config").map { command.arguments[$0 + 1] })
            #expect(command.argv == ["kind", "create", "cluster", "--name", name, "--image", "kindest/node:v1.19.1", "--config", config])
            #expect(command.environment == ["KIND_EXPERIMENTAL_DOCKER_NETWORK": "multidc-test"])
            #expect(command.standardInput == nil)
            let file = try #require(files.all.first { $0.path == config })
            let workers = name == "tertiary" ? "- role: worker\n- role: worker\n" : ""
            #expect(file.contents == "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n" + workers)
        }

        // helm: repository, then upgrade --install with values on stdin (none in this spec: no -f -).
        #expect(
            Self.calls(runner, ["helm", "repo"]).map(\.argv) == [
                ["helm", "repo", "add", "banzaicloud-stable", "https://kubernetes-charts.banzaicloud.com", "--force-update"]
            ])
        let installs = Self.calls(runner, ["helm", "upgrade"]).sorted { $0.arguments.last! < $1.arguments.last! }
        #expect(
            installs.map(\.argv)
                == ["kind-primary", "kind-secondary", "kind-tertiary"].map {
                    [
                        "helm", "upgrade", "--install", "vault-operator", "banzaicloud-stable/vault-operator", "--namespace", "default",
                        "--create-namespace", "--version", "1.12.0", "--wait", "--timeout", "30s", "--kube-context", $0,
                    ]
                })

        // Vault CRs: kubectl apply -f - with sensitive stdin that carries the token.
        let vaultApplies = runner.calls.filter {
            $0.executable == "kubectl" && $0.arguments.contains("apply")
                && String(decoding: $0.standardInput?.bytes ?? [], as: UTF8.self).contains("kind: Vault\n")
        }
        #expect(vaultApplies.count == 3)
        for command in vaultApplies {
            #expect(Array(command.arguments.suffix(3)) == ["apply", "-f", "-"])
            #expect(command.standardInput?.isSensitive == true)
            #expect(String(decoding: command.standardInput!.bytes, as: UTF8.self).contains("token: \(Self.token)"))
            #expect(String(decoding: command.standardInput!.bytes, as: UTF8.self).contains("address: http://172.30.0.100:8200"))
            #expect(command.description.hasSuffix("<stdin: (sensitive)>"))
        }

        // The token is in no argv, no environment value and no description of any call.
        for command in runner.calls {
            #expect(!command.argv.joined(separator: " ").contains(Self.token), "\(command)")
            #expect(!command.environment.values.contains { $0.value.contains(Self.token) }, "\(command)")
            #expect(!command.description.contains(Self.token))
            if let input = command.standardInput, String(decoding: input.bytes, as: UTF8.self).contains(Self.token) {
                #expect(input.isSensitive, "\(command)")
            }
        }
    }

    @Test func kindNetworkNeedsNoEnvironment() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(clusters: ["primary"]))
        let files = FileLog()
        let runner = Self.happyRunner(files: files)
        runner.on(
            ["docker", "network", "inspect", "kind"], stdout: Self.networkJSON.replacingOccurrences(of: "multidc-test", with: "kind"))
        var world = try WorldBuilder(loaded).converged().removingCluster("primary")
        world.clusters = [world.clusters[0]]
        let (plan, report) = try await Self.run(loaded, world: world, runner: runner, environment: [:])
        #expect(plan.action("cluster/primary")?.change == .create)
        #expect(report.succeeded, "\(report.jobs.filter { $0.status != .succeeded })")
        let create = try #require(Self.calls(runner, ["kind", "create", "cluster"]).first)
        #expect(create.environment.isEmpty)
        #expect(Self.calls(runner, ["docker", "network", "create"]).isEmpty)
        #expect(Self.calls(runner, ["docker", "run"]).isEmpty)
    }

    // MARK: single steps

    static func job(_ id: String, of plan: Plan, _ actions: ActionRunner) throws -> ExecutionJob {
        try #require(actions.jobs(for: plan).first { $0.id == id })
    }

    static func performAlone(
        _ id: String, loaded: LoadedTopology, world: World, runner: ScriptedRunner,
        readinessTimeout: Duration = .seconds(5)
    ) async throws -> ExecutionReport {
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world, environment: environment))
        let actions = ActionRunner(
            runner: runner, loaded: loaded, environment: environment, readinessTimeout: readinessTimeout)
        var job = try Self.job(id, of: plan, actions)
        job.dependencies = []
        // A Vault CR action is followed by its own readiness wait (the pods Ready).
        let readyID = id.replacingOccurrences(of: "vault/", with: "vault-ready/")
        if id.hasPrefix("vault/"), var ready = actions.jobs(for: plan).first(where: { $0.id == readyID }) {
            ready.dependencies = [job.id]
            return try await JobExecutor(clock: ManualClock()).run([job, ready])
        }
        return try await JobExecutor(clock: ManualClock()).run([job])
    }

    @Test func secretCopyStripsServerFields() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().editing("secondary") { $0.objects.sharedSecrets = [:] }
        let runner = Self.happyRunner(files: FileLog())
        let report = try await Self.performAlone("secret/vault-primary-tls/secondary", loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded)
        #expect(
            runner.calls.map(\.argv) == [
                ["kubectl", "--context", "kind-primary", "-n", "default", "get", "secret", "vault-primary-tls", "-o", "json"],
                ["kubectl", "--context", "kind-secondary", "apply", "-f", "-"],
            ])
        let apply = runner.calls[1]
        #expect(apply.standardInput?.isSensitive == true)
        let copy = try #require(try YAMLParser.parse(String(decoding: apply.standardInput!.bytes, as: UTF8.self), file: "stdin"))
        let metadata = try #require(copy["metadata"])
        for field in ["resourceVersion", "uid", "creationTimestamp", "ownerReferences", "managedFields", "generation", "selfLink"] {
            #expect(metadata[field] == nil, "\(field) is kept")
        }
        #expect(metadata["annotations"]?["kubectl.kubernetes.io/last-applied-configuration"] == nil)
        #expect(metadata["annotations"]?["keep"]?.string == "me")
        #expect(copy["status"] == nil)
        #expect(metadata["namespace"]?.string == "default")
        #expect(metadata["name"]?.string == "vault-primary-tls")
        #expect(metadata["labels"]?["app.kubernetes.io/managed-by"]?.string == "multidc")
        #expect(metadata["labels"]?["multidc/topology"]?.string == "vault-raft")
        #expect(copy["type"]?.string == "kubernetes.io/tls")
        #expect(copy["data"]?["tls.key"]?.string == "dGxzLWtleQ==")
    }

    @Test func operatorValuesGoOnStdin() async throws {
        let loaded = try PlanFixture.example("five-dc")
        let world = try WorldBuilder(loaded).converged().editing("dc-2") { $0.helmReleases = [] }
        let runner = Self.happyRunner(files: FileLog())
        let report = try await Self.performAlone("operator/dc-2", loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded)
        let install = try #require(Self.calls(runner, ["helm", "upgrade"]).first)
        #expect(
            install.argv == [
                "helm", "upgrade", "--install", "vault-operator", "oci://ghcr.io/bank-vaults/helm-charts/vault-operator", "--namespace",
                "default",
                "--create-namespace", "--version", "1.24.0", "-f", "-", "--wait", "--timeout", "5s", "--kube-context", "kind-dc-2",
            ])
        let values = try #require(try YAMLParser.parse(String(decoding: install.standardInput?.bytes ?? [], as: UTF8.self), file: "values"))
        #expect(values[path: "image", "tag"]?.string == "v1.24.0")
        // Then the CRD wait, then the record of the values applied (OperatorResource.valuesDrift).
        #expect(
            Self.calls(runner, ["kubectl"]).map(\.argv) == [
                [
                    "kubectl", "--context", "kind-dc-2", "wait", "--for=condition=Established", "crd/vaults.vault.banzaicloud.com",
                    "--timeout=10s",
                ],
                [
                    "kubectl", "--context", "kind-dc-2", "-n", "default", "annotate", "configmap", "multidc-ownership",
                    "multidc/operator-values-sha256=\(OperatorResource.valuesDigest(loaded.topology.vaultOperator))", "--overwrite",
                ],
            ])
    }

    // MARK: retries

    /// Answers the first `failures` matching calls with `stderr` (exit 1), then succeeds.
    static func flaky(
        _ runner: ScriptedRunner, where matches: @escaping @Sendable (Command) -> Bool, failures: Int, stderr: String
    ) -> Counter {
        let counter = Counter()
        runner.on(
            where: matches,
            answer: { _ in
                counter.next() <= failures
                    ? .result(CommandResult(exitCode: 1, stderr: stderr)) : .result(CommandResult(stdout: "configured\n"))
            })
        return counter
    }

    static func isApply(_ command: Command) -> Bool { command.executable == "kubectl" && command.arguments.contains("apply") }

    @Test(arguments: [
        "Error from server (InternalError): error when creating \"STDIN\": Internal error occurred: failed calling webhook \"ipaddresspoolvalidationwebhook.metallb.io\": Post \"https://webhook-service.metallb-system.svc:443/validate-metallb-io-v1beta1-ipaddresspool?timeout=10s\": dial tcp 10.96.1.1:443: connect: connection refused",
        "error: resource mapping not found for name: \"multidc-pool\" namespace: \"metallb-system\" from \"STDIN\": no matches for kind \"IPAddressPool\" in version \"metallb.io/v1beta1\"\nensure CRDs are installed first",
        "The connection to the server 127.0.0.1:40123 was refused - did you specify the right host or port?",
    ])
    func transientPoolFailuresAreRetried(stderr: String) async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(metallb: "v0.13.10"))
        let world = try WorldBuilder(loaded).converged().editing("primary") { $0.objects.metalLB.addressPools = [] }
        let runner = ScriptedRunner()
        let applies = Self.flaky(runner, where: Self.isApply, failures: 2, stderr: stderr)
        let report = try await Self.performAlone("pool/primary", loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded, "\(report.jobs)")
        #expect(applies.count == 3)
        let apply = try #require(runner.calls.last)
        let objects = try YAMLParser.parseDocuments(String(decoding: apply.standardInput!.bytes, as: UTF8.self), file: "stdin")
        #expect(objects.map { $0["kind"]?.string } == ["IPAddressPool", "L2Advertisement"])
        #expect(objects[0][path: "spec", "addresses"] == .sequence([.string("172.18.1.128-172.18.1.255")]))
        #expect(objects[1][path: "spec", "ipAddressPools"] == .sequence([.string("multidc-pool")]))
    }

    @Test func permanentPoolFailureIsNotRetried() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(metallb: "v0.13.10"))
        let world = try WorldBuilder(loaded).converged().editing("primary") { $0.objects.metalLB.addressPools = [] }
        let runner = ScriptedRunner()
        let applies = Self.flaky(
            runner, where: Self.isApply, failures: 100,
            stderr: "The IPAddressPool \"multidc-pool\" is invalid: spec.addresses[0]: Invalid value: \"x\": invalid CIDR")
        let report = try await Self.performAlone("pool/primary", loaded: loaded, world: world, runner: runner)
        #expect(report["pool/primary"]?.status == .failed)
        #expect(report["pool/primary"]?.attempts == 1)
        #expect(applies.count == 1)
        #expect(report["pool/primary"]?.error?.contains("invalid CIDR") == true)
    }

    @Test func vaultCRWaitsForTheCRDButNotForAnInvalidSpec() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().editing("secondary") { $0.objects.vaults = [:] }

        let transient = ScriptedRunner()
        transient.on(
            ["docker", "inspect", "-f", "{{json .Config.Env}}"], stdout: "[\"VAULT_DEV_ROOT_TOKEN_ID=\(Self.token)\",\"PATH=/bin\"]\n")
        let applies = Self.flaky(
            transient, where: Self.isApply, failures: 3,
            stderr: "error: unable to recognize \"STDIN\": no matches for kind \"Vault\" in version \"vault.banzaicloud.com/v1alpha1\"")
        transient.on(["kubectl"], stdout: "pod/vault-secondary-0 condition met\n")
        var report = try await Self.performAlone("vault/secondary", loaded: loaded, world: world, runner: transient)
        #expect(report.succeeded, "\(report.jobs)")
        #expect(applies.count == 4)
        #expect(
            Self.calls(transient, ["kubectl", "--context", "kind-secondary", "-n", "default", "wait"]).map(\.argv) == [
                [
                    "kubectl", "--context", "kind-secondary", "-n", "default", "wait", "--for=condition=Ready", "pod/vault-secondary-0",
                    "--timeout=10s",
                ]
            ])
        // The token read back from the KMS container never shows on an argv; it goes on sensitive stdin.
        let apply = try #require(transient.calls.last { Self.isApply($0) })
        #expect(apply.standardInput?.isSensitive == true)
        #expect(String(decoding: apply.standardInput!.bytes, as: UTF8.self).contains("token: \(Self.token)"))
        #expect(!transient.calls.contains { $0.argv.joined().contains(Self.token) })

        let permanent = ScriptedRunner()
        permanent.on(["docker", "inspect", "-f", "{{json .Config.Env}}"], stdout: "[\"VAULT_DEV_ROOT_TOKEN_ID=\(Self.token)\"]\n")
        let rejected = Self.flaky(
            permanent, where: Self.isApply, failures: 100,
            stderr:
                "The Vault \"vault-secondary\" is invalid: spec.size: Invalid value: \"string\": spec.size in body must be of type integer")
        report = try await Self.performAlone("vault/secondary", loaded: loaded, world: world, runner: permanent)
        #expect(report["vault/secondary"]?.status == .failed)
        #expect(report["vault-ready/secondary"]?.status == .skipped)
        #expect(rejected.count == 1)
    }

    @Test func executorRetriesATransientCheckAndStopsOnAPermanentOne() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().editing("primary") { $0.objects.ownership = nil }

        // The ownership record goes through check(): a refused connection is transient for the executor.
        let runner = ScriptedRunner()
        let applies = Self.flaky(
            runner, where: Self.isApply, failures: 2,
            stderr: "The connection to the server 127.0.0.1:40123 was refused - did you specify the right host or port?")
        var report = try await Self.performAlone("ownership/primary", loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded)
        #expect(report["ownership/primary"]?.attempts == 3)
        #expect(applies.count == 3)
        let record = try #require(
            try YAMLParser.parse(String(decoding: runner.calls.last!.standardInput!.bytes, as: UTF8.self), file: "stdin"))
        #expect(record[path: "metadata", "name"]?.string == "multidc-ownership")
        #expect(record[path: "metadata", "namespace"]?.string == "default")
        #expect(record[path: "metadata", "labels", "multidc/topology"]?.string == "vault-raft")
        #expect(record[path: "data", "topology"]?.string == "vault-raft")

        let forbidden = ScriptedRunner()
        let denied = Self.flaky(
            forbidden, where: Self.isApply, failures: 100,
            stderr: "Error from server (Forbidden): configmaps \"multidc-ownership\" is forbidden: User \"x\" cannot create resource")
        report = try await Self.performAlone("ownership/primary", loaded: loaded, world: world, runner: forbidden)
        #expect(report["ownership/primary"]?.status == .failed)
        #expect(report["ownership/primary"]?.attempts == 1)
        #expect(denied.count == 1)
    }

    @Test func readinessWaitTimesOutWithAMessage() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().editing("primary") { $0.objects.metalLB = MetalLBState() }
        let runner = ScriptedRunner()
        runner.on(
            where: { $0.arguments.contains("wait") },
            answer: { _ in
                .result(CommandResult(exitCode: 1, stderr: "error: timed out waiting for the condition on deployments/controller\n"))
            })
        runner.on(
            where: { $0.arguments.contains("memberlist") },
            answer: { _ in
                .result(CommandResult(exitCode: 1, stderr: "Error from server (NotFound): secrets \"memberlist\" not found\n"))
            })
        runner.on(["kubectl"], stdout: "ok\n")
        let report = try await Self.performAlone(
            "metallb/primary", loaded: loaded, world: world, runner: runner, readinessTimeout: .seconds(3))
        #expect(report["metallb/primary"]?.status == .failed)
        #expect(
            report["metallb/primary"]?.error
                == "timed out after 3s waiting for the MetalLB controller in cluster primary to be Available (last observed: error: timed out waiting for the condition on deployments/controller)"
        )
        #expect(
            Self.calls(runner, ["kubectl", "--context", "kind-primary", "apply"]).map(\.arguments) == [
                [
                    "--context", "kind-primary", "apply", "-f",
                    "https://raw.githubusercontent.com/metallb/metallb/v0.9.3/manifests/namespace.yaml",
                    "-f", "https://raw.githubusercontent.com/metallb/metallb/v0.9.3/manifests/metallb.yaml",
                ],
                ["--context", "kind-primary", "apply", "-f", "-"],
            ])
        // The memberlist secret goes on sensitive stdin.
        let secret = try #require(Self.calls(runner, ["kubectl", "--context", "kind-primary", "apply", "-f", "-"]).first)
        #expect(secret.standardInput?.isSensitive == true)
    }

    // MARK: vectors

    @Test(arguments: [
        ("kind", Int32(0), "fc00:f853:ccd:e793::/64"),
        ("kind2", 0, "fc00:444c:147a:44ab::/64"),
        ("kin", 0, "fc00:fcd9:c2be:8e23::/64"),
        ("foo", 1, "fc00:8edf:7f02:ec8f::/64"),
        ("foo", 2, "fc00:9968:306b:2c65::/64"),
    ])
    func kindULASubnet(name: String, attempt: Int32, subnet: String) {
        #expect(KindNetwork.ulaSubnet(name: name, attempt: attempt) == subnet)
    }

    @Test func sha256Vectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(String(repeating: "a", count: 1_000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
