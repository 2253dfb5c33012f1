import Foundation

/// The stdin of a `kubectl exec -i`: the first program that reads it takes all of it; later readers
/// see end of file, as on a pipe [POSIX: a command substitution and the commands of a script share
/// the shell's standard input].
final class Stdin {
    private var data: Data?
    init(_ data: Data) { self.data = data }
    /// Everything not read yet; empty once a reader has taken it.
    func readAll() -> Data {
        defer { data = nil }
        return data ?? Data()
    }
}

/// What a program in a container wrote and how it ended.
struct ProcResult {
    var stdout = Data()
    var stderr = ""
    var code: Int32 = 0
}

/// `sh -c SCRIPT` in a simulated container: busybox ash semantics for the subset ShellSyntax parses.
///
/// * Expansion happens when a command runs, left to right: `KT=$(cat) && RT=$(… "$KT" …)` sees KT.
///   Unquoted `$V` and `$(…)` are split into fields at spaces, tabs and newlines (the default IFS);
///   quoted ones and assignment values are not; `$(…)` drops trailing newlines [POSIX XCU 2.6.2,
///   2.6.3, 2.6.5].
/// * `NAME=value` alone sets a shell variable (not exported unless it already was or `export` says
///   so); its status is that of the last command substitution in it, else 0 [POSIX XCU 2.9.1
///   "If there is no command name, but the command contained a command substitution, the command
///   shall complete with the exit status of the last command substitution performed"].
///   `NAME=value cmd` puts NAME in cmd's environment only.
/// * `a | b`: b reads what a wrote; the status is b's, or with `set -o pipefail` the last non-zero one
///   [SRC mirror/busybox shell/ash.c 1_36_1 `getstatus` (pipefail)]; every command of a pipeline
///   with more than one command runs in a subshell (its assignments do not survive).
/// * `&&`, `||`, `;`, newlines, `!`, `#` comments; builtins `:`, `true`, `false`, `echo`, `export`,
///   `exit`, `set -o pipefail`/`set +o pipefail`; anything else runs as a program of the container
///   ([ContainerCommands]), or fails `sh: NAME: not found` with 127 [SRC ash.c `shellexec`].
/// * Line by line, as ash reads `-c`: a syntax error prints `sh: syntax error: …` and ends the shell
///   with 2; the lines before it have run, nothing of its line has.
struct Shell {
    let commands: ContainerCommands
    let pod: JSON
    let container: String
    let cluster: String
    let stdin: Stdin
    /// argv[0] of the shell, the prefix of its messages (`sh`, `/bin/sh`).
    var name = "sh"

    /// The shell's variables: values, which of them are exported, `$?`, and `set -o pipefail`.
    struct Variables {
        var values: [String: String]
        var exported: Set<String>
        var status: Int32 = 0
        var pipefail = false
        var arg0 = "sh"

        init(environment: [String: String]) {
            values = environment
            exported = Set(environment.keys)
        }

        /// The environment a program started by the shell receives.
        func environment(adding extra: [String: String] = [:]) -> [String: String] {
            var env = values.filter { exported.contains($0.key) }
            for (k, v) in extra { env[k] = v }
            return env
        }
    }

    /// A finished piece of a script; `exit` ends the (sub)shell it runs in.
    struct Outcome {
        var stdout = Data()
        var stderr = ""
        var code: Int32 = 0
        var exited = false

        mutating func append(_ o: Outcome) {
            stdout += o.stdout
            stderr += o.stderr
            code = o.code
            exited = o.exited
        }
    }

    func run(_ script: String, env: [String: String], arg0: String? = nil, state: inout WorldState) -> ProcResult {
        var parser = ShellParser(script)
        var vars = Variables(environment: env)
        vars.arg0 = arg0 ?? name
        var out = Outcome()
        while true {
            let line: ShellScript?
            do { line = try parser.line() } catch {
                return ProcResult(stdout: out.stdout, stderr: out.stderr + error.message(shell: name), code: 2)
            }
            guard let line else { break }
            out.append(run(line, vars: &vars, stdin: stdin, state: &state))
            if out.exited { break }
        }
        return ProcResult(stdout: out.stdout, stderr: out.stderr, code: out.code)
    }

    func run(_ script: ShellScript, vars: inout Variables, stdin: Stdin, state: inout WorldState) -> Outcome {
        var out = Outcome()
        for andOr in script.lists {
            out.append(run(andOr, vars: &vars, stdin: stdin, state: &state))
            if out.exited { break }
        }
        return out
    }

    private func run(_ andOr: ShellAndOr, vars: inout Variables, stdin: Stdin, state: inout WorldState) -> Outcome {
        var out = run(andOr.pipelines[0], vars: &vars, stdin: stdin, state: &state)
        for (op, p) in zip(andOr.ops, andOr.pipelines.dropFirst()) where !out.exited {
            // `a && b` runs b only after success, `a || b` only after failure; a skipped pipeline
            // keeps the status of the last one that ran.
            if (op == .and) != (out.code == 0) { continue }
            out.append(run(p, vars: &vars, stdin: stdin, state: &state))
        }
        return out
    }

