import Foundation
import Testing

@testable import MultiDC

@Suite("Parser: docker writes")
struct ParserDockerWriteTests {
    @Test("network create: kind's flags, optional pinned subnet, labels")
    func networkCreate() {
        #expect(
            Docker.networkCreate("kind", ipv6Subnet: "fc00:f853:ccd:e793::/64").argv == [
                "docker", "network", "create", "-d=bridge", "-o", "com.docker.network.bridge.enable_ip_masquerade=true",
                "-o", "com.docker.network.driver.mtu=1500", "--ipv6", "--subnet", "fc00:f853:ccd:e793::/64", "kind",
            ])
        #expect(
            Docker.networkCreate("n", subnet: "172.30.0.0/16", mtu: nil, labels: ["multidc/topology": "t"]).argv == [
                "docker", "network", "create", "-d=bridge", "-o", "com.docker.network.bridge.enable_ip_masquerade=true",
                "--subnet", "172.30.0.0/16", "--label", "multidc/topology=t", "n",
            ])
    }

    @Test("run: the token is a bare -e KEY on argv and (sensitive) in descriptions")
    func runKeepsTokenOffArgv() {
        let command = Docker.run(
            name: "central-vault", image: "vault:1.6.2", network: "kind", labels: Ownership.labels(topology: "vault-raft"),
            environment: ["VAULT_DEV_ROOT_TOKEN_ID": .sensitive("s.T0ken")])
        #expect(
            command.argv == [
                "docker", "run", "-d", "--name", "central-vault", "--network", "kind",
                "--label", "app.kubernetes.io/managed-by=multidc", "--label", "multidc/topology=vault-raft",
                "-e", "VAULT_DEV_ROOT_TOKEN_ID", "vault:1.6.2",
            ])
        #expect(!command.argv.joined(separator: " ").contains("s.T0ken"))
        #expect(!command.description.contains("s.T0ken"))
        #expect(command.environment["VAULT_DEV_ROOT_TOKEN_ID"]?.value == "s.T0ken")
    }

    @Test("failure texts from both clients")
    func failures() {
        let conflict28 = """
            docker: Error response from daemon: Conflict. The container name "/demo-c1" is already in use by container "6b0e2a4f301cc3991c0afa3aa0453a6adb3881f8e8c21c2acd279e8206733733". You have to remove (or rename) that container to be able to reuse that name.

            Run 'docker run --help' for more information

            """
        let conflict2010 = """
            docker: Error response from daemon: Conflict. The container name "/kind-control-plane" is already in use by container "9df1...". You have to remove (or rename) that container to be able to reuse that name.
            See 'docker run --help'.

            """
        #expect(Docker.isNameConflict(CommandResult(exitCode: 125, stderr: conflict28)))
        #expect(Docker.isNameConflict(CommandResult(exitCode: 125, stderr: conflict2010)))
        #expect(
            Docker.isNetworkAlreadyExists(
                CommandResult(exitCode: 1, stderr: "Error response from daemon: network with name demo-net already exists\n")))
        #expect(
            Docker.isPoolOverlap(
                CommandResult(exitCode: 1, stderr: "Error response from daemon: Pool overlaps with other one on this address space\n")))
        let missingNetwork = CommandResult(
            exitCode: 125, stdout: "fdf7be9437988fc791d2edd5c6e77e46e2b3e654f3e7825b72b40e6bde9b9b61\n",
            stderr: "docker: Error response from daemon: network nosuchnet-demo not found\n\nRun 'docker run --help' for more information\n"
        )
        #expect(Docker.containerID(from: missingNetwork) == "fdf7be9437988fc791d2edd5c6e77e46e2b3e654f3e7825b72b40e6bde9b9b61")
        #expect(Docker.isNotFound(missingNetwork))
        #expect(Docker.removeForce(["a", "b"]).argv == ["docker", "rm", "-f", "a", "b"])
        #expect(Docker.stop("a", timeoutSeconds: 1).argv == ["docker", "stop", "-t", "1", "a"])
    }
}
