import Foundation
import Testing

@testable import FakeWorld

/// kind's `--config` decoded, defaulted and validated as kind v0.32.0 does it (go.yaml.in/yaml v3
/// with KnownFields, `Cluster.Validate`, the docker provider's port mappings), without an engine.
@Suite struct KindConfigDecodingTests {
    static let head = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n"

    static func error(_ text: String) -> String? {
        do {
            _ = try KindConfig.parse(text, source: "STDIN")
            return nil
        } catch {
            return error.stderr
        }
    }

    /// kind's own testdata: pkg/internal/apis/config/encoding/testdata/v1alpha4/invalid-bogus-field.yaml (v0.32.0).
    @Test func anUnknownFieldIsAnErrorWithItsLineAndType() {
        let bogus = """
            kind: Cluster
            apiVersion: kind.x-k8s.io/v1alpha4
            networking:
              ipFamily: ipv6
            nodes:
            - role: control-plane
            - role: worker
              extraMounts:
              - containerPath: /foo
                hostPath: /bar
                readOnly: true
                selinuxRelabel: false
                propagation: Bidirectional
              extraPortMappings:
              - containerPort: 8080
                hostPort: 8080
                protocol: UDP
                nOtAReaLFielD: bar
            """
        #expect(
            Self.error(bogus)
                == "ERROR: failed to create cluster: unable to decode config: yaml: unmarshal errors:\n  line 18: field nOtAReaLFielD not found in type v1alpha4.PortMapping"
        )
        // Every problem at once, in document order, at every level.
        let several = Self.head + "nodez: []\nnodes:\n- role: worker\n  labelz: {}\nnetworking: { ipFamly: ipv4 }\n"
        #expect(
            Self.error(several)
                == """
                ERROR: failed to create cluster: unable to decode config: yaml: unmarshal errors:
                  line 3: field nodez not found in type v1alpha4.Cluster
                  line 6: field labelz not found in type v1alpha4.Node
                  line 7: field ipFamly not found in type v1alpha4.Networking
                """)
    }

    /// go-yaml v3.0.4 decode.go `terror`: the short tag, the value (7 bytes and `...` past 10), the Go type.
    @Test func typeErrorsAreGoYAMLs() {
        let text =
            Self.head
                + """
                featureGates: { A: "true", B: yes, C: 1 }
                nodes:
                - role: control-plane
                  labels: [a]
                  extraPortMappings:
                  - { containerPort: "80", hostPort: 99999999999 }
                  - { containerPort: abcdefghijkl }
                  - containerPort: 80.9
                """
        #expect(
            Self.error(text)
                == """
                ERROR: failed to create cluster: unable to decode config: yaml: unmarshal errors:
                  line 3: cannot unmarshal !!str `true` into bool
                  line 3: cannot unmarshal !!int `1` into bool
                  line 6: cannot unmarshal !!seq into map[string]string
                  line 8: cannot unmarshal !!str `80` into int32
                  line 8: cannot unmarshal !!int `9999999...` into int32
                  line 9: cannot unmarshal !!str `abcdefg...` into int32
                """)
        // Strings take any scalar's text, a null leaves the zero value, a float is truncated.
        let lax =
            Self.head
            + "featureGates: { A: on, B: N, C: }\nnodes:\n- role: control-plane\n  labels: { a: 1, b: true, c: }\n  extraPortMappings: [ { containerPort: 80.9 } ]\n"
        let config = try? KindConfig.parse(lax, source: "STDIN")
        #expect(config?.passthrough["featureGates"] == .object(["A": .bool(true), "B": .bool(false), "C": .bool(false)]))
        #expect(config?.nodes.first?.labels == ["a": "1", "b": "true", "c": ""])
        #expect(config?.nodes.first?.extraPortMappings.first?.containerPort == 80)
    }

    /// load.go Parse: apiVersion first, then kind (no quotes), from a lax first pass.
    @Test func versionAndKindComeFirst() {
        #expect(
            Self.error("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha3\n")
                == "ERROR: failed to create cluster: unknown apiVersion: kind.x-k8s.io/v1alpha3")
        #expect(
            Self.error("kind: Clusterr\napiVersion: kind.x-k8s.io/v1alpha4\nbogus: 1\n")
                == "ERROR: failed to create cluster: unknown kind Clusterr for apiVersion: kind.x-k8s.io/v1alpha4")
        #expect(Self.error("") == "ERROR: failed to create cluster: unknown apiVersion: ")
        #expect(
            Self.error("- a\n")
                == "ERROR: failed to create cluster: could not determine kind / apiVersion for config: yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into encoding.typeMeta"
        )
    }

    /// validate.go `Validate`: roles, ports -1…65535, one binding per address/port/protocol on a node,
    /// aggregated as `[a, b]` (pkg/errors/aggregate_forked.go).
    @Test func validationIsKinds() throws {
        func problem(_ nodes: String, name: String = "ok") throws -> String? {
            try KindConfig.parse(Self.head + "nodes:\n" + nodes, source: "STDIN").validationError(name: name)
        }
        #expect(try problem("- role: control-plane\n") == nil)
        #expect(
            try problem("- role: control-plane\n  extraPortMappings: [ { containerPort: 80, hostPort: 70000 } ]\n")
                == "invalid configuration for node 0: invalid hostPort: invalid port number: 70000")
        #expect(
            try problem(
                "- role: control-plane\n  extraPortMappings:\n  - { containerPort: 80, hostPort: 8080, listenAddress: 127.0.0.1 }\n  - { containerPort: 81, hostPort: 8080 }\n"
            )
                == "invalid configuration for node 0: invalid portMapping: port mapping with same listen address, port and protocol already configured: 0.0.0.0:8080/"
        )
        // The protocol as written: "" and "TCP" are different keys to kind; random ports never clash.
        #expect(
            try problem(
                "- role: control-plane\n  extraPortMappings:\n  - { containerPort: 80, hostPort: 8080 }\n  - { containerPort: 81, hostPort: 8080, protocol: TCP }\n  - { containerPort: 82 }\n  - { containerPort: 83 }\n"
            ) == nil)
        #expect(
            try problem("- role: master\n- role: worker\n", name: "Bad")
                == "['Bad' is not a valid cluster name, cluster names must match `^[a-z0-9.-]+$`, invalid configuration for node 0: \"master\" is not a valid node role, must have at least one control-plane node]"
        )
    }

    /// provision.go generatePortMappings: defaults, kind's pick for hostPort 0, docker's for -1, the protocol as written.
    @Test func publishArguments() throws {
        let config = try KindConfig.parse(
            Self.head
                + "nodes:\n- role: control-plane\n  extraPortMappings:\n  - { containerPort: 80, hostPort: 8080 }\n  - { containerPort: 53, hostPort: -1, protocol: UDP, listenAddress: \"::1\" }\n  - { containerPort: 443, listenAddress: 127.0.0.1 }\n",
            source: "STDIN")
        let args = try config.publishArguments(config.nodes[0]).get()
        #expect(args[0] == "--publish=0.0.0.0:8080:80/TCP")
        #expect(args[1] == "--publish=[::1]:0:53/UDP")
        #expect(args[2].hasPrefix("--publish=127.0.0.1:") && args[2].hasSuffix(":443/TCP") && !args[2].contains(":0:"))
        let lower = try KindConfig.parse(
            Self.head + "nodes:\n- role: control-plane\n  extraPortMappings: [ { containerPort: 80, protocol: tcp } ]\n", source: "STDIN")
        #expect(throws: ToolFailure.self) { try lower.publishArguments(lower.nodes[0]).get() }
        if case .failure(let f) = lower.publishArguments(lower.nodes[0]) { #expect(f.stderr == "unknown port mapping protocol: tcp") }
    }
}

