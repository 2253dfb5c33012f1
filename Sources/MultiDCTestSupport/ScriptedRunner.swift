import Foundation
import MultiDC
import Synchronization

/// An in-memory `CommandRunner` for tests: records every call and answers from a script.
///
/// Rules are tried in order; the first whose matcher accepts the command answers. A command
/// no rule matches gets `fallback` (by default: exit 127 with a `no scripted answer` message).
///
///     let runner = ScriptedRunner()
///     runner.on(["docker", "network", "inspect"], stdout: networkJSON)
///     runner.on(["kubectl"]) { command in CommandResult(exitCode: 1, stderr: "…") }
package final class ScriptedRunner: CommandRunner {
    /// One scripted answer: a result, or an error the runner throws.
    package enum Answer: Sendable {
        case result(CommandResult)
        case failure(CommandRunnerError)
    }

    private struct Rule: Sendable {
        var matches: @Sendable (Command) -> Bool
        var answer: @Sendable (Command) -> Answer
    }

    private struct State: Sendable {
        var rules: [Rule] = []
        var calls: [Command] = []
    }

    private let state = Mutex(State())
    private let fallback: @Sendable (Command) -> Answer

    package init(
        fallback: @escaping @Sendable (Command) -> Answer = { command in
            .result(CommandResult(exitCode: 127, stderr: "ScriptedRunner: no scripted answer for \(command)\n"))
        }
    ) {
        self.fallback = fallback
    }

    /// Answers commands accepted by `matches` with `answer`.
    package func on(where matches: @escaping @Sendable (Command) -> Bool, answer: @escaping @Sendable (Command) -> Answer) {
        state.withLock { $0.rules.append(Rule(matches: matches, answer: answer)) }
    }

    /// Answers commands whose argv (executable first) starts with `prefix`.
    package func on(_ prefix: [String], answer: @escaping @Sendable (Command) -> CommandResult) {
        on(where: { $0.argv.starts(with: prefix) }, answer: { .result(answer($0)) })
    }

    /// Answers commands whose argv starts with `prefix` with a fixed result.
    package func on(_ prefix: [String], exitCode: Int32 = 0, stdout: String = "", stderr: String = "") {
        let result = CommandResult(exitCode: exitCode, stdout: stdout, stderr: stderr)
        on(prefix) { _ in result }
    }

    /// Makes commands whose argv starts with `prefix` throw `error`.
    package func on(_ prefix: [String], throwing error: CommandRunnerError) {
        on(where: { $0.argv.starts(with: prefix) }, answer: { _ in .failure(error) })
    }

    /// Every command run so far, in call order.
    package var calls: [Command] { state.withLock { $0.calls } }

    package func run(_ command: Command) async throws -> CommandResult {
        let rule = state.withLock { state -> Rule? in
            state.calls.append(command)
            return state.rules.first { $0.matches(command) }
        }
        switch (rule?.answer ?? fallback)(command) {
        case .result(let result): return result
        case .failure(let error): throw error
        }
    }
}

extension ScriptedRunner {
    /// Answers the preflight's probes (`docker version`, `kind version`, `kubectl version
    /// --client`, `helm version --short`) as tools that are installed and answer.
    package func answerToolProbes() {
        for probe in [Docker.version(), Kind.version(), Kubectl.clientVersion(), Helm.version()] {
            on(probe.argv, stdout: "v1.0.0\n")
        }
    }
}
