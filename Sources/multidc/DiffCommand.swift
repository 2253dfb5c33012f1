import ArgumentParser
import Foundation
import MultiDC

/// `multidc diff SPEC`: what apply would do, like a terraform plan.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what apply would do.",
        usage:
            "multidc diff <spec>|- [--rev REV] [--base DIR] [--detailed-exitcode] [--cluster NAME]... [--kubeconfig PATH] [--no-color] [-o text|json]",
        discussion: """
            Observes docker, kind, kubectl and helm (all reads in parallel), compares with the spec and prints the plan grouped by cluster: + create, ~ update, -/+ replace, - delete, = in sync, each with its reason and the observed value it fixes. Sensitive values print as (sensitive); values known only after apply as (known after apply).

            A plan is printed only from a complete observation: otherwise its errors go to stderr with `plan unavailable: N errors` (exit 1). While an apply or destroy of the topology runs, diff says so instead of printing a plan.

            The spec may come from standard input (-; its templates are then relative to --base DIR, else the current directory) or from a git revision (--rev REV reads the spec and its templates as REV has them): --rev origin/main previews what merging would do.

            Exit status: 0 success; with --detailed-exitcode 0 no changes, 2 changes, 1 error (an unreachable engine or cluster is an error, never 2).

            Examples:
              multidc diff examples/vault-raft/spec.yaml
              multidc diff spec.yaml --detailed-exitcode -o json
              multidc diff --rev origin/main spec.yaml
              render-spec | multidc diff - --base examples/vault-raft
            """
    )

    @Argument(help: "The Topology spec file, or - to read it from standard input.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String

    @OptionGroup var source: SpecSourceOptions

    @Flag(help: "Exit 0 when there are no changes, 2 when there are, 1 on error.")
    var detailedExitcode = false

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json (multidc.plan/v1).")
    var output: OutputFormat = .text

    @OptionGroup var targets: TargetOptions
    @OptionGroup var tools: ToolOptions
    @OptionGroup var common: CommonOptions

    func validate() throws { try source.check(spec: spec) }

    func run() async throws {
        common.activate()
        let session = tools.session()
        let loaded = try await SpecLoading.load(spec, source: source, session: session)
        let running = Self.runningHolder(topology: loaded.topology.name)
        let world = await session.observe(loaded)
        let plan = session.plan(
            loaded, world: world, targets: try targets.targets(loaded, former: world.formerClusters.map(\.name)))
        if let running {
            // The world is changing under an apply or destroy: what is missing now is what it
            // is about to make, not something to repair.
            let note =
                "multidc \(running.command) (pid \(running.pid), started \(running.started)) is running on topology "
                + "\(loaded.topology.name); the world is changing — run diff again when it has finished."
            switch output {
            case .json:
                Terminal.err("note: " + note)
                Terminal.out(PlanDocument.json(plan) + "\n")
            case .text:
                Terminal.out(note + "\n")
            }
            if detailedExitcode { throw ExitCode(1) }
            return
        }
        switch output {
        case .json: Terminal.out(PlanDocument.json(plan) + "\n")
        case .text:
            if plan.problems.isEmpty {
                Terminal.out(PlanRenderer(color: Terminal.color).render(plan))
            } else {
                ApplyCommand.unavailable(plan, printer: ProgressPrinter(mode: .plain, color: false))
            }
        }
        if !plan.problems.isEmpty { throw ExitCode(1) }
        if detailedExitcode && plan.hasChanges { throw ExitCode(2) }
    }

    /// Who holds the topology's lock (an apply or destroy running now), if anyone.
    static func runningHolder(topology: String) -> LockHolder? {
        guard StateDirectory.problem(environment: ProcessInfo.processInfo.environment) == nil else { return nil }
        do {
            let lock = try TopologyLock.acquire(topology: topology, command: "diff")
            lock.release()
            return nil
        } catch {
            guard error.code == .held else { return nil }
            return error.holder ?? LockHolder(pid: 0, command: "apply", host: "", started: "?", topology: topology)
        }
    }
}
