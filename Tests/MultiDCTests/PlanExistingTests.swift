import Foundation
import Testing
import YAML

@testable import MultiDC

/// Provider existing (examples/existing): kubeconfig contexts, loadBalancer none, an external KMS.
/// No network, kind, MetalLB or KMS actions ever.
@Suite struct PlanExistingTests {
    static let environment = ["MULTIDC_KMS_TOKEN": "external-kms-token-abc"]

    static func plan(_ loaded: LoadedTopology, _ world: World) -> Plan {
        Planner.plan(PlanInput(loaded: loaded, world: world, environment: environment))
    }

    /// Reachable clusters with nothing of ours inside.
    static func bare(_ loaded: LoadedTopology) -> World {
        World(
            topologyName: loaded.topology.name,
            clusters: loaded.topology.clusters.map {
                ClusterObservation(
                    name: $0.name, context: loaded.topology.context(of: $0), reachability: .reachable,
                    objects: ClusterObjects(namespaces: ["default", "kube-system"]))
            })
    }

    @Test func bareClustersGetOperatorSecretsAndVaults() throws {
        let loaded = try PlanFixture.example("existing")
        let plan = Self.plan(loaded, Self.bare(loaded))
        #expect(plan.problems.isEmpty)
        var expected: [PlanRow] = []
        for name in ["eu-west-1", "us-east-1", "ap-south-1"] {
            expected.append(PlanRow("ownership/\(name)", .create))
            expected.append(PlanRow("operator/\(name)", .create))
            expected.append(PlanRow("manifests/\(name)", .create, ["ownership/\(name)"]))
            var vaultDeps = ["operator/\(name)", "manifests/\(name)", "ownership/\(name)"]
            if name != "eu-west-1" {
                expected.append(PlanRow("secret/vault-eu-west-1-tls/\(name)", .create, ["vault/eu-west-1", "ownership/\(name)"]))
                vaultDeps += ["vault/eu-west-1", "vault-ready/eu-west-1", "secret/vault-eu-west-1-tls/\(name)"]
            }
            expected.append(PlanRow("vault/\(name)", .create, vaultDeps))
        }
        #expect(plan.rows == expected)
        #expect(
            !plan.actions.contains {
                ["network", "kms", "helm-repo"].contains($0.id) || $0.id.description.hasPrefix("cluster/")
                    || $0.id.description.hasPrefix("metallb/")
                    || $0.id.description.hasPrefix("pool/")
            })
        #expect(plan.action("operator/us-east-1")?.resource == "helm release vault-system/vault-operator")
        #expect(plan.action("secret/vault-eu-west-1-tls/us-east-1")?.reason == "copied once the leader's operator has created it")
        #expect(plan.summaryLine == "Plan: 14 to add, 0 to change, 0 to destroy.")
    }

    @Test func convergedExistingWorldHasNoChanges() throws {
        let loaded = try PlanFixture.example("existing")
        var builder = WorldBuilder(loaded)
        builder.token = Self.environment["MULTIDC_KMS_TOKEN"]!
        let world = try builder.converged(leaderLoadBalancerIP: "203.0.113.10")
        let plan = Self.plan(loaded, world)
        #expect(plan.problems.isEmpty)
        #expect(plan.changes.isEmpty, "changes: \(plan.changeRows) \(plan.changes.flatMap(\.fields))")
        #expect(plan.summaryLine == "No changes.")
    }

    @Test func missingContextIsAProblem() throws {
        let loaded = try PlanFixture.example("existing")
        var world = Self.bare(loaded)
        world.clusters[2].reachability = .contextMissing("error: context \"gke_example_asia-south1_vault\" does not exist")
        let plan = Self.plan(loaded, world)
        #expect(
            plan.problems == [
                PlanProblem(
                    cluster: "ap-south-1",
                    "kubeconfig context gke_example_asia-south1_vault does not exist: error: context \"gke_example_asia-south1_vault\" does not exist"
                )
            ])
        #expect(!plan.actions.contains { $0.cluster == "ap-south-1" })
    }

    @Test func engineStateDoesNotMatterWithoutAKMSContainer() throws {
        let loaded = try PlanFixture.example("existing")
        var world = Self.bare(loaded)
        world.engine = .unreachable("Cannot connect to the Docker daemon")
        #expect(Self.plan(loaded, world).problems.isEmpty)
    }
}

