import Foundation

/// `kubectl exec POD [-c C] [-i] [-t] -- CMD …`: commands run in the simulated containers.
struct Exec {
    let world: World

    func run(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(
            args,
            specs: Kubectl.global + [
                .value("container", "c"), .bool("stdin", "i"), .bool("tty", "t"), .bool("quiet", "q"), .value("filename", "f"),
                .value("pod-running-timeout"),
            ], style: .kubectl(command: "kubectl exec"))
        guard let podArg = p.positionals.first else {
            throw ToolFailure(stderr: "error: pod, type/name or --filename must be specified")
        }
        guard let command = p.afterDash, !command.isEmpty else {
            if p.positionals.count > 1 {
                throw ToolFailure(
                    stderr:
                        "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples"
                )
            }
            throw ToolFailure(stderr: "error: you must specify at least one command for the container")
        }
        let podName =
            podArg.hasPrefix("pod/") ? String(podArg.dropFirst(4)) : podArg.hasPrefix("pods/") ? String(podArg.dropFirst(5)) : podArg
        let session = try Session(world: world, flags: p)
        let stdin = p.bool("stdin") ? world.invocation.readStdin() : Data()
        return try session.withCluster(lines: 4) { state, name in
            let cluster = state.clusters[name]!
            guard let pod = cluster.get(.pod, namespace: session.namespace, name: podName) else {
                if !cluster.namespaceExists(session.namespace) {
                    throw ToolFailure(stderr: "Error from server (NotFound): namespaces \"\(session.namespace)\" not found")
                }
                throw ToolFailure(stderr: "Error from server (NotFound): pods \"\(podName)\" not found")
            }
            let containers = (pod[path: "spec", "containers"]?.array ?? []).compactMap { $0["name"]?.string }
            let out = Output()
            let container: String
            if let c = p.last("container") {
                guard containers.contains(c) else {
                    throw ToolFailure(stderr: "Error from server (BadRequest): container \(c) is not valid for pod \(podName)")
                }
                container = c
            } else {
                container = containers.first ?? ""
                if containers.count > 1 && !p.bool("quiet") {
                    out.warn("Defaulted container \"\(container)\" out of: \(containers.joined(separator: ", "))")
                }
            }
            let status = (pod[path: "status", "containerStatuses"]?.array ?? []).first { $0["name"]?.string == container }
            guard status?[path: "state", "running"] != nil else {
                throw ToolFailure(stderr: out.err + "error: unable to upgrade connection: container not found (\"\(container)\")")
            }
            let commands = ContainerCommands(world: world)
            let env = ContainerCommands.environment(pod: pod, container: container)
            let r =
                commands.run(command, stdin: Stdin(stdin), env: env, pod: pod, container: container, cluster: name, state: &state)
                ?? ContainerCommands.notFound(command[0])
            out.out += String(decoding: r.stdout, as: UTF8.self)
            out.err += r.stderr
            if r.code != 0 { out.warn("command terminated with exit code \(r.code)") }
            return out.result(r.code)
        }
    }
}

/// `kubectl logs POD [-c C] [--tail N] [-p]`: the bank-vaults container logs what the simulation did.
struct Logs {
    let world: World

    func run(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(
            args,
            specs: Kubectl.global + [
                .value("container", "c"), .value("tail"), .bool("previous", "p"), .bool("follow", "f"), .bool("timestamps"),
                .bool("all-containers"), .value("since"),
            ], style: .kubectl(command: "kubectl logs"))
        guard let podArg = p.positionals.first else {
            throw ToolFailure(
                stderr:
                    "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples"
            )
        }
        let podName = podArg.hasPrefix("pod/") ? String(podArg.dropFirst(4)) : podArg
        let session = try Session(world: world, flags: p)
        return try session.withCluster(lines: 4) { state, name in
            let c = state.clusters[name]!
            guard let pod = c.get(.pod, namespace: session.namespace, name: podName) else {
                throw ToolFailure(stderr: "Error from server (NotFound): pods \"\(podName)\" not found")
            }
            let containers = (pod[path: "spec", "containers"]?.array ?? []).compactMap { $0["name"]?.string }
            let container = p.last("container") ?? containers.first ?? ""
            guard containers.contains(container) else {
                throw ToolFailure(
                    stderr: "error: container \(container) is not valid for pod \(podName)")
            }
            var lines: [String] = []
            if container == "bank-vaults", let node = Workloads(sim: Simulation(world: world)).vaultNode(c, pod) {
                lines = node.bankVaultsLog
            }
            if let t = p.last("tail").flatMap(Int.init), t >= 0 { lines = Array(lines.suffix(t)) }
            var out = ToolResult(stdout: lines.map { $0 + "\n" }.joined())
            if containers.count > 1 && p.last("container") == nil {
                out.stderr = "Defaulted container \"\(container)\" out of: \(containers.joined(separator: ", "))\n"
            }
            return out
        }
    }
}
