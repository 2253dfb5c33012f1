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
            let r = ContainerCommands(world: world).run(command, stdin: stdin, pod: pod, container: container, cluster: name, state: &state)
            out.out += r.stdout
            out.err += r.stderr
            if r.code != 0 { out.warn("command terminated with exit code \(r.code)") }
            return out.result(r.code)
        }
    }
}

/// The programs the simulated containers have.
struct ContainerCommands {
    let world: World

    func run(_ argv: [String], stdin: Data, pod: JSON, container: String, cluster: String, state: inout WorldState) -> ToolResult {
        var argv = argv
        var env: [String: String] = [:]
        if argv.first == "env" {
            argv.removeFirst()
            while let a = argv.first, a.contains("="), !a.hasPrefix("-") {
                let kv = a.split(separator: "=", maxSplits: 1).map(String.init)
                env[kv[0]] = kv.count == 2 ? kv[1] : ""
                argv.removeFirst()
            }
        }
        guard let prog = argv.first else { return ToolResult() }
        switch prog {
        case "true": return ToolResult()
        case "false": return ToolResult(code: 1)
        case "echo": return ToolResult(stdout: argv.dropFirst().joined(separator: " ") + "\n")
        case "cat" where argv.count == 1: return ToolResult(stdout: String(decoding: stdin, as: UTF8.self))
        case "hostname": return ToolResult(stdout: (pod.name ?? "") + "\n")
        case "sh" where argv.count == 3 && argv[1] == "-c":
            let script = argv[2].trimmingCharacters(in: .whitespaces)
            if script.hasPrefix("exit "), let n = Int32(script.dropFirst(5).trimmingCharacters(in: .whitespaces)) {
                return ToolResult(code: n)
            }
            return run(
                script.split(separator: " ").map(String.init), stdin: stdin, pod: pod, container: container, cluster: cluster, state: &state
            )
        case "vault" where pod.labels["app.kubernetes.io/name"] == "vault":
            return VaultCLI(world: world).run(Array(argv.dropFirst()), pod: pod, cluster: cluster, state: &state)
        default:
            // containerd's error for a missing binary, as kubectl prints it.
            return ToolResult(
                stderr:
                    "OCI runtime exec failed: exec failed: unable to start container process: exec: \"\(prog)\": executable file not found in $PATH: unknown\n",
                code: 126)
        }
    }
}
