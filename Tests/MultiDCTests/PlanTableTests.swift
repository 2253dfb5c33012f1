import Foundation
import MultiDCTestSupport
import Testing
import YAML

@testable import MultiDC

/// Planner table tests: one observed world per row, exact actions, edges, losses and problems.
@Suite struct PlanTableTests {
    static func classic() throws -> LoadedTopology { try PlanFixture.load(PlanFixture.spec()) }

    static func plan(_ loaded: LoadedTopology, _ world: World, environment: [String: String] = [:], digest: String? = nil) -> Plan {
        Planner.plan(PlanInput(loaded: loaded, world: world, environment: environment, manifestDigest: digest))
    }

    /// The chain of one new cluster of the classic example (pool cut from an observed subnet).
    static func newClusterChain(
        _ name: String, leader: String = "primary", leaderPending: Bool, kmsPending: Bool, poolNeedsNetwork: Bool = false
    ) -> [PlanRow] {
        var rows = [
            PlanRow("cluster/\(name)", .create, poolNeedsNetwork ? ["network"] : []),
            PlanRow("ownership/\(name)", .create, ["cluster/\(name)"]),
            PlanRow("metallb/\(name)", .create, ["cluster/\(name)"]),
            PlanRow("pool/\(name)", .create, ["metallb/\(name)"] + (poolNeedsNetwork ? ["network"] : [])),
            PlanRow("operator/\(name)", .create, ["cluster/\(name)", "helm-repo"]),
        ]
        var vaultDeps = ["operator/\(name)"] + (kmsPending ? ["kms"] : []) + ["pool/\(name)", "ownership/\(name)", "metallb/\(name)"]
        if name != leader {
            let secret = "secret/vault-primary-tls/\(name)"
            rows.append(PlanRow(secret, .create, ["cluster/\(name)"] + (leaderPending ? ["vault/\(leader)"] : []) + ["ownership/\(name)"]))
            vaultDeps += (leaderPending ? ["vault/\(leader)", "vault-ready/\(leader)"] : []) + [secret]
        }
        rows.append(PlanRow("vault/\(name)", .create, vaultDeps))
        return rows
    }

    // MARK: empty and converged

