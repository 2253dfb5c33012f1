import Foundation

/// argv builders and failure texts for the docker commands that change the world
/// (reference §1.7, §2.2, §2.5). Reads and their parsers live in `Docker.swift`.
extension Docker {
    /// `docker network create -d=bridge -o …masquerade=true -o …mtu=M [--ipv6 --subnet ULA]
    /// [--subnet S [--gateway G]] [--label k=v]… NAME`, the way kind creates its network.
    public static func networkCreate(
        _ name: String, subnet: String? = nil, gateway: String? = nil, ipv6Subnet: String? = nil, mtu: Int? = 1500,
        labels: [String: String] = [:]
    ) -> Command {
        var args = ["network", "create", "-d=bridge", "-o", "com.docker.network.bridge.enable_ip_masquerade=true"]
        if let mtu, mtu > 0 { args += ["-o", "com.docker.network.driver.mtu=\(mtu)"] }
        if let ipv6Subnet { args += ["--ipv6", "--subnet", ipv6Subnet] }
        if let subnet { args += ["--subnet", subnet] }
        if let gateway { args += ["--gateway", gateway] }
        for key in labels.keys.sorted() { args += ["--label", "\(key)=\(labels[key]!)"] }
        return Command(executable, args + [name])
    }

    /// `docker network rm NAME`.
    public static func networkRemove(_ name: String) -> Command { Command(executable, ["network", "rm", name]) }

    /// `docker run -d --name N --network NET [--ip IP] [--restart P] --label k=v… -e K… IMAGE ARGS…`.
    ///
    /// Environment values never go on argv: each variable is passed as a bare `-e KEY`, which
    /// makes docker copy it from its own environment, where the runner puts it (sensitive
    /// values marked, so descriptions print `(sensitive)`).
    public static func run(
        name: String, image: String, network: String? = nil, ipv4Address: String? = nil, labels: [String: String] = [:],
        environment: [String: Command.EnvironmentValue] = [:], restart: String? = nil, arguments: [String] = []
    ) -> Command {
        var args = ["run", "-d", "--name", name]
        if let network { args += ["--network", network] }
        if let ipv4Address { args += ["--ip", ipv4Address] }
        if let restart { args += ["--restart", restart] }
        for key in labels.keys.sorted() { args += ["--label", "\(key)=\(labels[key]!)"] }
        for key in environment.keys.sorted() { args += ["-e", key] }
        return Command(executable, args + [image] + arguments, environment: environment)
    }

    /// `docker start NAME`.
    public static func start(_ name: String) -> Command { Command(executable, ["start", name]) }

    /// `docker stop -t SECONDS NAME`.
    public static func stop(_ name: String, timeoutSeconds: Int = 10) -> Command {
        Command(executable, ["stop", "-t", String(timeoutSeconds), name])
    }

    /// `docker rm -f NAME…` (exit 0 even when a container is missing).
    public static func removeForce(_ names: [String]) -> Command { Command(executable, ["rm", "-f"] + names) }

    /// `docker run` failed because the name is taken (`Conflict. The container name "/N" is already in use`).
    public static func isNameConflict(_ result: CommandResult) -> Bool {
        !result.isSuccess && result.stderr.contains("Conflict. The container name")
    }

    /// `docker network create` failed because the network exists.
    public static func isNetworkAlreadyExists(_ result: CommandResult) -> Bool {
        !result.isSuccess && result.stderr.contains("Error response from daemon: network with name")
            && result.stderr.contains("already exists")
    }

    /// `docker network create` failed because the subnet overlaps another network.
    public static func isPoolOverlap(_ result: CommandResult) -> Bool {
        !result.isSuccess
            && (result.stderr.contains("Pool overlaps with other one on this address space")
                || result.stderr.contains("networks have overlapping"))
    }

    /// The container id printed by `docker run -d` (the last non-empty stdout line: a run that
    /// failed after creating the container still prints it).
    public static func containerID(from result: CommandResult) -> String? {
        result.stdout.split(whereSeparator: \.isNewline).last.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap {
            $0.isEmpty ? nil : $0
        }
    }
}
