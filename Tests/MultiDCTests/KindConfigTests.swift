import Foundation
import MultiDCTestSupport
import Testing
import YAML

@testable import MultiDC

/// Issue 12.7: kind config fields passed through (`spec.kindConfig`, `clusters[i].kindConfig`):
/// decoded as kind v0.32.0 decodes them, merged per cluster, written into kind's v1alpha4 config,
/// recorded on the ownership record and compared by the plan. The refusals with their positions
/// are in the corpus (Corpus/spec-kind-*.yaml).
@Suite struct KindConfigTests {
    /// The classic spec with `all` under spec.kindConfig and `secondary` under secondary's kindConfig
    /// (each a block indented for its place).
    static func spec(all: String? = nil, secondary: String? = nil) -> String {
        var text = PlanFixture.spec()
        if let all {
            text = text.replacingOccurrences(
                of: "  nodeImage: kindest/node:v1.19.1\n", with: "  nodeImage: kindest/node:v1.19.1\n  kindConfig:\n\(all)")
        }
        if let secondary {
            text = text.replacingOccurrences(
                of: "    - name: secondary\n", with: "    - name: secondary\n      kindConfig:\n\(secondary)")
        }
        return text
    }

    static let all = """
            featureGates: { InPlacePodVerticalScaling: true, SidecarContainers: false }
            kubeadmConfigPatches:
              - |
                kind: ClusterConfiguration
                apiServer: { extraArgs: { v: "4" } }
            controlPlane:
              labels: { tier: vault, topology.kubernetes.io/zone: a }
              extraPortMappings: [ { containerPort: 80 } ]

        """
    static let secondary = """
                featureGates: { SidecarContainers: yes }
                kubeadmConfigPatches: [ "kind: InitConfiguration" ]
                containerdConfigPatches: [ "[plugins]" ]
                controlPlane:
                  labels: { topology.kubernetes.io/zone: b }
                  extraPortMappings: [ { containerPort: 443, hostPort: 8443, listenAddress: 127.0.0.1, protocol: TCP } ]
                workers:
                  labels: { pool: spare }

        """

