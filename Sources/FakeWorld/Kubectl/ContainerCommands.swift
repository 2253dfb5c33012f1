import Foundation

/// The programs the simulated containers have: the busybox applets a caller needs around a secret
/// on stdin (`sh`, `cat`, `base64`, `echo`, `env`, `true`, `false`, `hostname`) and, in the `vault`
/// container of a Vault pod, the vault CLI. The hashicorp/vault image is Alpine: busybox applets
/// in /bin, `env` in /usr/bin, vault in /bin [SRC hashicorp/vault Dockerfile (`FROM alpine:3`,
/// `COPY … /bin/`)].
struct ContainerCommands {
    let world: World

    /// The container's environment as the pod spec sets it (literal values), plus HOSTNAME.
    static func environment(pod: JSON, container: String) -> [String: String] {
        var env: [String: String] = [:]
        let ct = (pod[path: "spec", "containers"]?.array ?? []).first { $0["name"]?.string == container }
        for e in ct?["env"]?.array ?? [] {
            if let n = e["name"]?.string, let v = e["value"]?.string { env[n] = v }
        }
        env["HOSTNAME"] = pod.name ?? ""
        return env
    }

    /// containerd's error for a missing binary, as kubectl prints it (`kubectl exec … -- nosuch`).
    static func notFound(_ prog: String) -> ProcResult {
        ProcResult(
            stderr:
                "OCI runtime exec failed: exec failed: unable to start container process: exec: \"\(prog)\": executable file not found in $PATH: unknown\n",
            code: 126)
    }

    /// busybox echo: `-n` drops the newline, `-e` reads `\n`, `\t`, `\\`, `\c` [SRC mirror/busybox
    /// coreutils/echo.c 1_36_1].
    static func echo(_ args: [String]) -> String {
        var args = args[...]
        var newline = true
        var escapes = false
        while let a = args.first, a.count > 1, a.hasPrefix("-"), a.dropFirst().allSatisfy({ "neE".contains($0) }) {
            for c in a.dropFirst() {
                switch c {
                case "n": newline = false
                case "e": escapes = true
                default: escapes = false
                }
            }
            args = args.dropFirst()
        }
        var s = args.joined(separator: " ")
        if escapes {
            var r = ""
            var it = s.makeIterator()
            while let c = it.next() {
                guard c == "\\", let n = it.next() else {
                    r.append(c)
                    continue
                }
                switch n {
                case "n": r.append("\n")
                case "t": r.append("\t")
                case "\\": r.append("\\")
                case "c": return r
                default: r += "\\\(n)"
                }
            }
            s = r
        }
        return newline ? s + "\n" : s
    }

    private static let paths: [String: String] = [
        "/bin/sh": "sh", "/bin/ash": "sh", "/bin/cat": "cat", "/bin/echo": "echo", "/bin/base64": "base64", "/bin/true": "true",
        "/bin/false": "false", "/bin/hostname": "hostname", "/usr/bin/env": "env", "/bin/vault": "vault",
    ]

    /// Runs argv in the container; nil when the container has no such program.
    func run(
        _ argv: [String], stdin: Stdin, env: [String: String], pod: JSON, container: String, cluster: String, state: inout WorldState
    ) -> ProcResult? {
        guard let first = argv.first else { return ProcResult() }
        let prog = first.contains("/") ? ContainerCommands.paths[first] : first
        let args = Array(argv.dropFirst())
        let isVault = pod.labels["app.kubernetes.io/name"] == "vault" && container == "vault"
        switch prog {
        case "true": return ProcResult()
        case "false": return ProcResult(code: 1)
        case "echo": return ProcResult(stdout: Data(ContainerCommands.echo(args).utf8))
        case "hostname": return ProcResult(stdout: Data(((pod.name ?? "") + "\n").utf8))
        case "cat":
            var out = ProcResult()
            for f in args.isEmpty ? ["-"] : args {
                if f == "-" {
                    out.stdout += stdin.readAll()
                } else if let d = file(f, pod: pod, container: container, cluster: cluster, state: state) {
                    out.stdout += d
                } else {
                    out.stderr += "cat: can't open '\(f)': No such file or directory\n"
                    out.code = 1
                }
            }
            return out
        case "base64":
            return BusyboxBase64.run(args, stdin: stdin) { file($0, pod: pod, container: container, cluster: cluster, state: state) }
        case "env":
            // `env [NAME=VALUE]… [COMMAND [ARG]…]` [SRC mirror/busybox coreutils/env.c 1_36_1].
            var env = env
            var rest = args[...]
            while let a = rest.first, let eq = a.firstIndex(of: "="), eq != a.startIndex {
                env[String(a[..<eq])] = String(a[a.index(after: eq)...])
                rest = rest.dropFirst()
            }
            guard !rest.isEmpty else {
                return ProcResult(stdout: Data(env.keys.sorted().map { "\($0)=\(env[$0]!)\n" }.joined().utf8))
            }
            return run(Array(rest), stdin: stdin, env: env, pod: pod, container: container, cluster: cluster, state: &state)
                ?? ProcResult(stderr: "env: can't execute '\(rest.first!)': No such file or directory\n", code: 127)
        case "sh":
            let shell = Shell(commands: self, pod: pod, container: container, cluster: cluster, stdin: stdin, name: first)
            if args.isEmpty || args == ["-s"] {
                // No -c: the script is read from stdin.
                return shell.run(String(decoding: stdin.readAll(), as: UTF8.self), env: env, state: &state)
            }
            guard args[0] == "-c" else {
                return ProcResult(
                    stderr: ShellSyntaxError.unsupported("sh \(args.joined(separator: " "))").message(shell: first), code: 2)
            }
            guard args.count >= 2 else { return ProcResult(stderr: "\(first): -c requires an argument\n", code: 2) }
            return shell.run(args[1], env: env, arg0: args.count > 2 ? args[2] : nil, state: &state)
        case "vault" where isVault:
            let r = VaultCLI(world: world).run(args, env: env, pod: pod, container: container, cluster: cluster, state: &state)
            return ProcResult(stdout: Data(r.stdout.utf8), stderr: r.stderr, code: r.code)
        default:
            return nil
        }
    }

    /// A file of the container: what a secret volume mounted over its path holds (decoded), else nil.
    func file(_ path: String, pod: JSON, container: String, cluster: String, state: WorldState) -> Data? {
        guard let c = state.clusters[cluster],
            let ct = (pod[path: "spec", "containers"]?.array ?? []).first(where: { $0["name"]?.string == container }),
            let b64 = Raft.secretFile(c, pod: pod, container: ct, path: path)
        else { return nil }
        return Data(base64Encoded: b64)
    }
}
