import Foundation
import Testing

@testable import MultiDC

@Suite("Parser: docker writes")
struct ParserDockerWriteTests {
    @Test("network create: kind's flags, the bridge's MTU, sorted labels, then the subnets")
    func networkCreate() {
        #expect(
            Docker.networkCreate("kind", ipv6Subnet: "fc00:f853:ccd:e793::/64", mtu: 1500).argv == [
                "docker", "network", "create", "-d=bridge", "-o", "com.docker.network.bridge.enable_ip_masquerade=true",
                "-o", "com.docker.network.driver.mtu=1500", "--ipv6", "--subnet", "fc00:f853:ccd:e793::/64", "kind",
            ])
        #expect(
            Docker.networkCreate("n", subnet: "172.30.0.0/16", mtu: 0, labels: ["multidc/topology": "t"]).argv == [
                "docker", "network", "create", "-d=bridge", "-o", "com.docker.network.bridge.enable_ip_masquerade=true",
                "--label", "multidc/topology=t", "--subnet", "172.30.0.0/16", "n",
            ])
        #expect(Docker.parseMTU(CommandResult(stdout: "1500\n")) == 1500)
        #expect(Docker.parseMTU(CommandResult(stdout: "\n")) == 0)
        #expect(Docker.parseMTU(CommandResult(exitCode: 1, stderr: "Error: No such network: bridge\n")) == 0)
    }

    @Test("run: the token travels in the env file; argv names only the file")
    func runKeepsTokenOffArgv() {
        let command = Docker.run(
            name: "central-vault", image: "vault:1.6.2", network: "kind", restart: "unless-stopped",
            labels: Ownership.labels(topology: "vault-raft"), envFile: "/tmp/multidc-x.env")
        #expect(
            command.argv == [
                "docker", "run", "-d", "--name", "central-vault", "--network", "kind", "--restart", "unless-stopped",
                "--label", "app.kubernetes.io/managed-by=multidc", "--label", "multidc/topology=vault-raft",
                "--env-file", "/tmp/multidc-x.env", "vault:1.6.2",
            ])
        #expect(command.environment.isEmpty)
    }

    @Test("the container's environment is read back without logging it")
    func containerEnvironment() {
        #expect(
            Docker.containerEnvironment("central-vault").argv == ["docker", "inspect", "-f", "{{json .Config.Env}}", "central-vault"])
        let result = CommandResult(stdout: "[\"PATH=/bin\",\"VAULT_DEV_ROOT_TOKEN_ID=s.T=0ken\"]\n")
        #expect(Docker.environmentValue("VAULT_DEV_ROOT_TOKEN_ID", in: result) == "s.T=0ken")
        #expect(Docker.environmentValue("MISSING", in: result) == nil)
        #expect(Docker.environmentValue("PATH", in: CommandResult(stdout: "not json")) == nil)
    }

    @Test("failure texts from both clients; removal and start argv")
    func failures() {
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
        #expect(Docker.isNotFound(missingNetwork))
        #expect(Docker.removeForce(["a", "b"]).argv == ["docker", "rm", "-f", "-v", "a", "b"])
        #expect(Docker.start(["a", "b"]).argv == ["docker", "start", "a", "b"])
        #expect(
            Docker.containerAddress("kms", network: "my-net").argv == [
                "docker", "inspect", "-f", "{{(index .NetworkSettings.Networks \"my-net\").IPAddress}}", "kms",
            ])
    }
}