/// Provider existing with MetalLB and pinned pools (on-premises clusters): pools and MetalLB are
/// planned, the network, kind and the KMS never.
@Suite struct PlanExistingMetalLBTests {
    static let spec = """
        apiVersion: multidc/v1alpha1
        kind: Topology
        metadata:
          name: onprem
        spec:
          provider: existing
          loadBalancer:
            metallb:
              version: v0.13.10
          kms:
            url: https://kms.example.com:8200
            rootToken: { fromEnv: MULTIDC_KMS_TOKEN }
          operator:
            chart: oci://ghcr.io/bank-vaults/helm-charts/vault-operator
            version: 1.22.0
            namespace: vault-system
          vault:
            template: vault-follower.yaml
            namespace: vault
            shareSecrets: [vault-eu-west-1-tls]
          clusters:
            - name: eu-west-1
              context: ctx-a
              pool: 10.10.1.128/25
              vault: { template: vault-leader.yaml }
            - name: us-east-1
              context: ctx-b
              pool: 10.20.1.128/25
        """

    static func load() throws -> LoadedTopology {
        try PlanFixture.load(spec, directory: PlanFixture.root.appendingPathComponent("examples/existing").path)
    }

    @Test func bareClusters() throws {
        let loaded = try Self.load()
        let plan = Planner.plan(
            PlanInput(loaded: loaded, world: PlanExistingTests.bare(loaded), environment: PlanExistingTests.environment))
        #expect(plan.problems.isEmpty)
        #expect(
            plan.rows == [
                PlanRow("ownership/eu-west-1", .create),
                PlanRow("metallb/eu-west-1", .create),
                PlanRow("pool/eu-west-1", .create, ["metallb/eu-west-1"]),
                PlanRow("operator/eu-west-1", .create),
                PlanRow("vault/eu-west-1", .create, ["operator/eu-west-1", "pool/eu-west-1", "ownership/eu-west-1", "metallb/eu-west-1"]),
                PlanRow("ownership/us-east-1", .create),
                PlanRow("metallb/us-east-1", .create),
                PlanRow("pool/us-east-1", .create, ["metallb/us-east-1"]),
                PlanRow("operator/us-east-1", .create),
                PlanRow("secret/vault-eu-west-1-tls/us-east-1", .create, ["vault/eu-west-1", "ownership/us-east-1"]),
                PlanRow(
                    "vault/us-east-1", .create,
                    [
                        "operator/us-east-1", "pool/us-east-1", "ownership/us-east-1", "metallb/us-east-1",
                        "vault/eu-west-1", "vault-ready/eu-west-1", "secret/vault-eu-west-1-tls/us-east-1",
                    ]),
            ])
        #expect(plan.action("pool/us-east-1")?.resource == "IPAddressPool metallb-system/multidc-pool (10.20.1.128-10.20.1.255)")
        #expect(plan.notes.isEmpty)
    }

    @Test func convergedHasNoChangesAndDriftIsFound() throws {
        let loaded = try Self.load()
        var builder = WorldBuilder(loaded)
        builder.token = PlanExistingTests.environment["MULTIDC_KMS_TOKEN"]!
        let world = try builder.converged()
        // The follower's CR points at the leader's pool start.
        #expect(
            world.cluster(named: "us-east-1")?.objects.vaults["vault-us-east-1"]?.node[path: "spec", "raftLeaderAddress"]?.string
                == "10.10.1.128")
        var plan = Planner.plan(PlanInput(loaded: loaded, world: world, environment: PlanExistingTests.environment))
        #expect(plan.problems.isEmpty)
        #expect(plan.changes.isEmpty, "\(plan.changeRows) \(plan.changes.flatMap(\.fields))")
        plan = Planner.plan(
            PlanInput(
                loaded: loaded, world: world.editing("us-east-1") { $0.objects.metalLB.addressPools[0].addresses = ["10.20.1.0/24"] },
                environment: PlanExistingTests.environment))
        #expect(plan.changeRows == [PlanRow("pool/us-east-1", .update)])
    }
}