    /// The plan is the graph that executes: each changing Vault CR is followed by its own
    /// readiness wait (the pods Ready), which is what the followers do not wait for.
    @Test func readinessWaitsFollowEachChangingVaultCR() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        var plan = Self.plan(loaded, WorldBuilder(loaded).empty())
        let waits = plan.changes.filter { (action: PlanAction) in action.change == Change.wait }
        #expect(waits.map(\.id.description) == ["vault-ready/primary", "vault-ready/secondary", "vault-ready/tertiary"])
        #expect(waits.map { $0.dependsOn.map(\.description) } == [["vault/primary"], ["vault/secondary"], ["vault/tertiary"]])
        #expect(waits.first?.resource == "Vault pod vault-primary-0 Ready")
        // Only the followers' CRs wait for the leader's pods (bank-vaults joins once).
        #expect(
            plan.actions.filter { $0.dependsOn.contains(ActionID.vaultReady("primary")) }.map(\.id.description) == [
                "vault/secondary", "vault/tertiary",
            ])
        #expect(plan.stepsLine == "Runs as 26 steps, 3 of them readiness waits.")
        #expect(PlanRenderer().render(plan).contains("  …   Vault pod vault-primary-0 Ready — after its CR is applied\n"))
        // A Vault CR in sync gets no wait; the health check confirms its pods.
        plan = Self.plan(loaded, try WorldBuilder(loaded).converged())
        #expect(plan.waits == 0 && plan.stepsLine == nil)
    }

    @Test func emptyWorldListsEveryActionWithItsEdges() throws {
        let loaded = try Self.classic()
        let plan = Self.plan(loaded, WorldBuilder(loaded).empty())
        #expect(plan.problems.isEmpty)
        let expected =
            [
                PlanRow("network", .create),
                PlanRow("kms", .create, ["network"]),
                PlanRow("helm-repo", .create),
            ] + Self.newClusterChain("primary", leaderPending: true, kmsPending: true, poolNeedsNetwork: true)
            + Self.newClusterChain("secondary", leaderPending: true, kmsPending: true, poolNeedsNetwork: true)
            + Self.newClusterChain("tertiary", leaderPending: true, kmsPending: true, poolNeedsNetwork: true)
        #expect(plan.rows == expected)
        // examples/vault-raft/spec.yaml plans the same resources, plus its RBAC manifests in each
        // cluster and its images (spec.images), and no helm repository (its chart is an OCI reference).
        let example = try PlanFixture.example("vault-raft")
        let exampleIDs = Set(Self.plan(example, WorldBuilder(example).empty()).rows.map(\.id))
        #expect(
            exampleIDs
                == Set(expected.map(\.id)).subtracting(["helm-repo"]).union(
                    ["primary", "secondary", "tertiary"].flatMap { ["manifests/\($0)", "images/\($0)"] } + ["images"]))
        #expect(plan.summaryLine == "Plan: 23 to add, 0 to change, 0 to destroy.")
        #expect(plan.dataLosses.isEmpty)
        #expect(!plan.deletesOrReplaces)
        #expect(
            plan.action("network")?.reason == "no docker network named kind; create it with a subnet docker picks, the way kind creates it")
        #expect(plan.action("kms")?.reason == "no container named central-vault; run vault:1.6.2 in dev mode on network kind")
        #expect(plan.notes == ["the pools are known after apply: network kind does not exist yet and the spec does not pin its subnet"])
        // The leader's Vault (whose operator makes the TLS secret) comes before the followers' copies and CRs.
        #expect(plan.action("secret/vault-primary-tls/secondary")?.dependsOn.contains("vault/primary") == true)
        #expect(plan.action("vault/tertiary")?.dependsOn.contains("vault/primary") == true)
        #expect(plan.action("vault/primary")?.dependsOn.contains { $0.description.hasPrefix("secret/") } == false)
        // Every edge names an action of the plan, and the order respects every edge.
        for (i, action) in plan.actions.enumerated() {
            for dep in action.dependsOn {
                let j = try #require(plan.actions.firstIndex { $0.id == dep }, "\(action.id) depends on unknown \(dep)")
                #expect(j < i, "\(action.id) is listed before its dependency \(dep)")
            }
        }
        // Steps carry what the executor needs.
        guard let create = plan.action("cluster/secondary")?.step as? KindClusterResource.Create else {
            Issue.record("cluster/secondary is not a create step")
            return
        }
        #expect(
            create.name == "secondary" && create.image == "kindest/node:v1.19.1" && create.workers == 0 && create.network == "kind"
                && !create.deleteFirst)
        guard let run = plan.action("kms")?.step as? KMSResource.Run,
            run.name == "central-vault" && run.image == "vault:1.6.2" && run.network == "kind" && !run.removeFirst
        else {
            Issue.record("kms is not a runKMS step")
            return
        }
    }

    @Test func emptyWorldWithPinnedSubnetKnowsThePools() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(network: "multidc-test", subnet: "172.30.0.0/16"))
        let plan = Self.plan(loaded, WorldBuilder(loaded).empty())
        #expect(plan.problems.isEmpty)
        #expect(plan.notes.isEmpty)
        #expect(plan.action("network")?.reason == "no docker network named multidc-test; create it with subnet 172.30.0.0/16")
        #expect(plan.action("pool/primary")?.dependsOn == ["metallb/primary"])
        #expect(plan.action("pool/secondary")?.resource == "ConfigMap metallb-system/config (172.30.2.128-172.30.2.255)")
        #expect(plan.summaryLine == "Plan: 23 to add, 0 to change, 0 to destroy.")
    }

    @Test(arguments: ["inline", "vault-raft", "five-dc"])
    func convergedExampleHasNoChanges(_ name: String) throws {
        let loaded = name == "inline" ? try Self.classic() : try PlanFixture.example(name)
        let plan = Self.plan(loaded, try WorldBuilder(loaded).converged())
        #expect(plan.problems.isEmpty)
        #expect(plan.changes.isEmpty, "changes: \(plan.changeRows) \(plan.changes.flatMap(\.fields))")
        #expect(PlanRenderer(color: false).render(plan).hasSuffix("\nNo changes.\n"))
    }

    @Test func convergedWorldHasNoChanges() throws {
        let loaded = try Self.classic()
        let plan = Self.plan(loaded, try WorldBuilder(loaded).converged())
        #expect(plan.problems.isEmpty)
        #expect(plan.changes.isEmpty, "changes: \(plan.changeRows) \(plan.changes.flatMap(\.fields))")
        #expect(plan.summaryLine == "No changes.")
        #expect(!plan.hasChanges)
        #expect(plan.actions.count == 2 + 6 * 3 + 2)  // network, kms; 6 per cluster; 2 secret copies (no helm-repo)
        #expect(plan.actions.allSatisfy { $0.dependsOn.isEmpty })
        #expect(plan.notes == ["pools are cut from 172.18.0.0/16, the subnet docker gave network kind"])
        #expect(plan.action("vault/primary")?.reason == "in sync; pod vault-primary-0 Ready")
        #expect(plan.action("pool/tertiary")?.reason == "pool 172.18.3.128-172.18.3.255 configured")
    }

    @Test func convergedWorldWithTokenFromEnvironmentHasNoChanges() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(rootToken: "{ fromEnv: MULTIDC_KMS_TOKEN }"))
        let builder = WorldBuilder(loaded)
        let plan = Self.plan(loaded, try builder.converged(), environment: ["MULTIDC_KMS_TOKEN": builder.token])
        #expect(plan.problems.isEmpty)
        #expect(plan.changes.isEmpty, "changes: \(plan.changeRows) \(plan.changes.flatMap(\.fields))")
    }

    @Test func tokenVariableUnsetIsAProblem() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(rootToken: "{ fromEnv: MULTIDC_KMS_TOKEN }"))
        let plan = Self.plan(loaded, try WorldBuilder(loaded).converged())
        #expect(
            plan.problems == [
                PlanProblem(
                    "environment variable MULTIDC_KMS_TOKEN is not set; spec.kms.rootToken.fromEnv takes the KMS root token from it (export it, or use rootToken: { generate: true })"
                )
            ])
    }

    // MARK: one thing missing

    @Test func oneClusterMissingPlansOnlyItsChain() throws {
        let loaded = try Self.classic()
        let world = try WorldBuilder(loaded).converged().removingCluster("secondary")
        let plan = Self.plan(loaded, world)
        #expect(plan.problems.isEmpty)
        #expect(
            plan.changeRows == [PlanRow("helm-repo", .create)] + Self.newClusterChain("secondary", leaderPending: false, kmsPending: false))
        #expect(plan.summaryLine == "Plan: 8 to add, 0 to change, 0 to destroy.")
        #expect(plan.dataLosses.isEmpty)
        #expect(plan.action("cluster/secondary")?.reason == "no node containers labelled io.x-k8s.kind.cluster=secondary")
        #expect(plan.action("pool/secondary")?.resource == "ConfigMap metallb-system/config (172.18.2.128-172.18.2.255)")
        #expect(plan.action("secret/vault-primary-tls/secondary")?.reason == "cluster secondary is new")
        #expect(plan.action("vault/primary")?.change == .inSync)
        #expect(plan.action("vault/tertiary")?.change == .inSync)
    }

    @Test func kmsMissingWithoutVaultClustersLosesNothing() throws {
        let loaded = try Self.classic()
        let world = try WorldBuilder(loaded).converged().withoutVaults().removingKMS()
        let plan = Self.plan(loaded, world)
        #expect(plan.problems.isEmpty)
        // The leader's new Vault gets a new TLS secret from its operator: the copies are refreshed.
        #expect(
            plan.changeRows == [
                PlanRow("kms", .create),
                PlanRow("vault/primary", .create, ["kms"]),
                PlanRow("secret/vault-primary-tls/secondary", .update, ["vault/primary"]),
                PlanRow("vault/secondary", .create, ["kms", "vault/primary", "vault-ready/primary", "secret/vault-primary-tls/secondary"]),
                PlanRow("secret/vault-primary-tls/tertiary", .update, ["vault/primary"]),
                PlanRow("vault/tertiary", .create, ["kms", "vault/primary", "vault-ready/primary", "secret/vault-primary-tls/tertiary"]),
            ])
        #expect(plan.dataLosses.isEmpty)
        #expect(plan.action("vault/secondary")?.reason == "no Vault CR vault-secondary in namespace default")
        #expect(plan.summaryLine == "Plan: 4 to add, 2 to change, 0 to destroy.")
    }

    @Test func kmsMissingWithVaultClustersLosesTheirData() throws {
        let loaded = try Self.classic()
        let world = try WorldBuilder(loaded).converged().removingKMS()
        let plan = Self.plan(loaded, world)
        #expect(plan.problems.isEmpty)
        #expect(
            plan.changeRows == [
                PlanRow("kms", .create),
                PlanRow("vault/primary", .replace, ["kms"]),
                PlanRow("secret/vault-primary-tls/secondary", .update, ["vault/primary"]),
                PlanRow(
                    "vault/secondary", .replace, ["kms", "vault/primary", "vault-ready/primary", "secret/vault-primary-tls/secondary"]),
                PlanRow("secret/vault-primary-tls/tertiary", .update, ["vault/primary"]),
                PlanRow("vault/tertiary", .replace, ["kms", "vault/primary", "vault-ready/primary", "secret/vault-primary-tls/tertiary"]),
            ])
        #expect(
            plan.action("kms")?.dataLoss
                == "the unseal keys of the Vault clusters in primary, secondary, tertiary live in KMS container central-vault; a new KMS has none, so those Vault clusters are re-initialised and their data is lost"
        )
        #expect(
            plan.action("vault/secondary")?.dataLoss
                == "the data of Vault vault-secondary in cluster secondary (its CRs, their PersistentVolumeClaims and the Raft data on them are deleted, then initialised afresh)"
        )
        guard let apply = plan.action("vault/primary")?.step as? VaultResource.Apply, apply.deleteFirst else {
            Issue.record("vault/primary does not recreate")
            return
        }
        // The new KMS's address is known only after apply.
        let address = plan.action("vault/primary")?.fields.first { $0.path == "vault-primary: spec.unsealConfig.vault.address" }
        #expect(
            address
                == FieldChange(
                    path: "vault-primary: spec.unsealConfig.vault.address", before: "http://172.18.0.100:8200",
                    after: "http://(known after apply):8200"))
        #expect(plan.summaryLine == "Plan: 4 to add, 2 to change, 3 to destroy.")
        #expect(plan.deletesOrReplaces)
    }

    @Test func stoppedKMSIsStartedAndItsVaultsReinitialised() throws {
        let loaded = try Self.classic()
        let builder = WorldBuilder(loaded)
        var world = try builder.converged()
        let stopped = try #require(builder.kmsContainer(state: .exited))
        world.kms = .present(stopped)
        world.containers = world.containers.map { $0.name == stopped.name ? stopped : $0 }
        if var network = world.network.value {
            network.containers.removeAll { $0.name == stopped.name }
            world.network = .present(network)
        }
        let plan = Self.plan(loaded, world)
        #expect(plan.problems.isEmpty)
        let kms = try #require(plan.action("kms"))
        #expect(kms.change == .update)
        #expect(kms.dataLoss == nil)
        #expect(
            kms.reason
                == "the container is exited; start it; it lost its unseal keys: KMS container central-vault is exited, and a dev-mode Vault keeps the unseal keys of the Vault clusters in primary, secondary, tertiary in memory only"
        )
        #expect(kms.observed == "exited")
        guard let start = kms.step as? KMSResource.Start, start.names == ["central-vault"] else {
            Issue.record("kms is not started: \(kms.step)")
            return
        }
        // Dev mode keeps the keys in memory: the Vault clusters are re-initialised, a data loss.
        #expect(plan.dataLosses.map(\.id.description) == ["vault/primary", "vault/secondary", "vault/tertiary"])
        #expect(plan.deletesOrReplaces)
    }

    @Test func stoppedNodeContainerIsStarted() throws {
        let loaded = try Self.classic()
        var world = try WorldBuilder(loaded).converged()
        world.containers = world.containers.map {
            var c = $0
            if c.name == "tertiary-control-plane" { c.state = .exited; c.ipv4Address = nil }
            return c
        }
        world.kindClusters = Kind.clusters(from: world.containers)
        world = world.editing("tertiary") {
            $0.reachability = .apiServerUnreachable(
                "The connection to the server 127.0.0.1:40123 was refused - did you specify the right host or port?")
        }
        let plan = Self.plan(loaded, world)
        #expect(plan.problems.isEmpty)
        #expect(plan.changeRows == [PlanRow("cluster/tertiary", .update)])
        #expect(plan.action("cluster/tertiary")?.reason == "node containers tertiary-control-plane are stopped; start them")
        #expect(plan.notes.contains("cluster tertiary is stopped: its objects are checked again after it starts"))
    }

    // MARK: drift

    @Test func poolEditedByHandIsUpdated() throws {
        let loaded = try Self.classic()
        let world = try WorldBuilder(loaded).converged().editing("secondary") {
            let config = "address-pools:\n- name: default\n  protocol: layer2\n  addresses:\n  - 172.18.2.200-172.18.2.250\n"
            $0.objects.metalLB.legacyConfig?.pools = MetalLBState.parseLegacyConfig(config).pools
        }
        let plan = Self.plan(loaded, world)
        #expect(plan.problems.isEmpty)
        #expect(plan.changeRows == [PlanRow("pool/secondary", .update)])
        let pool = try #require(plan.action("pool/secondary"))
        #expect(pool.reason == "the address pools differ from the slice of cluster secondary")
        #expect(pool.observed == "172.18.2.200-172.18.2.250")
        #expect(
            pool.fields == [
                FieldChange(path: "data.config address-pools", before: "172.18.2.200-172.18.2.250", after: "172.18.2.128-172.18.2.255")
            ])
        #expect(plan.summaryLine == "Plan: 0 to add, 1 to change, 0 to destroy.")
    }

    @Test func vaultCREditedInTheClusterIsUpdatedFieldByField() throws {
        let loaded = try Self.classic()
        let world = try WorldBuilder(loaded).converged().editing("tertiary") {
            var cr = $0.objects.vaults["vault-tertiary"]!.node
            cr["spec"]?["size"] = .scalar("3")
            cr["spec"]?["image"] = .string("vault:1.7.0")
            cr["spec"]?["config"]?["ui"] = .scalar("false")
            $0.objects.vaults["vault-tertiary"] = KubeObject(node: cr)
        }
        let plan = Self.plan(loaded, world)
        #expect(plan.problems.isEmpty)
        #expect(plan.changeRows == [PlanRow("vault/tertiary", .update)])
        let vault = try #require(plan.action("vault/tertiary"))
        #expect(
            vault.fields == [
                FieldChange(path: "vault-tertiary: spec.size", before: "3", after: "1"),
                FieldChange(path: "vault-tertiary: spec.image", before: "vault:1.7.0", after: "hashicorp/vault:2.0.1"),
                FieldChange(path: "vault-tertiary: spec.config.ui", before: "false", after: "true"),
            ])
        #expect(vault.reason == "3 field(s) differ from the rendered template")
        #expect(vault.dataLoss == nil)
        #expect(plan.summaryLine == "Plan: 0 to add, 1 to change, 0 to destroy.")
    }

    @Test func vaultCRWithAnotherTokenShowsOnlySensitive() throws {
        let secretToken = "hvs.some-OLD-token-never-shown"
        for spec in [PlanFixture.spec(), PlanFixture.spec(rootToken: "{ fromEnv: MULTIDC_KMS_TOKEN }")] {
            let loaded = try PlanFixture.load(spec)
            let builder = WorldBuilder(loaded)
            let world = try builder.converged().editing("primary") {
                var cr = $0.objects.vaults["vault-primary"]!.node
                cr["spec"]?["unsealConfig"]?["vault"]?["token"] = .string(secretToken)
                $0.objects.vaults["vault-primary"] = KubeObject(node: cr)
            }
            let plan = Self.plan(loaded, world, environment: ["MULTIDC_KMS_TOKEN": builder.token])
            #expect(plan.problems.isEmpty)
            #expect(plan.changeRows == [PlanRow("vault/primary", .update)])
            #expect(
                plan.action("vault/primary")?.fields == [
                    FieldChange(path: "vault-primary: spec.unsealConfig.vault.token", before: "(sensitive)", after: "(sensitive)")
                ])
            let text = PlanRenderer(color: false).render(plan) + PlanDocument.json(plan)
            #expect(!text.contains(secretToken))
            #expect(!text.contains(builder.token))
            #expect(text.contains("spec.unsealConfig.vault.token: (sensitive) → (sensitive)"))
        }
    }

    @Test func kmsWithAnotherTokenThanTheEnvironmentIsReplaced() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(rootToken: "{ fromEnv: MULTIDC_KMS_TOKEN }"))
        let builder = WorldBuilder(loaded)
        let plan = Self.plan(loaded, try builder.converged(), environment: ["MULTIDC_KMS_TOKEN": "a-new-token"])
        let kms = try #require(plan.action("kms"))
        #expect(kms.change == .replace)
        #expect(kms.reason == "its root token differs from the one in $MULTIDC_KMS_TOKEN")
        #expect(kms.dataLoss != nil)
        let text = PlanRenderer(color: false).render(plan) + PlanDocument.json(plan)
        #expect(!text.contains("a-new-token") && !text.contains(builder.token))
    }

    // MARK: network

    @Test func subnetMismatchReplacesTheNetworkAndEverythingOnIt() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(network: "multidc-test", subnet: "172.30.0.0/16"))
        var builder = WorldBuilder(loaded)
        builder.subnet = CIDR("172.19.0.0/16")!
        let plan = Self.plan(loaded, try builder.converged())
        #expect(plan.problems.isEmpty)
        let network = try #require(plan.action("network"))
        #expect(network.change == .replace)
        #expect(network.reason == "its subnet is 172.19.0.0/16 but the spec pins 172.30.0.0/16")
        #expect(network.observed == "172.19.0.0/16")
        #expect(
            network.dataLoss
                == "replacing network multidc-test removes every container on it (central-vault, primary-control-plane, secondary-control-plane, tertiary-control-plane) and every Vault node in those clusters"
        )
        #expect(plan.action("kms")?.change == .replace)
        #expect(plan.action("kms")?.reason == "network multidc-test is replaced")
        for name in ["primary", "secondary", "tertiary"] {
            let cluster = try #require(plan.action("cluster/\(name)"))
            #expect(cluster.change == .replace)
            #expect(cluster.dependsOn == ["network"])
            #expect(cluster.dataLoss == "cluster \(name) holds a Vault node whose data is lost")
            #expect(plan.action("vault/\(name)")?.change == .create)
        }
        #expect(plan.deletesOrReplaces)
        #expect(plan.summaryLine == "Plan: 23 to add, 0 to change, 5 to destroy.")
    }

    @Test func unreachableClusterIsAProblemNamingIt() throws {
        let loaded = try Self.classic()
        let world = try WorldBuilder(loaded).converged().editing("secondary") {
            $0.reachability = .apiServerUnreachable(
                "The connection to the server 127.0.0.1:40123 was refused - did you specify the right host or port?")
            $0.objects = ClusterObjects()
            $0.helmReleases = []
        }
        let plan = Self.plan(loaded, world)
        #expect(
            plan.problems == [
                PlanProblem(
                    cluster: "secondary",
                    "the API server of context kind-secondary is unreachable: The connection to the server 127.0.0.1:40123 was refused - did you specify the right host or port?"
                )
            ])
        #expect(plan.problems[0].description.hasPrefix("cluster secondary: the API server of context kind-secondary is unreachable"))
        #expect(plan.changes.isEmpty)
        #expect(!plan.actions.contains { $0.cluster == "secondary" && $0.id != "cluster/secondary" })
    }

    @Test func foreignContainerInsideAPoolIsAProblem() throws {
        let loaded = try Self.classic()
        var world = try WorldBuilder(loaded).converged()
        var network = try #require(world.network.value)
        network.containers.append(
            .init(containerID: "f" + String(repeating: "0", count: 63), name: "squatter", ipv4Address: "172.18.2.130", ipv4PrefixLength: 16)
        )
        world.network = .present(network)
        let plan = Self.plan(loaded, world)
        #expect(
            plan.problems == [
                PlanProblem(
                    cluster: "secondary",
                    "container squatter holds 172.18.2.130, inside the pool 172.18.2.128/25 of cluster secondary; move the pool (clusters[].pool) or remove the container"
                )
            ])
    }

    @Test func unreachableEngineIsOneProblemAndNoActions() throws {
        let loaded = try Self.classic()
        let world = World(
            topologyName: "vault-raft",
            engine: .unreachable("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"))
        for plan in [Self.plan(loaded, world), Planner.destroyPlan(PlanInput(loaded: loaded, world: world))] {
            #expect(
                plan.problems == [
                    PlanProblem(
                        "the Docker engine is unreachable: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
                    )
                ])
            #expect(plan.actions.isEmpty)
            #expect(plan.summaryLine == "No changes.")
        }
    }

    // MARK: operator

    @Test func pendingInstallReplacesTheOperator() throws {
        let loaded = try Self.classic()
        let world = try WorldBuilder(loaded).converged().editing("primary") {
            $0.helmReleases[0].status = .pendingInstall
        }
        let plan = Self.plan(loaded, world)
        #expect(plan.changeRows == [PlanRow("helm-repo", .create), PlanRow("operator/primary", .replace, ["helm-repo"])])
        #expect(
            plan.action("operator/primary")?.reason
                == "the release is pending-install (an interrupted helm run); uninstall and install it again")
        #expect(plan.action("operator/primary")?.observed == "pending-install")
        #expect(plan.summaryLine == "Plan: 2 to add, 0 to change, 1 to destroy.")
    }

    @Test(arguments: [
        (HelmRelease.Status.failed, "1.12.0", Change.update, "the release is failed"),
        (HelmRelease.Status.deployed, "1.11.0", Change.update, "chart version 1.11.0 is deployed, the spec says 1.12.0"),
        (HelmRelease.Status.deployed, "1.12.0", Change.inSync, "vault-operator-1.12.0 deployed (revision 1)"),
    ])
    func operatorStatusAndVersion(status: HelmRelease.Status, chartVersion: String, change: Change, reason: String) throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(operatorVersion: "1.12.0"))
        let world = try WorldBuilder(loaded).converged().editing("secondary") {
            $0.helmReleases[0].status = status
            $0.helmReleases[0].chart = "vault-operator-\(chartVersion)"
        }
        let plan = Self.plan(loaded, world)
        #expect(plan.action("operator/secondary")?.change == change)
        #expect(plan.action("operator/secondary")?.reason == reason)
        #expect(plan.changes.map(\.id) == (change == .inSync ? [] : ["helm-repo", "operator/secondary"]))
    }

    // MARK: MetalLB

    @Test func metalLBCustomResourceMode() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(metallb: "v0.13.10"))
        let builder = WorldBuilder(loaded)
        let converged = try builder.converged()
        #expect(Self.plan(loaded, converged).changes.isEmpty)
        #expect(
            Self.plan(loaded, converged).action("pool/primary")?.resource
                == "IPAddressPool metallb-system/multidc-pool (172.18.1.128-172.18.1.255)")

        // No L2Advertisement: the pool is not announced.
        let noAdvertisement = converged.editing("primary") { $0.objects.metalLB.l2Advertisements = [] }
        var plan = Self.plan(loaded, noAdvertisement)
        #expect(plan.changeRows == [PlanRow("pool/primary", .update)])
        #expect(plan.action("pool/primary")?.reason == "L2Advertisement multidc-l2 is missing")
        #expect(plan.action("pool/primary")?.fields == [])

        // Addresses edited by hand.
        let edited = converged.editing("secondary") {
            $0.objects.metalLB.addressPools[0].addresses = ["172.18.2.0/24"]
        }
        plan = Self.plan(loaded, edited)
        #expect(plan.changeRows == [PlanRow("pool/secondary", .update)])
        #expect(
            plan.action("pool/secondary")?.fields == [
                FieldChange(path: "spec.addresses", before: "172.18.2.0/24", after: "172.18.2.128-172.18.2.255")
            ])

        // The pool written as a CIDR is the same pool.
        let asCIDR = converged.editing("secondary") { $0.objects.metalLB.addressPools[0].addresses = ["172.18.2.128/25"] }
        #expect(Self.plan(loaded, asCIDR).changes.isEmpty)

        // No pool at all; v0.13 needs no memberlist secret.
        let none = converged.editing("tertiary") {
            $0.objects.metalLB.addressPools = []
            $0.objects.metalLB.l2Advertisements = []
            $0.objects.metalLB.memberlistSecretPresent = false
        }
        plan = Self.plan(loaded, none)
        #expect(plan.changeRows == [PlanRow("pool/tertiary", .create)])
        #expect(plan.action("pool/tertiary")?.reason == "no IPAddressPool multidc-pool")
        guard let pool = plan.action("pool/tertiary")?.step as? PoolResource.Configure, pool.cluster == "tertiary",
            pool.mode == .customResources
        else {
            Issue.record("pool/tertiary is not a CR-mode pool step")
            return
        }
    }

    @Test func metalLBVersionAndMemberlist() throws {
        let loaded = try Self.classic()
        let converged = try WorldBuilder(loaded).converged()
        var plan = Self.plan(loaded, converged.editing("primary") { $0.objects.metalLB.version = "v0.8.3" })
        #expect(plan.changeRows == [PlanRow("metallb/primary", .update)])
        #expect(plan.action("metallb/primary")?.reason == "the controller runs v0.8.3")
        plan = Self.plan(loaded, converged.editing("primary") { $0.objects.metalLB.memberlistSecretPresent = false })
        #expect(plan.changeRows == [PlanRow("metallb/primary", .update)])
        #expect(plan.action("metallb/primary")?.reason == "secret metallb-system/memberlist is missing")
        // MetalLB gone: install it, then configure the pool again (its ConfigMap went with it).
        plan = Self.plan(loaded, converged.editing("primary") { $0.objects.metalLB = MetalLBState() })
        #expect(plan.changeRows == [PlanRow("metallb/primary", .create), PlanRow("pool/primary", .create, ["metallb/primary"])])
    }

    // MARK: secrets and ownership

    @Test func sharedSecretMissingOrDifferent() throws {
        let loaded = try Self.classic()
        let converged = try WorldBuilder(loaded).converged()
        var plan = Self.plan(loaded, converged.editing("tertiary") { $0.objects.sharedSecrets = [:] })
        #expect(plan.changeRows == [PlanRow("secret/vault-primary-tls/tertiary", .create)])
        #expect(plan.action("secret/vault-primary-tls/tertiary")?.reason == "missing in cluster tertiary")
        plan = Self.plan(
            loaded,
            converged.editing("tertiary") {
                var node = $0.objects.sharedSecrets["vault-primary-tls"]!.node
                node["data"]?["ca.crt"] = .string("b2xkLWNh")
                $0.objects.sharedSecrets["vault-primary-tls"] = KubeObject(node: node)
            })
        #expect(plan.changeRows == [PlanRow("secret/vault-primary-tls/tertiary", .update)])
        #expect(plan.action("secret/vault-primary-tls/tertiary")?.reason == "its data differs from the leader's")
    }

    @Test func clusterOfAnotherTopologyIsAProblem() throws {
        let loaded = try Self.classic()
        let world = try WorldBuilder(loaded).converged().editing("primary") {
            $0.objects.ownership = KubeObject(node: Ownership.labelled($0.objects.ownership!.node, topology: "someone-else"))
        }
        let plan = Self.plan(loaded, world)
        #expect(
            plan.problems == [
                PlanProblem(
                    cluster: "primary",
                    "belongs to topology someone-else (ConfigMap default/multidc-ownership); choose another cluster name")
            ])
    }

    @Test func manifestsDigest() throws {
        let loaded = try Self.classic()
        // The classic example has no extra manifests: no manifests action whatever the digest.
        let plan = Self.plan(loaded, try WorldBuilder(loaded).converged(), digest: "abc")
        #expect(!plan.actions.contains { $0.id.description.hasPrefix("manifests/") })
    }

    @Test func workersAndNodeImage() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(workers: ["tertiary": 1]))
        let builder = WorldBuilder(loaded)
        let converged = try builder.converged()
        #expect(Self.plan(loaded, converged).changes.isEmpty)
        // The worker is gone: the cluster is recreated, with the loss of its Vault node.
        var world = converged
        world.containers.removeAll { $0.name == "tertiary-worker" }
        world.kindClusters = Kind.clusters(from: world.containers)
        let plan = Self.plan(loaded, world)
        let cluster = try #require(plan.action("cluster/tertiary"))
        #expect(cluster.change == .replace)
        #expect(cluster.reason == "it has 1 nodes, the spec wants 2 (1 control plane + 1 workers)")
        #expect(cluster.dataLoss == "cluster tertiary holds a Vault node whose data is lost")
        #expect(
            plan.changeRows.first { $0.id == "vault/tertiary" }
                == PlanRow(
                    "vault/tertiary", .create,
                    [
                        "operator/tertiary", "pool/tertiary", "ownership/tertiary", "metallb/tertiary", "secret/vault-primary-tls/tertiary",
                    ]))
    }
}