/// The config's observable effects on the real engine: node labels on the Node objects, extra
/// port mappings published by docker (a taken host port fails as docker fails it), and kind's
/// own refusals before any node exists.
@Suite(.needsDocker, .serialized) struct KindConfigWorldTests {
    @Test func labelsAndPortMappingsReachTheNodes() throws {
        try Engine.requireEngine()
        #expect(Engine.images)
        let w = try TestWorld()
        defer { w.cleanup() }
        w.useNetwork()
        let name = w.cluster("l")
        let config = """
            kind: Cluster
            apiVersion: kind.x-k8s.io/v1alpha4
            featureGates: { InPlacePodVerticalScaling: true }
            kubeadmConfigPatches:
            - |
              kind: ClusterConfiguration
            nodes:
            - role: control-plane
              labels: { tier: vault, topology.kubernetes.io/zone: a }
              extraPortMappings:
              - { containerPort: 80, listenAddress: 127.0.0.1 }
            - role: worker
              labels: { pool: spare }
            """
        w.onCleanup { [env = w.env, bin = w.bin] in
            _ = TestWorld.exec(bin.appendingPathComponent("kind").path, ["delete", "cluster", "--name", name], env: env)
        }
        let r = w.run("kind", ["create", "cluster", "--name", name, "--config", "-"], stdin: config)
        #expect(r.code == 0, "\(r)")
        let cp = w.kubectl("--context", "kind-\(name)", "get", "node", "\(name)-control-plane", "-o", "jsonpath={.metadata.labels}")
        #expect(cp.stdout.contains("\"tier\":\"vault\""), "\(cp)")
        #expect(cp.stdout.contains("\"topology.kubernetes.io/zone\":\"a\""), "\(cp)")
        #expect(cp.stdout.contains("\"node-role.kubernetes.io/control-plane\":\"\""), "\(cp)")
        let worker = w.kubectl("--context", "kind-\(name)", "get", "node", "\(name)-worker", "-o", "jsonpath={.metadata.labels.pool}")
        #expect(worker.stdout == "spare", "\(worker)")
        // hostPort 0: kind picked a free port on 127.0.0.1; docker publishes it next to the API server's.
        let ports = w.docker("port", "\(name)-control-plane")
        #expect(ports.stdout.contains("80/tcp -> 127.0.0.1:"), "\(ports)")
        #expect(ports.stdout.contains("6443/tcp -> 127.0.0.1:"), "\(ports)")
        // What kind was handed, for the test world's readers.
        let state = w.run("fakeworld", ["state"])
        #expect(state.stdout.contains("InPlacePodVerticalScaling"), "\(state)")
    }

