import Foundation

/// argv builders and failure texts for the docker commands that change the world
/// (docs/tools.md#kind-network, #docker-run, #docker-lifecycle). Reads and their parsers live in `Docker.swift`.
extension Docker {
    /// `docker network create -d=bridge -o …masquerade=true [-o …mtu=M] [--label k=v]…
    /// [--ipv6 --subnet ULA] [--subnet S] NAME`, the way kind creates its network
    /// (kubernetes-sigs/kind `pkg/cluster/internal/providers/docker/network.go`); labels sorted.
    package static func networkCreate(
        _ name: String, subnet: String? = nil, ipv6Subnet: String? = nil, mtu: Int? = nil, labels: [String: String] = [:]
    ) -> Command {
        var args = ["network", "create", "-d=bridge", "-o", "com.docker.network.bridge.enable_ip_masquerade=true"]
        if let mtu, mtu > 0 { args += ["-o", "com.docker.network.driver.mtu=\(mtu)"] }
        for key in labels.keys.sorted() { args += ["--label", "\(key)=\(labels[key]!)"] }
        if let ipv6Subnet { args += ["--ipv6", "--subnet", ipv6Subnet] }
        if let subnet { args += ["--subnet", subnet] }
        return Command(executable, args + [name])
    }

    /// `docker network inspect bridge -f '{{ index .Options "com.docker.network.driver.mtu" }}'`:
    /// the default bridge's MTU, which kind copies onto its network (empty or 0: none).
    package static func bridgeMTU() -> Command {
        Command(executable, ["network", "inspect", "bridge", "-f", "{{ index .Options \"com.docker.network.driver.mtu\" }}"])
    }

    /// The MTU printed by `bridgeMTU()`; 0 when none is set.
    package static func parseMTU(_ result: CommandResult) -> Int {
        result.isSuccess ? Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 : 0
    }

    /// `docker network rm NAME`.
    package static func networkRemove(_ name: String) -> Command { Command(executable, ["network", "rm", name]) }

    /// `docker run -d --name N --network NET --restart P --label k=v… --env-file F IMAGE`.
    /// Secrets travel in the 0600 env file, never on argv; labels sorted.
    package static func run(
        name: String, image: String, network: String, restart: String, labels: [String: String], envFile: String
    ) -> Command {
        var args = ["run", "-d", "--name", name, "--network", network, "--restart", restart]
        for key in labels.keys.sorted() { args += ["--label", "\(key)=\(labels[key]!)"] }
        return Command(executable, args + ["--env-file", envFile, image])
    }

    /// `docker image inspect --format {{.Id}} IMAGE`: the image's ID on this host (exit 1 with
    /// `No such image` when the host lacks it; docs/tools.md#docker-images).
    package static func imageID(_ image: String) -> Command {
        Command(executable, ["image", "inspect", "--format", "{{.Id}}", image])
    }

    /// `docker image save --platform P -o FILE IMAGE…`: one platform's content only (Docker 28+,
    /// API 1.48; older daemons refuse the flag; docs/tools.md#kind-load).
    package static func saveImages(_ images: [String], platform: String, output: String) -> Command {
        Command(executable, ["image", "save", "--platform", platform, "-o", output] + images)
    }

    /// `docker pull --quiet IMAGE` (the reference alone on stdout when done).
    package static func pull(_ image: String) -> Command { Command(executable, ["pull", "--quiet", image]) }

    /// `docker start NAME…`.
    package static func start(_ names: [String]) -> Command { Command(executable, ["start"] + names) }

    /// `docker unpause NAME…`.
    /// `docker restart NAME…` (stop, then start: a new network endpoint, an empty dev-mode Vault).
    package static func restart(_ names: [String]) -> Command { Command(executable, ["restart"] + names) }

    package static func unpause(_ names: [String]) -> Command { Command(executable, ["unpause"] + names) }

    /// `docker rm -f -v NAME…`: the containers and their anonymous volumes (exit 0 even when a
    /// container is missing).
    package static func removeForce(_ names: [String]) -> Command { Command(executable, ["rm", "-f", "-v"] + names) }

    /// `docker inspect -f '{{(index .NetworkSettings.Networks "NET").IPAddress}}' NAME`: a
    /// container's IPv4 address on a network, in the index form (network names may hold '-');
    /// empty when it is not attached.
    package static func containerAddress(_ name: String, network: String) -> Command {
        Command(executable, ["inspect", "-f", "{{(index .NetworkSettings.Networks \"\(network)\").IPAddress}}", name])
    }

    /// `docker inspect -f '{{json .Config.Env}}' NAME`: the container's environment. Its output
    /// holds secrets: never log it.
    package static func containerEnvironment(_ name: String) -> Command {
        Command(executable, ["inspect", "-f", "{{json .Config.Env}}", name])
    }

    /// One variable of `containerEnvironment`'s JSON array; nil when absent.
    package static func environmentValue(_ variable: String, in result: CommandResult) -> String? {
        let env = (try? JSONSerialization.jsonObject(with: Data(result.standardOutput))) as? [String] ?? []
        return env.first { $0.hasPrefix(variable + "=") }.map { String($0.dropFirst(variable.count + 1)) }
    }

    /// `docker network create` failed because the network exists.
    package static func isNetworkAlreadyExists(_ result: CommandResult) -> Bool {
        !result.isSuccess && result.stderr.contains("Error response from daemon: network with name")
            && result.stderr.contains("already exists")
    }

    /// `docker network create` failed because the subnet overlaps another network.
    package static func isPoolOverlap(_ result: CommandResult) -> Bool {
        !result.isSuccess
            && (result.stderr.contains("Pool overlaps with other one on this address space")
                || result.stderr.contains("networks have overlapping"))
    }
}