    @Test func theClusterConfigMergesOverTheAllClustersOne() throws {
        let t = try PlanFixture.load(Self.spec(all: Self.all, secondary: Self.secondary)).topology
        let primary = t.kindConfig(of: t.clusters[0])
        #expect(primary.featureGates == ["InPlacePodVerticalScaling": true, "SidecarContainers": false])
        #expect(primary.kubeadmConfigPatches == ["kind: ClusterConfiguration\napiServer: { extraArgs: { v: \"4\" } }\n"])
        #expect(primary.controlPlane.labels == ["tier": "vault", "topology.kubernetes.io/zone": "a"])
        #expect(primary.controlPlane.extraPortMappings == [Topology.PortMapping(containerPort: 80)])
        #expect(primary.workers == Topology.KindNode())

        let secondary = t.kindConfig(of: t.clusters[1])
        // Maps key by key, the cluster's value winning (`yes` is go-yaml v3's true for a bool).
        #expect(secondary.featureGates == ["InPlacePodVerticalScaling": true, "SidecarContainers": true])
        #expect(secondary.controlPlane.labels == ["tier": "vault", "topology.kubernetes.io/zone": "b"])
        // Lists concatenated, the all-clusters items first (kind applies patches in order).
        #expect(secondary.kubeadmConfigPatches == [primary.kubeadmConfigPatches[0], "kind: InitConfiguration"])
        #expect(secondary.containerdConfigPatches == ["[plugins]"])
        #expect(
            secondary.controlPlane.extraPortMappings == [
                Topology.PortMapping(containerPort: 80),
                Topology.PortMapping(containerPort: 443, hostPort: 8443, listenAddress: "127.0.0.1", portProtocol: .tcp),
            ])
        #expect(secondary.workers.labels == ["pool": "spare"])
        #expect(t.kindConfig(of: t.clusters[2]) == primary)
    }

    /// go.yaml.in/yaml v3.0.4 `decode.go` (`case reflect.Bool`): the core booleans and, for a Go
    /// bool, YAML 1.1's words; a quoted "true" is a string and refused.
    @Test(arguments: [
        ("true", true), ("True", true), ("FALSE", false), ("yes", true), ("On", true), ("y", true), ("'yes'", true), ("no", false),
        ("OFF", false), ("n", false),
    ])
    func featureGateBooleansAsKindDecodesThem(_ text: String, _ value: Bool) throws {
        let node = try #require(try YAMLParser.parse("gate: \(text)", file: "t")?["gate"])
        #expect(TopologyDecoder.goBool(node) == value)
    }

    @Test(arguments: ["\"true\"", "1", "null", "[true]", "maybe"])
    func featureGateValuesKindRefuses(_ text: String) throws {
        let node = try #require(try YAMLParser.parse("gate: \(text)", file: "t")?["gate"])
        #expect(TopologyDecoder.goBool(node) == nil)
    }

    @Test func kindGetsTheFieldsInItsOwnNames() throws {
        let t = try PlanFixture.load(Self.spec(all: Self.all, secondary: Self.secondary)).topology
        let text = Kind.clusterConfig(workers: 2, passthrough: t.kindConfig(of: t.clusters[1]))
        #expect(
            text == """
                kind: Cluster
                apiVersion: kind.x-k8s.io/v1alpha4
                featureGates:
                  InPlacePodVerticalScaling: true
                  SidecarContainers: true
                kubeadmConfigPatches:
                - |
                  kind: ClusterConfiguration
                  apiServer: { extraArgs: { v: "4" } }
                - 'kind: InitConfiguration'
                containerdConfigPatches:
                - '[plugins]'
                nodes:
                - role: control-plane
                  labels:
                    tier: vault
                    topology.kubernetes.io/zone: b
                  extraPortMappings:
                  - containerPort: 80
                  - containerPort: 443
                    hostPort: 8443
                    listenAddress: 127.0.0.1
                    protocol: TCP
                - role: worker
                  labels:
                    pool: spare
                - role: worker
                  labels:
                    pool: spare

                """)
        // Without passthrough: exactly the config multidc always wrote.
        #expect(
            Kind.clusterConfig(workers: 1)
                == "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n")
        // And what kind reads back is what the spec says.
        let parsed = try #require(try YAMLParser.parse(text, file: "kind.yaml"))
        #expect(parsed[path: "nodes"]?.sequence?[0][path: "extraPortMappings"]?.sequence?[1]["hostPort"]?.int == 8443)
        #expect(parsed[path: "featureGates", "SidecarContainers"]?.bool == true)
    }

    // MARK: plan

    static func plan(_ loaded: LoadedTopology, _ world: World) -> Plan {
        Planner.plan(PlanInput(loaded: loaded, world: world))
    }

    @Test func aRecordedConfigEqualToTheSpecIsInSync() throws {
        let loaded = try PlanFixture.load(Self.spec(all: Self.all, secondary: Self.secondary))
        let plan = Self.plan(loaded, try WorldBuilder(loaded).converged())
        #expect(!plan.hasChanges, "\(plan.changeRows)")
    }

    @Test func addingPassthroughReplacesTheClusterAsADataLoss() throws {
        let before = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(before).converged()
        let after = try PlanFixture.load(Self.spec(secondary: "        controlPlane: { labels: { tier: vault } }\n"))
        let plan = Self.plan(after, world)
        let action = try #require(plan.action("cluster/secondary"))
        #expect(action.change == .replace)
        #expect(action.reason == "its kind config differs from the spec's kindConfig (kind reads it only when it creates a cluster)")
        #expect(action.fields == [FieldChange(path: "kindConfig.controlPlane", before: nil, after: "{labels: {tier: vault}}")])
        #expect(action.dataLoss == "cluster secondary holds a Vault node whose data is lost")
        #expect(plan.action("cluster/primary")?.change == .inSync)
        #expect(plan.action("cluster/tertiary")?.change == .inSync)
        // The new cluster gets kind's config with the label, and its record says so.
        let create = try #require(action.step as? KindClusterResource.Create)
        #expect(create.deleteFirst)
        #expect(create.passthrough.controlPlane.labels == ["tier": "vault"])
        let record = try #require(plan.action("ownership/secondary")?.step as? OwnershipResource.Record)
        #expect(record.kindConfig == #"{"controlPlane":{"labels":{"tier":"vault"}}}"#)
    }

    @Test func changedAndRemovedFieldsAreListed() throws {
        let before = try PlanFixture.load(Self.spec(all: Self.all))
        let world = try WorldBuilder(before).converged()
        let all = Self.all.replacingOccurrences(of: "tier: vault, topology.kubernetes.io/zone: a", with: "tier: raft")
            .replacingOccurrences(of: "SidecarContainers: false", with: "SidecarContainers: true")
        let plan = Self.plan(try PlanFixture.load(Self.spec(all: all)), world)
        for cluster in ["primary", "secondary", "tertiary"] {
            let action = try #require(plan.action("cluster/\(cluster)"))
            #expect(action.change == .replace)
            #expect(
                action.fields == [
                    FieldChange(path: "kindConfig.featureGates.SidecarContainers", before: "false", after: "true"),
                    FieldChange(path: "kindConfig.controlPlane.labels.tier", before: "vault", after: "raft"),
                    FieldChange(path: #"kindConfig.controlPlane.labels["topology.kubernetes.io/zone"]"#, before: "a", after: nil),
                ])
        }
    }

    @Test func aClusterWithoutTheAnnotationWasMadeWithoutPassthrough() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let plan = Self.plan(loaded, try WorldBuilder(loaded).converged())
        #expect(plan.action("cluster/primary")?.change == .inSync)
        #expect((plan.action("ownership/primary")?.step as? OwnershipResource.Record)?.kindConfig == nil)
    }

    @Test func theRecordIsAnnotatedWithTheConfigTheClusterWasMadeWith() async throws {
        let loaded = try PlanFixture.load(Self.spec(secondary: "        workers: { labels: { pool: spare } }\n"))
        let world = try WorldBuilder(loaded).converged().editing("secondary") { $0.objects.ownership = nil }
        let runner = ActionRunnerTests.happyRunner(files: ActionRunnerTests.FileLog())
        let report = try await ActionRunnerTests.performAlone("ownership/secondary", loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded)
        #expect(
            runner.calls.map(\.argv) == [
                ["kubectl", "--context", "kind-secondary", "apply", "-f", "-"],
                [
                    "kubectl", "--context", "kind-secondary", "-n", "default", "annotate", "configmap", "multidc-ownership",
                    #"multidc/kind-config={"workers":{"labels":{"pool":"spare"}}}"#, "--overwrite",
                ],
            ])
    }
}
