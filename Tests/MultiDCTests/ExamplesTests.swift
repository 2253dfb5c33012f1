import Foundation
import MultiDC
import Testing
import YAML

/// The examples under examples/ load, validate and render as documented.
@Suite struct ExamplesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let examples = ["vault-raft", "five-dc", "existing"]

    static func load(_ example: String) throws -> LoadedTopology {
        try TopologyLoader.load(path: root.appendingPathComponent("examples/\(example)/spec.yaml").path)
    }

    @Test(arguments: examples) func exampleValidates(_ example: String) throws {
        let loaded = try Self.load(example)
        #expect(!loaded.topology.clusters.isEmpty)
        for cluster in loaded.topology.clusters {
            #expect(loaded.template(for: cluster) != nil)
        }
    }

    @Test func vaultRaftIsTheClassicSetUp() throws {
        let t = try Self.load("vault-raft").topology
        #expect(t.clusters.map(\.name) == ["primary", "secondary", "tertiary"])
        #expect(t.network.name == "kind" && t.network.subnet == nil)
        // Artifacts a user can run today (docs/tools.md#helm-charts): a node image current kind
        // supports, MetalLB with CRs, hashicorp/vault, the operator's OCI chart and its RBAC.
        #expect(t.nodeImage == "kindest/node:v1.36.1")
        #expect(t.loadBalancer == .metallb(.init(version: "v0.14.9")))
        guard case .metallb(let metallb) = t.loadBalancer else { return }
        #expect(metallb.mode == .customResources)
        #expect(t.kms == .container(name: "central-vault", image: "hashicorp/vault:2.0.1", rootToken: .generate))
        #expect(t.vaultOperator.chart == "oci://ghcr.io/bank-vaults/helm-charts/vault-operator" && t.vaultOperator.repo == nil)
        #expect(t.manifests.map(\.written) == ["rbac.yaml"])
        #expect(t.vault.shareSecrets == ["vault-primary-tls"])
        #expect(t.health.raft == .init(voters: 3, timeout: .seconds(600)))
    }

    /// The issue's "done when": the secondary's CR follows primary's pool start, hides the token.
    @Test func secondaryFollowsThePrimarysPoolStart() throws {
        let loaded = try Self.load("vault-raft")
        let secondary = loaded.topology.clusters[1]
        let values = TemplateValues.for(
            topology: loaded.topology, cluster: secondary,
            assumptions: ["kms.address": "172.18.0.5", "network.subnet": "172.18.0.0/16"])
        let manifests = try ClusterManifests.render(loaded, cluster: secondary, values: values, mode: .display)
        let cr = try #require(manifests.vault.first)
        #expect(cr[path: "spec", "raftLeaderAddress"]?.string == "172.18.1.128")
        #expect(cr[path: "spec", "loadBalancerIP"]?.string == "172.18.2.128")
        #expect(cr[path: "spec", "unsealConfig", "vault", "token"]?.string == "(sensitive)")
        #expect(cr[path: "spec", "unsealConfig", "vault", "address"]?.string == "http://172.18.0.5:8200")
        #expect(cr[path: "metadata", "name"]?.string == "vault-secondary")
        #expect(cr[path: "metadata", "labels", "multidc/topology"]?.string == "vault-raft")
        #expect(cr[path: "spec", "volumes"]?.sequence?.first?[path: "secret", "secretName"]?.string == "vault-primary-tls")
    }

    @Test func leaderIsSelfAndUnknownsStayUnknown() throws {
        let loaded = try Self.load("vault-raft")
        let primary = loaded.topology.clusters[0]
        let values = TemplateValues.for(topology: loaded.topology, cluster: primary)
        let cr = try #require(try ClusterManifests.render(loaded, cluster: primary, values: values, mode: .display).vault.first)
        #expect(cr[path: "spec", "raftLeaderAddress"]?.string == "self")
        #expect(cr[path: "spec", "loadBalancerIP"]?.string == "(known after apply)")
        #expect(throws: Diagnostics.self) {
            try ClusterManifests.render(loaded, cluster: primary, values: values, mode: .apply)
        }
    }

    @Test func fiveDCHasANonFirstLeaderAndAPinnedSubnet() throws {
        let loaded = try Self.load("five-dc")
        let t = loaded.topology
        #expect(t.clusters.count == 5)
        #expect(t.leader.name == "dc-3")
        #expect(t.network.subnet == CIDR("172.30.0.0/16"))
        guard case .metallb(let metallb) = t.loadBalancer else { Issue.record("expected MetalLB"); return }
        #expect(metallb.mode == .customResources)
        #expect(
            try loaded.pools().map(\.cidr.description) == [
                "172.30.1.128/25", "172.30.2.128/25", "172.30.3.128/25", "172.30.4.128/25", "172.30.9.128/25",
            ])
        let dc1 = TemplateValues.for(topology: t, cluster: t.clusters[0])
        #expect(dc1["cluster.raftLeaderAddress"] == .string("172.30.3.128"))
    }

    @Test func existingUsesContextsAndAnExternalKMS() throws {
        let t = try Self.load("existing").topology
        #expect(t.provider == .existing)
        #expect(t.loadBalancer == .none)
        #expect(t.clusters.allSatisfy { $0.context != nil })
        #expect(t.kms == .external(url: "https://kms.vault.example.com:8200", rootToken: .fromEnv("MULTIDC_KMS_TOKEN")))
        let values = TemplateValues.for(topology: t, cluster: t.clusters[1])
        #expect(values["cluster.context"] == .string("arn:aws:eks:us-east-1:123456789012:cluster/vault"))
        #expect(values["leader.loadBalancerIP"] == .unknown)
        #expect(values["kms.url"] == .string("https://kms.vault.example.com:8200"))
    }

    @Test func everyExampleCarriesTheSchemaModeline() throws {
        for example in Self.examples {
            let text = try String(contentsOf: Self.root.appendingPathComponent("examples/\(example)/spec.yaml"), encoding: .utf8)
            #expect(text.hasPrefix("# yaml-language-server: $schema=../../specs/topology.schema.json\n"))
        }
    }
}
