import Foundation
import Testing

@testable import MultiDC

@Suite("Parser: docker")
struct ParserDockerTests {
    @Test("network inspect: kind-style network, IPv6 entry without Gateway")
    func networkInspectDemo() throws {
        let network = try #require(try Docker.parseNetworkInspect(CommandResult(stdout: Fixture.networkInspectDemo)))
        #expect(network.name == "demo-net")
        #expect(network.id == "603aa521bd5cce0afee1ba2697e94fe85620ab8be8793e9aa96c1cc72842290b")
        #expect(network.driver == "bridge")
        #expect(network.ipv4Subnet == "172.19.0.0/16")
        #expect(network.ipv4Gateway == "172.19.0.1")
        #expect(network.ipv6Subnet == "fc00:aaaa:bbbb:cccc::/64")
        #expect(network.ipv6Gateway == nil)
        #expect(network.enableIPv6)
        #expect(network.options == ["com.docker.network.bridge.enable_ip_masquerade": "true", "com.docker.network.driver.mtu": "1500"])
        #expect(network.labels.isEmpty)
        #expect(network.containers.isEmpty)
    }

    @Test("network inspect: IPAM order does not matter; containers carry /prefix")
    func networkInspectIPv6First() throws {
        let network = try #require(try Docker.parseNetworkInspect(CommandResult(stdout: Fixture.networkInspectIPv6First)))
        #expect(network.ipv4Subnet == "172.18.0.0/16")
        #expect(network.ipv4Gateway == "172.18.0.1")
        #expect(network.ipv6Subnet == "fc00:f853:ccd:e793::/64")
        #expect(network.labels == ["multidc/topology": "vault-raft"])
        let attachment = try #require(network.containers.first)
        #expect(network.containers.count == 1)
        #expect(attachment.name == "demo-c1")
        #expect(attachment.containerID == "6b0e2a4f301cc3991c0afa3aa0453a6adb3881f8e8c21c2acd279e8206733733")
        #expect(attachment.ipv4Address == "172.19.0.2")
        #expect(attachment.ipv4PrefixLength == 16)
        #expect(attachment.ipv6Address == "fc00:aaaa:bbbb:cccc::2")
        #expect(network.attachment(for: "6b0e2a4f301c")?.name == "demo-c1")
        #expect(network.attachment(for: "demo-c1")?.ipv4Address == "172.19.0.2")
    }

    @Test("network inspect: IPv6 gateway on newer daemons; IPv4-only network with null options")
    func networkInspectVariants() throws {
        let withGateway = try #require(try Docker.parseNetworkInspect(CommandResult(stdout: Fixture.networkInspectIPv6Gateway)))
        #expect(withGateway.ipv6Gateway == "fc00:f853:ccd:e793::1")
        #expect(withGateway.ipv4Gateway == "172.18.0.1")
        let v4 = try #require(try Docker.parseNetworkInspect(CommandResult(stdout: Fixture.networkInspectIPv4Only)))
        #expect(v4.ipv4Subnet == "172.18.0.0/16")
        #expect(v4.ipv6Subnet == nil)
        #expect(!v4.enableIPv6)
    }

    @Test(
        "network inspect: missing network is absent for both client versions",
        arguments: [
            Fixture.networkMissing28, Fixture.networkMissing2010,
        ])
    func networkMissing(stderr: String) throws {
        #expect(try Docker.parseNetworkInspect(CommandResult(exitCode: 1, stdout: "[]\n", stderr: stderr)) == nil)
    }

    @Test("network inspect: other failures and bad JSON throw with the tool's message")
    func networkInspectFailure() {
        #expect(throws: ToolOutputError(tool: "docker network inspect", message: "Error response from daemon: boom")) {
            try Docker.parseNetworkInspect(CommandResult(exitCode: 1, stderr: "Error response from daemon: boom\n"))
        }
        #expect(throws: ToolOutputError.self) { try Docker.parseNetworkInspect(CommandResult(stdout: "{not json")) }
    }

    @Test("ps: JSON Lines from the 28 client (Platform null)")
    func ps28() throws {
        let containers = try Docker.parseContainerList(CommandResult(stdout: Fixture.ps28))
        #expect(containers.map(\.name) == ["demo-c1", "demo-e"])
        let node = containers[0]
        #expect(node.id == "6b0e2a4f301c")
        #expect(node.image == "local/busybox:1")
        #expect(node.state == .running)
        #expect(node.isRunning)
        #expect(node.status == "Up 2 seconds")
        #expect(node.labels == ["io.x-k8s.kind.cluster": "demo", "io.x-k8s.kind.role": "control-plane"])
        #expect(node.networks == ["demo-net"])
        #expect(containers[1].state == .exited)
        #expect(containers[1].labels.isEmpty)
    }

    @Test("ps: the 20.10 client (no Platform, labels in another order) reads the same")
    func ps2010() throws {
        let old = try Docker.parseContainerList(CommandResult(stdout: Fixture.ps2010))
        let new = try Docker.parseContainerList(CommandResult(stdout: Fixture.ps28))
        #expect(old == [new[0]])
    }

    @Test("ps: nothing matched is empty stdout")
    func psEmpty() throws {
        #expect(try Docker.parseContainerList(CommandResult(stdout: "")).isEmpty)
    }

    @Test(
        "labels: split on ',' then on the first '='",
        arguments: [
            ("", [String: String]()),
            ("a=1", ["a": "1"]),
            ("a=1,b=2", ["a": "1", "b": "2"]),
            ("a=x=y,b=", ["a": "x=y", "b": ""]),
            ("note=one,two,b=2", ["note": "one,two", "b": "2"]),
        ])
    func labels(text: String, expected: [String: String]) {
        #expect(Docker.parseLabels(text) == expected)
    }

    @Test(
        "container states",
        arguments: [
            ("created", ContainerState.created), ("running", .running), ("exited", .exited), ("paused", .paused),
            ("restarting", .restarting), ("weird", .other("weird")),
        ])
    func states(text: String, state: ContainerState) {
        #expect(ContainerState(text) == state)
        #expect(state.description == text)
    }

    @Test("engine unreachable and not-found detection")
    func failures() {
        let down = CommandResult(exitCode: 1, stderr: Fixture.dockerDaemonDown)
        #expect(Docker.engineUnreachableMessage(down) == Fixture.dockerDaemonDown.trimmingCharacters(in: .newlines))
        #expect(Docker.engineUnreachableMessage(CommandResult(exitCode: 1, stderr: Fixture.networkMissing28)) == nil)
        for text in [
            "Error: No such container: missing", "Error response from daemon: No such container: missing",
            "Error: No such object: nosuch-demo", Fixture.networkMissing28, Fixture.networkMissing2010,
        ] {
            #expect(Docker.isNotFound(CommandResult(exitCode: 1, stderr: text)), "\(text)")
        }
        #expect(
            !Docker.isNotFound(CommandResult(exitCode: 1, stderr: "Error response from daemon: network with name demo-net already exists")))
    }

    @Test("argv is exactly the reference's")
    func argv() {
        #expect(Docker.networkInspect("kind").argv == ["docker", "network", "inspect", "kind"])
        #expect(Docker.listContainers().argv == ["docker", "ps", "-a", "--no-trunc", "--format", "{{json .}}"])
        #expect(
            Docker.listContainers(filters: ["label=io.x-k8s.kind.cluster"]).argv
                == ["docker", "ps", "-a", "--no-trunc", "--filter", "label=io.x-k8s.kind.cluster", "--format", "{{json .}}"])
    }
}