    @Test func aTakenHostPortFailsTheCreateAsDockerDoes() throws {
        try Engine.requireEngine()
        #expect(Engine.images)
        let w = try TestWorld()
        defer { w.cleanup() }
        w.useNetwork()
        guard let port = freeLocalPort() else { Issue.record("no free port"); return }
        let config = """
            kind: Cluster
            apiVersion: kind.x-k8s.io/v1alpha4
            nodes:
            - role: control-plane
              extraPortMappings: [ { containerPort: 80, hostPort: \(port), listenAddress: 127.0.0.1 } ]
            """
        let first = w.cluster("p")
        w.onCleanup { [env = w.env, bin = w.bin] in
            _ = TestWorld.exec(bin.appendingPathComponent("kind").path, ["delete", "cluster", "--name", first], env: env)
        }
        #expect(w.run("kind", ["create", "cluster", "--name", first, "--config", "-"], stdin: config).code == 0)
        let second = w.cluster("q")
        w.onCleanup { [env = w.env, bin = w.bin] in
            _ = TestWorld.exec(bin.appendingPathComponent("kind").path, ["delete", "cluster", "--name", second], env: env)
        }
        let r = w.run("kind", ["create", "cluster", "--name", second, "--config", "-"], stdin: config)
        #expect(r.code == 1)
        #expect(r.stderr.contains(" ✗ Preparing nodes 📦 \n"), "\(r)")
        #expect(r.stderr.contains("ERROR: failed to create cluster: command \"docker run --name \(second)-control-plane"), "\(r)")
        #expect(r.stderr.contains("port is already allocated") || r.stderr.contains("address already in use"), "\(r)")
        #expect(w.docker("ps", "-a", "--filter", "label=io.x-k8s.kind.cluster=\(second)", "-q").stdout == "")
    }

    @Test func kindsRefusalsComeBeforeAnyNode() throws {
        try Engine.requireEngine()
        #expect(Engine.images)
        let w = try TestWorld()
        defer { w.cleanup() }
        w.useNetwork()
        let name = w.cluster("r")
        let head = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n"
        let bogus = w.run(
            "kind", ["create", "cluster", "--name", name, "--config", "-"],
            stdin: head + "  extraPortMappings: [ { containerPort: 80, nOtAReaLFielD: 1 } ]\n")
        #expect(
            bogus.stderr
                == "ERROR: failed to create cluster: unable to decode config: yaml: unmarshal errors:\n  line 5: field nOtAReaLFielD not found in type v1alpha4.PortMapping\n"
        )
        let range = w.run(
            "kind", ["create", "cluster", "--name", name, "--config", "-"],
            stdin: head + "  extraPortMappings: [ { containerPort: 80, hostPort: 70000 } ]\n")
        #expect(
            range.stderr
                == "ERROR: failed to create cluster: invalid configuration for node 0: invalid hostPort: invalid port number: 70000\n")
        // An unknown protocol is found while the nodes are made: they are removed again.
        w.onCleanup { [env = w.env, bin = w.bin] in
            _ = TestWorld.exec(bin.appendingPathComponent("kind").path, ["delete", "cluster", "--name", name], env: env)
        }
        let proto = w.run(
            "kind", ["create", "cluster", "--name", name, "--config", "-"],
            stdin: head + "  extraPortMappings: [ { containerPort: 80, protocol: tcp } ]\n")
        #expect(proto.code == 1)
        #expect(
            proto.stderr.hasSuffix(" ✗ Preparing nodes 📦 \nERROR: failed to create cluster: unknown port mapping protocol: tcp\n"),
            "\(proto)")
        #expect(w.docker("ps", "-a", "--filter", "label=io.x-k8s.kind.cluster=\(name)", "-q").stdout == "")
    }
}
