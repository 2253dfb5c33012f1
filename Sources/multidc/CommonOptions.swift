import ArgumentParser
import Foundation
import MultiDC
import Synchronization

/// Options every command takes.
struct CommonOptions: ParsableArguments {
    @Flag(help: "No colour in the output (the same as setting NO_COLOR).")
    var noColor = false

    /// Applies the options to the process (call first in `run()`).
    func activate() {
        if noColor { Terminal.noColorFlag.withLock { $0 = true } }
    }
}

/// `--cluster NAME` (repeatable): limit the work to some clusters, like `terraform -target`.
struct TargetOptions: ParsableArguments {
    @Option(
        name: .customLong("cluster"),
        help: ArgumentHelp(
            "Limit the work to this cluster (repeatable) and what it needs (the network, the KMS); never another cluster's actions.",
            valueName: "name"))
    var clusters: [String] = []

    /// The targets, checked against the spec (and the clusters that left it, which a prune may
    /// name); nil without --cluster.
    func targets(_ loaded: LoadedTopology, former: [String] = []) throws -> Set<String>? {
        guard !clusters.isEmpty else { return nil }
        let known = loaded.topology.clusters.map(\.name) + former
        for name in clusters where !known.contains(name) {
            throw ValidationError(
                "unknown cluster '\(name)' in --cluster; the spec has \(loaded.topology.clusters.map(\.name).joined(separator: ", "))"
                    + (former.isEmpty ? "" : " (and \(former.joined(separator: ", ")), which left it)"))
        }
        return Set(clusters)
    }
}

/// Options of the commands that run kind, kubectl and helm.
struct ToolOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The kubeconfig file every kind, kubectl and helm call uses (default: $KUBECONFIG, else ~/.kube/config).",
            valueName: "path"),
        completion: .file())
    var kubeconfig: String?

    /// The session the command runs with: the test session, or the real tools; with
    /// `--kubeconfig`, every kind, kubectl and helm call gets it.
    func session() -> Session {
        let base = SpecLoading.session()
        guard let kubeconfig else { return base }
        return Session(
            runner: KubeconfigRunner(base: base.runner, kubeconfig: kubeconfig), environment: base.environment, clock: base.clock)
    }
}

/// A runner that passes `--kubeconfig PATH` to every kind, kubectl and helm call it forwards
/// (kind: the subcommands that take it; kubectl and helm: every call, before a `--`).
struct KubeconfigRunner: CommandRunner {
    let base: any CommandRunner
    let kubeconfig: String

    func run(_ command: Command) async throws -> CommandResult {
        try await base.run(Self.adding(kubeconfig, to: command))
    }

    static func adding(_ kubeconfig: String, to command: Command) -> Command {
        guard !command.arguments.contains("--kubeconfig") else { return command }
        var command = command
        let tool = (command.executable as NSString).lastPathComponent
        switch tool {
        case "kind":
            let takesIt = [["create", "cluster"], ["delete", "cluster"], ["export", "kubeconfig"], ["get", "kubeconfig"]]
            guard takesIt.contains(where: { command.arguments.starts(with: $0) }) else { return command }
            command.arguments += ["--kubeconfig", kubeconfig]
        case "kubectl", "helm":
            let end = command.arguments.firstIndex(of: "--") ?? command.arguments.endIndex
            command.arguments.insert(contentsOf: ["--kubeconfig", kubeconfig], at: end)
        default:
            break
        }
        return command
    }
}

/// Takes the topology lock, waiting up to `--lock-timeout` for another run to finish.
enum LockWaiting {
    static func acquire(topology: String, command: String, timeout: Duration?) async throws -> TopologyLock {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        var said = false
        while true {
            do {
                return try TopologyLock.acquire(topology: topology, command: command)
            } catch  where error.code == .held && deadline.map({ clock.now < $0 }) == true {
                if !said {
                    Terminal.err(
                        "waiting for the lock: \(error.holder.map { "multidc \($0.command) (pid \($0.pid))" } ?? "another multidc") holds it"
                    )
                    said = true
                }
                try? await Task.sleep(for: .milliseconds(200))
                if Task.isCancelled { throw ExitCode(130) }
            } catch {
                var message = "error: \(error)"
                if error.code == .held, let timeout {
                    message = "error: still held after --lock-timeout \(DurationText.format(timeout)): \(error)"
                }
                Terminal.err(message)
                throw ExitCode(1)
            }
        }
    }
}