    private func run(_ pipeline: ShellPipeline, vars: inout Variables, stdin: Stdin, state: inout WorldState) -> Outcome {
        var out: Outcome
        if pipeline.commands.count == 1 {
            out = run(pipeline.commands[0], vars: &vars, stdin: stdin, state: &state)
        } else {
            out = Outcome()
            var input = stdin
            var failed: Int32 = 0
            for (n, cmd) in pipeline.commands.enumerated() {
                var sub = vars  // each command of the pipeline runs in a subshell
                let o = run(cmd, vars: &sub, stdin: input, state: &state)
                out.stderr += o.stderr
                if o.code != 0 { failed = o.code }
                if n == pipeline.commands.count - 1 {
                    out.stdout = o.stdout
                    out.code = vars.pipefail ? failed : o.code
                } else {
                    input = Stdin(o.stdout)
                }
            }
        }
        if pipeline.negated && !out.exited { out.code = out.code == 0 ? 1 : 0 }
        if !out.exited { vars.status = out.code }
        return out
    }

    private static let unsupportedBuiltins: Set<String> = [
        ".", "source", "cd", "read", "eval", "exec", "test", "[", "[[", "printf", "local", "shift", "trap", "wait", "umask", "unset",
        "alias", "unalias", "command", "type", "hash", "getopts", "kill", "let", "ulimit", "times", "return", "break", "continue",
        "readonly", "jobs", "fg", "bg",
    ]

    private func run(_ cmd: ShellCommand, vars: inout Variables, stdin: Stdin, state: inout WorldState) -> Outcome {
        var out = Outcome()
        var substitution: Int32?
        var fields: [String] = []
        for w in cmd.words {
            fields += expand(w, split: true, vars: vars, stdin: stdin, out: &out, substitution: &substitution, state: &state)
        }
        var assigned: [(String, String)] = []
        for a in cmd.assignments {
            let v = expand(a.value, split: false, vars: vars, stdin: stdin, out: &out, substitution: &substitution, state: &state)
            assigned.append((a.name, v.joined()))
        }
        guard let prog = fields.first else {
            for (k, v) in assigned { vars.values[k] = v }
            out.code = substitution ?? 0
            return out
        }
        let args = Array(fields.dropFirst())
        switch prog {
        case ":", "true":
            out.code = 0
        case "false":
            out.code = 1
        case "echo":
            out.stdout += Data(ContainerCommands.echo(args).utf8)
            out.code = 0
        case "exit":
            // [SRC ash.c `exitcmd`: `exit` without N keeps $?; a non-number is "Illegal number"].
            if let a = args.first {
                guard let n = Int32(a), n >= 0 else {
                    out.stderr += "\(name): exit: Illegal number: \(a)\n"
                    out.code = 2
                    out.exited = true
                    return out
                }
                out.code = n & 255
            } else {
                out.code = vars.status
            }
            out.exited = true
        case "export" where !args.isEmpty && !args.contains { $0.hasPrefix("-") }:
            for a in args {
                let kv = a.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard ShellParser.isName(kv[0]) else {
                    out.stderr += "\(name): export: \(kv[0]): bad variable name\n"
                    out.code = 2
                    out.exited = true
                    return out
                }
                if kv.count == 2 { vars.values[kv[0]] = kv[1] }
                vars.exported.insert(kv[0])
            }
            for (k, v) in assigned { vars.values[k] = v }
            out.code = 0
        case "set" where args == ["-o", "pipefail"] || args == ["+o", "pipefail"]:
            vars.pipefail = args[0] == "-o"
            out.code = 0
        case let b where b == "set" || b == "export" || Shell.unsupportedBuiltins.contains(b):
            out.stderr += ShellSyntaxError.unsupported("the builtin \(([b] + args).joined(separator: " "))").message(shell: name)
            out.code = 2
            out.exited = true
        default:
            let env = vars.environment(adding: Dictionary(assigned, uniquingKeysWith: { $1 }))
            guard
                let r = commands.run(
                    fields, stdin: stdin, env: env, pod: pod, container: container, cluster: cluster, state: &state)
            else {
                out.stderr += "\(name): \(prog): not found\n"
                out.code = 127
                return out
            }
            out.stdout += r.stdout
            out.stderr += r.stderr
            out.code = r.code
        }
        return out
    }

    /// The fields of one word [POSIX XCU 2.6]: parameters and command substitutions expanded, then
    /// (when `split`) unquoted expansion results split at IFS white space. No pathname expansion.
    private func expand(
        _ word: ShellWord, split: Bool, vars: Variables, stdin: Stdin, out: inout Outcome, substitution: inout Int32?,
        state: inout WorldState
    ) -> [String] {
        var fields: [String] = []
        var cur = ""
        var have = false
        for part in word.parts {
            let value: String
            let quoted: Bool
            switch part {
            case .text(let t, _):
                cur += t
                have = true
                continue
            case .variable(let n, let q):
                value = parameter(n, vars)
                quoted = q
            case .substitution(let script, let q):
                var sub = vars  // a subshell: its assignments and exit stay inside
                let o = run(script, vars: &sub, stdin: stdin, state: &state)
                out.stderr += o.stderr
                substitution = o.code
                var s = String(decoding: o.stdout, as: UTF8.self)
                while s.hasSuffix("\n") { s.removeLast() }
                value = s
                quoted = q
            }
            if quoted || !split {
                cur += value
                if quoted || !value.isEmpty { have = true }
                continue
            }
            for c in value {
                if c == " " || c == "\t" || c == "\n" {
                    if have { fields.append(cur) }
                    cur = ""
                    have = false
                } else {
                    cur.append(c)
                    have = true
                }
            }
        }
        if have || !split { fields.append(cur) }
        return fields
    }

    private func parameter(_ n: String, _ vars: Variables) -> String {
        switch n {
        case "?": return String(vars.status)
        case "#": return "0"
        case "0": return vars.arg0
        case "@", "*": return ""
        default: return n.first?.isNumber == true ? "" : vars.values[n] ?? ""
        }
    }
}