/// Probes beyond the classic example: a leader that is not the first cluster, a re-created
/// leader Vault, a stopped KMS's address.
@Suite struct PlanLeaderTests {
    static func plan(_ loaded: LoadedTopology, _ world: World) -> Plan {
        Planner.plan(PlanInput(loaded: loaded, world: world))
    }

    @Test func leaderThatIsNotFirstStillComesFirst() throws {
        let loaded = try PlanFixture.example("five-dc")
        let plan = Self.plan(loaded, WorldBuilder(loaded).empty())
        #expect(plan.problems.isEmpty)
        for follower in ["dc-1", "dc-2", "dc-4", "dc-5"] {
            #expect(plan.action("vault/\(follower)")?.dependsOn.contains("vault/dc-3") == true, "vault/\(follower)")
            #expect(plan.action("secret/vault-dc-3-tls/\(follower)")?.dependsOn.contains("vault/dc-3") == true, "secret of \(follower)")
        }
        #expect(
            plan.action("vault/dc-3")?.dependsOn.contains { $0.description.hasPrefix("secret/") || $0.description.hasPrefix("vault/") }
                == false)
        for (i, action) in plan.actions.enumerated() {
            for dep in action.dependsOn {
                let j = try #require(plan.actions.firstIndex { $0.id == dep }, "\(action.id) depends on unknown \(dep)")
                #expect(j < i, "\(action.id) is listed before its dependency \(dep)")
            }
        }
        #expect(plan.action("pool/dc-5")?.resource == "IPAddressPool metallb-system/multidc-pool (172.30.9.128-172.30.9.255)")
        #expect(
            (plan.action("cluster/dc-4")?.step as? KindClusterResource.Create).map { $0.workers == 1 && $0.network == "multidc-five" }
                == true)
        #expect(plan.summaryLine == "Plan: 41 to add, 0 to change, 0 to destroy.")
        #expect(plan.stepsLine == "Runs as 46 steps, 5 of them readiness waits.")
    }

    @Test func fiveDCConvergedHasNoChanges() throws {
        let loaded = try PlanFixture.example("five-dc")
        var builder = WorldBuilder(loaded)
        builder.networkLabels = Ownership.labels(topology: "five-dc")
        let plan = Self.plan(loaded, try builder.converged())
        #expect(plan.problems.isEmpty)
        #expect(plan.changes.isEmpty, "\(plan.changeRows) \(plan.changes.flatMap(\.fields))")
    }

    @Test func recreatedLeaderVaultIsCopiedAgain() throws {
        // A new KMS re-initialises every Vault: the leader's operator makes a new TLS secret, so
        // the followers' copies must be refreshed after it and before their own CRs.
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().removingKMS()
        let plan = Self.plan(loaded, world)
        for follower in ["secondary", "tertiary"] {
            let secret = try #require(plan.action("secret/vault-primary-tls/\(follower)"))
            #expect(secret.change == .update)
            #expect(secret.dependsOn == ["vault/primary"])
            #expect(secret.reason == "the leader's Vault is re-created; its new secret is copied again")
            #expect(
                plan.action("vault/\(follower)")?.dependsOn == [
                    "kms", "vault/primary", "vault-ready/primary", .sharedSecret("vault-primary-tls", cluster: follower),
                ])
        }
    }

    @Test func missingLeaderClusterRecopiesExistingFollowerSecrets() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().removingCluster("primary")
        let plan = Self.plan(loaded, world)
        let secret = try #require(plan.action("secret/vault-primary-tls/secondary"))
        #expect(secret.change == .update)
        #expect(secret.dependsOn == ["vault/primary"])
        // Followers keep their Vault CRs (their data stays), but the leader's address is the same pool start.
        #expect(plan.action("vault/secondary")?.change == .inSync)
    }

    @Test func stoppedKMSMakesItsAddressKnownAfterApply() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let builder = WorldBuilder(loaded)
        var world = try builder.converged()
        let stopped = try #require(builder.kmsContainer(state: .exited))
        world.kms = .present(stopped)
        world.containers = world.containers.map { $0.name == stopped.name ? stopped : $0 }
        if var network = world.network.value {
            network.containers.removeAll { $0.name == stopped.name }
            world.network = .present(network)
        }
        let plan = Self.plan(loaded, world)
        #expect(
            plan.changeRows == [
                PlanRow("kms", .update),
                // A stopped dev-mode KMS lost its keys (docs/tools.md#vault-dev): every Vault is re-initialised.
                PlanRow("vault/primary", .replace, ["kms"]),
                PlanRow("secret/vault-primary-tls/secondary", .update, ["vault/primary"]),
                PlanRow(
                    "vault/secondary", .replace, ["kms", "vault/primary", "vault-ready/primary", "secret/vault-primary-tls/secondary"]),
                PlanRow("secret/vault-primary-tls/tertiary", .update, ["vault/primary"]),
                PlanRow("vault/tertiary", .replace, ["kms", "vault/primary", "vault-ready/primary", "secret/vault-primary-tls/tertiary"]),
            ])
        #expect(
            plan.action("vault/secondary")?.fields == [
                FieldChange(
                    path: "vault-secondary: spec.unsealConfig.vault.address", before: "http://172.18.0.100:8200",
                    after: "http://(known after apply):8200")
            ])
        #expect(plan.dataLosses.count == 3)
        #expect(plan.summaryLine == "Plan: 3 to add, 3 to change, 3 to destroy.")
    }
}

