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

/// The programs the simulated containers have. Images such as hashicorp/vault (alpine) have a
/// POSIX sh; the world's sh understands what a caller needs to pass a secret on stdin:
/// `sh -c 'VAULT_TOKEN=$(cat) vault …'`, `export V=…; cmd`, `a && b`, quotes, `$V`/`${V}`, `exit N`.
struct ContainerCommands {
    let world: World

    func run(
        _ argv: [String], stdin: Data, pod: JSON, container: String, cluster: String, state: inout WorldState,
        env inherited: [String: String] = [:]
    ) -> ToolResult {
        var argv = argv
        var env = inherited
        if env.isEmpty {
            // The container's environment as the pod spec sets it (literal values).
            let ct = (pod[path: "spec", "containers"]?.array ?? []).first { $0["name"]?.string == container }
            for e in ct?["env"]?.array ?? [] {
                if let n = e["name"]?.string, let v = e["value"]?.string { env[n] = v }
            }
            env["HOSTNAME"] = pod.name ?? ""
        }
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
        case "sh",
            "/bin/sh" where argv.count >= 3 && argv[1] == "-c":
            return Shell(commands: self, stdin: stdin, pod: pod, container: container, cluster: cluster)
                .run(argv[2], env: env, state: &state)
        case "vault" where pod.labels["app.kubernetes.io/name"] == "vault" && container == "vault":
            return VaultCLI(world: world).run(
                Array(argv.dropFirst()), env: env, pod: pod, container: container, cluster: cluster, state: &state)
        default:
            // containerd's error for a missing binary, as kubectl prints it.
            return ToolResult(
                stderr:
                    "OCI runtime exec failed: exec failed: unable to start container process: exec: \"\(prog)\": executable file not found in $PATH: unknown\n",
                code: 126)
        }
    }
}

/// A small POSIX sh subset for `sh -c SCRIPT`.
struct Shell {
    let commands: ContainerCommands
    let stdin: Data
    let pod: JSON
    let container: String
    let cluster: String

    enum Token: Equatable { case word(String), semicolon, and }

    /// Splits the script into words (quotes removed, `$(cat)` and `$VAR` expanded) and operators.
    func tokens(_ script: String, env: [String: String], stdinUsed: inout Bool) -> [Token]? {
        var out: [Token] = []
        var cur = ""
        var inWord = false
        var chars = Array(script)[...]
        func flush() {
            if inWord { out.append(.word(cur)) }
            cur = ""
            inWord = false
        }
        func expand(_ chars: inout ArraySlice<Character>) -> String? {
            // After "$": (cat) | {NAME} | NAME
            if chars.first == "(" {
                guard let close = chars.firstIndex(of: ")") else { return nil }
                let inner = String(chars[chars.index(after: chars.startIndex)..<close]).trimmingCharacters(in: .whitespaces)
                chars = chars[chars.index(after: close)...]
                guard inner == "cat" else { return nil }
                stdinUsed = true
                var v = String(decoding: stdin, as: UTF8.self)
                while v.hasSuffix("\n") { v.removeLast() }
                return v
            }
            if chars.first == "{" {
                guard let close = chars.firstIndex(of: "}") else { return nil }
                let name = String(chars[chars.index(after: chars.startIndex)..<close])
                chars = chars[chars.index(after: close)...]
                return env[name] ?? ""
            }
            var name = ""
            while let c = chars.first, c.isLetter || c.isNumber || c == "_" {
                name.append(c)
                chars = chars.dropFirst()
            }
            return name.isEmpty ? "$" : env[name] ?? ""
        }
        while let c = chars.first {
            chars = chars.dropFirst()
            switch c {
            case " ", "\t", "\n":
                flush()
            case ";":
                flush()
                out.append(.semicolon)
            case "&" where chars.first == "&":
                chars = chars.dropFirst()
                flush()
                out.append(.and)
            case "'":
                inWord = true
                guard let close = chars.firstIndex(of: "'") else { return nil }
                cur += String(chars[..<close])
                chars = chars[chars.index(after: close)...]
            case "\"":
                inWord = true
                while let d = chars.first, d != "\"" {
                    chars = chars.dropFirst()
                    if d == "$" {
                        guard let v = expand(&chars) else { return nil }
                        cur += v
                    } else if d == "\\", let n = chars.first {
                        cur.append(n)
                        chars = chars.dropFirst()
                    } else {
                        cur.append(d)
                    }
                }
                guard chars.first == "\"" else { return nil }
                chars = chars.dropFirst()
            case "$":
                inWord = true
                guard let v = expand(&chars) else { return nil }
                cur += v
            default:
                inWord = true
                cur.append(c)
            }
        }
        flush()
        return out
    }

    func run(_ script: String, env initial: [String: String], state: inout WorldState) -> ToolResult {
        var stdinUsed = false
        guard let toks = tokens(script, env: initial, stdinUsed: &stdinUsed) else {
            return ToolResult(stderr: "sh: syntax error: unsupported construct in the world's sh\n", code: 2)
        }
        // Split into simple commands joined by ; or &&.
        var env = initial
        var result = ToolResult()
        var words: [String] = []
        var pending: [(words: [String], then: Token?)] = []
        for t in toks {
            if case .word(let w) = t {
                words.append(w)
            } else {
                pending.append((words, t))
                words = []
            }
        }
        pending.append((words, nil))
        var skip = false
        for (cmd, op) in pending {
            defer { if op == .and { skip = result.code != 0 } else { skip = false } }
            if skip || cmd.isEmpty { continue }
            var w = cmd
            var local = env
            var exported = false
            if w.first == "export" {
                exported = true
                w.removeFirst()
            }
            while let a = w.first, let eq = a.firstIndex(of: "="), !a.hasPrefix("="),
                a[..<eq].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
            {
                local[String(a[..<eq])] = String(a[a.index(after: eq)...])
                w.removeFirst()
            }
            if w.isEmpty || exported {
                env = local  // plain assignments (and export) change the shell's environment
                result = ToolResult(stdout: result.stdout, stderr: result.stderr)
                continue
            }
            if w.first == "exit" {
                let n = w.count > 1 ? Int32(w[1]) ?? 2 : result.code
                return ToolResult(stdout: result.stdout, stderr: result.stderr, code: n)
            }
            let r = commands.run(
                w, stdin: stdinUsed ? Data() : stdin, pod: pod, container: container, cluster: cluster, state: &state, env: local)
            result = ToolResult(stdout: result.stdout + r.stdout, stderr: result.stderr + r.stderr, code: r.code)
        }
        return result
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