/// Observed facts that make a plan impossible, and field-level details of the CR comparison.
@Suite struct PlanProblemTests {
    static func plan(_ loaded: LoadedTopology, _ world: World) -> Plan {
        Planner.plan(PlanInput(loaded: loaded, world: world))
    }

    @Test func unreadableContainerListIsOneProblemAndNoCreates() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        var world = try WorldBuilder(loaded).converged()
        world.containers = []
        world.kindClusters = []
        world.containerListProblem = "docker ps: unexpected output"
        world.kms = .unknown("docker ps: unexpected output")
        for plan in [Self.plan(loaded, world), Planner.destroyPlan(PlanInput(loaded: loaded, world: world))] {
            #expect(plan.problems == [PlanProblem("cannot list docker containers: docker ps: unexpected output")])
            #expect(plan.actions.isEmpty)
        }
    }

    /// A kind cluster without its context (an interrupted create, kind's kubeconfig lock race)
    /// gets `kind export kubeconfig` as a planned action; its insides are planned next round.
    @Test func kindClusterWithoutItsContextIsExportedAgain() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().editing("tertiary") {
            $0.reachability = .contextMissing("error: context \"kind-tertiary\" does not exist")
            $0.objects = ClusterObjects()
        }
        let plan = Self.plan(loaded, world)
        #expect(plan.problems.isEmpty)
        #expect(plan.changeRows == [PlanRow("cluster/tertiary", .update)])
        let export = try #require(plan.action("cluster/tertiary"))
        #expect(export.reason.hasPrefix("its kubeconfig context kind-tertiary is missing; export it again"))
        #expect((export.step as? KindClusterResource.ExportKubeconfig)?.cluster == "tertiary")
        #expect(plan.deferredClusters == ["tertiary"])
    }

    @Test func helmListFailureIsAProblem() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().editing("primary") {
            $0.helmReleases = []
            $0.helmError = "Error: Kubernetes cluster unreachable"
        }
        #expect(
            Self.plan(loaded, world).problems == [
                PlanProblem(cluster: "primary", "helm list failed: Error: Kubernetes cluster unreachable")
            ])
    }

    @Test func kmsOfAnotherTopologyIsAProblem() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        var world = try WorldBuilder(loaded).converged()
        var kms = try #require(world.kms.container)
        kms.labels[Ownership.topologyKey] = "other"
        world.kms = .present(kms)
        let plan = Self.plan(loaded, world)
        #expect(
            plan.problems == [
                PlanProblem(
                    "container central-vault exists but does not belong to topology vault-raft (label multidc/topology=other); rename spec.kms.name or remove the container"
                )
            ])
        #expect(plan.action("kms") == nil)
    }

    /// `docker ps` shows the image ID once the tag moved (a re-pull or re-import): not drift.
    @Test func aMovedImageTagIsNotDrift() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        var world = try WorldBuilder(loaded).converged()
        var kms = try #require(world.kms.container)
        kms.image = "6ccdb4405694"
        world.kms = .present(kms)
        for i in world.containers.indices where world.containers[i].labels[Kind.clusterLabel] != nil {
            world.containers[i].image = "sha256:4c3bdbbe91f3b76aa8d9f7ac6426ad30dcb298f1151033637858f1999784f0cc"
        }
        world.kindClusters = Kind.clusters(from: world.containers)
        let plan = Self.plan(loaded, world)
        #expect(plan.problems.isEmpty)
        #expect(plan.changes.map(\.id) == [])
        #expect(plan.summaryLine == "No changes.")
    }

    @Test func kmsWithAnotherImageIsReplacedWithLoss() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        var world = try WorldBuilder(loaded).converged()
        var kms = try #require(world.kms.container)
        kms.image = "vault:1.5.0"
        world.kms = .present(kms)
        let plan = Self.plan(loaded, world)
        let action = try #require(plan.action("kms"))
        #expect(action.change == .replace)
        #expect(action.reason == "it runs image vault:1.5.0, the spec says vault:1.6.2")
        #expect(action.observed == "vault:1.5.0")
        #expect(action.dataLoss?.hasPrefix("the unseal keys of the Vault clusters in primary, secondary, tertiary") == true)
        guard let run = action.step as? KMSResource.Run, run.removeFirst else {
            Issue.record("not a replacing run")
            return
        }
        #expect(
            plan.changes.filter { $0.id.description.hasPrefix("vault/") }.allSatisfy {
                $0.change == .replace && $0.dependsOn.first == "kms"
            })
    }

    @Test func crFieldsTheTemplateDoesNotSetAreIgnoredAndListsAreCompared() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let converged = try WorldBuilder(loaded).converged()
        // Fields only the server or operator set: in sync.
        var plan = Self.plan(
            loaded,
            converged.editing("secondary") {
                var cr = $0.objects.vaults["vault-secondary"]!.node
                cr["spec"]?["serviceRegistrationEnabled"] = .scalar("false")
                cr["metadata"]?["annotations"] = .mapping(["note": .string("added by hand")])
                $0.objects.vaults["vault-secondary"] = KubeObject(node: cr)
            })
        #expect(plan.changes.isEmpty)
        // A list item added by hand is removed; a label with dots gets a bracketed path.
        plan = Self.plan(
            loaded,
            converged.editing("secondary") {
                var cr = $0.objects.vaults["vault-secondary"]!.node
                var env = cr["spec"]!["envsConfig"]!.sequence!
                env.append(.mapping(["name": .string("EXTRA"), "value": .string("1")]))
                cr["spec"]?["envsConfig"] = .sequence(env)
                cr["metadata"]?["labels"]?["app.kubernetes.io/managed-by"] = nil
                $0.objects.vaults["vault-secondary"] = KubeObject(node: cr)
            })
        #expect(
            plan.action("vault/secondary")?.fields == [
                FieldChange(path: "vault-secondary: metadata.labels[\"app.kubernetes.io/managed-by\"]", before: nil, after: "multidc"),
                FieldChange(path: "vault-secondary: spec.envsConfig[1]", before: "{name: EXTRA, value: \"1\"}", after: nil),
            ])
        // A scalar that only looks different through JSON (a number kept as a string) still differs.
        plan = Self.plan(
            loaded,
            converged.editing("secondary") {
                var cr = $0.objects.vaults["vault-secondary"]!.node
                cr["spec"]?["size"] = .string("1")
                $0.objects.vaults["vault-secondary"] = KubeObject(node: cr)
            })
        #expect(plan.action("vault/secondary")?.fields.map(\.path) == ["vault-secondary: spec.size"])
    }

    @Test func crMissingInAnExistingClusterIsCreated() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let plan = Self.plan(loaded, try WorldBuilder(loaded).converged().editing("tertiary") { $0.objects.vaults = [:] })
        #expect(plan.changeRows == [PlanRow("vault/tertiary", .create)])
        #expect(plan.action("vault/tertiary")?.reason == "no Vault CR vault-tertiary in namespace default")
    }

    @Test func ownershipRecordMissingIsCreated() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().editing("tertiary") { $0.objects.ownership = nil }
        // An earlier apply here created it (an interrupted run); the record held the operator
        // values' digest too, so the release is upgraded once to record it again.
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world, createdClusters: ["tertiary"]))
        #expect(plan.problems.isEmpty)
        #expect(plan.changeRows.filter { $0.id.hasSuffix("tertiary") }.map(\.id) == ["ownership/tertiary", "operator/tertiary"])
        #expect(
            plan.action("ownership/tertiary")?.reason
                == "adopted: an earlier apply on this machine created it and was interrupted before its ownership record")
    }
}

/// spec.manifests (files in a temporary directory next to copies of the example's templates),
/// and more cluster states.
@Suite struct PlanManifestTests {
    /// A spec with `manifests: [rbac.yaml]` in a fresh directory.
    static func loadWithManifests() throws -> (LoadedTopology, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("multidc-plantests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for template in ["vault-cr.yaml", "vault-follower.yaml"] {
            try FileManager.default.copyItem(
                atPath: PlanFixture.vaultRaftDirectory + "/" + template,
                toPath: directory.appendingPathComponent(template).path)
        }
        try "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: vault\n".write(
            to: directory.appendingPathComponent("rbac.yaml"), atomically: true, encoding: .utf8)
        let spec = PlanFixture.spec().replacingOccurrences(
            of: "  vault:\n    template:", with: "  manifests: [rbac.yaml]\n  vault:\n    template:")
        return (try PlanFixture.load(spec, directory: directory.path), directory.path)
    }

    @Test func manifestsFollowTheirDigest() async throws {
        let (loaded, directory) = try Self.loadWithManifests()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(loaded.topology.manifests.map(\.written) == ["rbac.yaml"])
        let builder = WorldBuilder(loaded)

        // Applied with this digest: in sync.
        var plan = Planner.plan(PlanInput(loaded: loaded, world: try builder.converged(manifestDigest: "d1"), manifestDigest: "d1"))
        #expect(plan.changes.isEmpty)
        #expect(plan.action("manifests/primary")?.reason == "applied, unchanged (sha256 d1)")

        // The files changed: update, before the Vault CR that may need them.
        plan = Planner.plan(PlanInput(loaded: loaded, world: try builder.converged(manifestDigest: "d1"), manifestDigest: "d2"))
        #expect(plan.changeRows == ["primary", "secondary", "tertiary"].map { PlanRow("manifests/\($0)", .update) })
        #expect(plan.action("manifests/primary")?.reason == "the files changed since they were applied")
        #expect(plan.action("manifests/primary")?.observed == "sha256 d1")

        // Never applied by multidc.
        plan = Planner.plan(PlanInput(loaded: loaded, world: try builder.converged(manifestDigest: ""), manifestDigest: "d2"))
        #expect(plan.action("manifests/secondary")?.change == .create)
        #expect(plan.action("manifests/secondary")?.reason == "never applied by multidc")

        // A new cluster: manifests after the ownership record, and the Vault CR after the manifests.
        let world = try builder.converged(manifestDigest: "d2").removingCluster("tertiary")
        plan = Planner.plan(PlanInput(loaded: loaded, world: world, manifestDigest: "d2"))
        #expect(plan.action("manifests/tertiary")?.dependsOn == ["cluster/tertiary", "ownership/tertiary"])
        #expect(plan.action("vault/tertiary")?.dependsOn.contains("manifests/tertiary") == true)

        // The job applies the file by path, then records the digest in the ownership ConfigMap.
        let runner = ScriptedRunner()
        runner.on(["kubectl"], stdout: "serviceaccount/vault created\n")
        let actions = ActionRunner(
            runner: runner, loaded: loaded, environment: [:], readinessTimeout: .seconds(5))
        var job = try #require(actions.jobs(for: plan).first { $0.id == "manifests/tertiary" })
        job.dependencies = []
        let report = try await JobExecutor(clock: ManualClock()).run([job])
        #expect(report.succeeded)
        #expect(
            runner.calls.map(\.argv) == [
                ["kubectl", "--context", "kind-tertiary", "apply", "-f", directory + "/rbac.yaml"],
                ["kubectl", "--context", "kind-tertiary", "apply", "-f", "-"],
            ])
        let record = try #require(
            try YAMLParser.parse(String(decoding: runner.calls[1].standardInput?.bytes ?? [], as: UTF8.self), file: "stdin"))
        #expect(record[path: "data", "manifests-sha256"]?.string == "d2")
    }

    @Test func stoppedLeaderKeepsTheFollowersCopies() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        var world = try WorldBuilder(loaded).converged()
        world.containers = world.containers.map {
            var c = $0
            if c.name == "primary-control-plane" { c.state = .exited; c.ipv4Address = nil }
            return c
        }
        world.kindClusters = Kind.clusters(from: world.containers)
        world = world.editing("primary") {
            $0.reachability = .apiServerUnreachable("connection refused")
            $0.objects = ClusterObjects()
            $0.helmReleases = []
        }
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world))
        #expect(plan.problems.isEmpty)
        #expect(plan.changeRows == [PlanRow("cluster/primary", .update)])
        #expect(plan.action("secret/vault-primary-tls/secondary")?.reason == "present; the leader's secret could not be read to compare")
    }

    @Test(arguments: [
        ("primary-control-plane", "its control-plane container is gone (nodes left: primary-worker)"),
        ("image", "its nodes run kindest/node:v1.18.0, the spec says kindest/node:v1.19.1"),
    ])
    func brokenClusterIsReplaced(change: String, reason: String) throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(workers: ["primary": 1]))
        var world = try WorldBuilder(loaded).converged()
        if change == "image" {
            world.containers = world.containers.map {
                var c = $0
                if c.labels[Kind.clusterLabel] == "primary" { c.image = "kindest/node:v1.18.0" }
                return c
            }
        } else {
            world.containers.removeAll { $0.name == change }
        }
        world.kindClusters = Kind.clusters(from: world.containers)
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world))
        let cluster = try #require(plan.action("cluster/primary"))
        #expect(cluster.change == .replace)
        #expect(cluster.reason == reason)
        #expect(cluster.dataLoss == "cluster primary holds a Vault node whose data is lost")
        // Everything inside is new, and the followers' copies of the new leader's secret are refreshed.
        #expect(plan.action("vault/primary")?.change == .create)
        #expect(plan.action("secret/vault-primary-tls/secondary")?.change == .update)
        #expect(plan.action("vault/secondary")?.change == .inSync)
    }

    @Test func subnetTooSmallForTheSlicesIsAProblem() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        var world = try WorldBuilder(loaded).converged()
        var network = try #require(world.network.value)
        network.ipv4Subnet = "172.18.0.0/24"
        world.network = .present(network)
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world))
        #expect(
            plan.problems
                == ["primary", "secondary", "tertiary"].enumerated().map { i, name in
                    PlanProblem(
                        "cluster '\(name)' needs block \(i + 1) of size /24, but 172.18.0.0/24 has only 1 such block; pin a pool or use a larger subnet"
                    )
                })
    }

    @Test func otherKindClustersAreNeverTouched() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        var world = try WorldBuilder(loaded).converged()
        world.containers.append(
            DockerContainer(
                id: "f00" + String(repeating: "0", count: 61), name: "other-control-plane", image: "kindest/node:v1.27.3",
                state: .running, labels: [Kind.clusterLabel: "other", Kind.roleLabel: "control-plane"], networks: ["kind"]))
        world.kindClusters = Kind.clusters(from: world.containers)
        #expect(Planner.plan(PlanInput(loaded: loaded, world: world)).changes.isEmpty)
        let destroy = Planner.destroyPlan(PlanInput(loaded: loaded, world: world))
        #expect(!destroy.actions.contains { $0.resource.contains("other") })
    }
}

/// Provider existing with the leader's LoadBalancer address still pending.
@Suite struct PlanExistingLeaderTests {
    @Test func pendingLeaderAddressIsKnownAfterApply() throws {
        let loaded = try PlanFixture.example("existing")
        var builder = WorldBuilder(loaded)
        builder.token = PlanExistingTests.environment["MULTIDC_KMS_TOKEN"]!
        let world = try builder.converged(leaderLoadBalancerIP: "203.0.113.10").editing("eu-west-1") {
            $0.objects.vaultServices = $0.objects.vaultServices.map {
                var s = $0; s.ingressIPs = []; return s
            }
        }
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world, environment: PlanExistingTests.environment))
        #expect(plan.changeRows == [PlanRow("vault/us-east-1", .update), PlanRow("vault/ap-south-1", .update)])
        #expect(
            plan.action("vault/us-east-1")?.fields == [
                FieldChange(path: "vault-us-east-1: spec.raftLeaderAddress", before: "203.0.113.10", after: "(known after apply)")
            ])
    }
}
