import ArgumentParser
import MultiDC

/// `multidc destroy SPEC`: remove what this topology owns, nothing else.
struct DestroyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy",
        abstract: "Remove what this topology owns, nothing else.",
        usage:
            "multidc destroy <spec>|- [--rev REV] [--base DIR] [--yes] [--parallelism N] [--lock-timeout D] [--cluster NAME]... [--kubeconfig PATH] [--no-color] [-o text|json]",
        discussion: """
            Removes only what carries this topology's ownership marks, in reverse dependency order and in parallel across clusters: its kind clusters (or, for existing clusters, its Vault CRs, copied secrets, operator release and ownership record), its KMS container, and the network if multidc created it and nothing else uses it. Foreign containers, other kind clusters and other networks are left alone. Asks on a TTY; --yes skips.

            The spec may come from standard input (-, with --base DIR) or a git revision (--rev REV).

            Examples:
              multidc destroy examples/vault-raft/spec.yaml --yes
            """
    )

    @Argument(help: "The Topology spec file, or - to read it from standard input.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String

    @OptionGroup var source: SpecSourceOptions

    @Flag(name: [.customShort("y"), .long], help: "Do not ask for confirmation.")
    var yes = false

    @Option(parsing: .unconditional, help: "Most actions at once (default: all at once).")
    var parallelism: Int?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json.")
    var output: OutputFormat = .text

    @Option(
        parsing: .unconditional,
        help: "Wait this long for another apply or destroy of the topology to finish, e.g. 5m (default: refuse at once).")
    var lockTimeout: String?

    @OptionGroup var targets: TargetOptions
    @OptionGroup var tools: ToolOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        try ApplyCommand.checkParallelism(parallelism)
        try ApplyCommand.checkDurations([("--lock-timeout", lockTimeout)])
        try source.check(spec: spec)
    }

    func run() async throws {
        common.activate()
        let session = tools.session()
        let loaded = try await SpecLoading.load(spec, source: source, session: session)
        let limit = try targets.targets(loaded, former: session.target(loaded).formerClusters.map(\.name))
        try StateDirectory.check()
        let lock = try await LockWaiting.acquire(
            topology: loaded.topology.name, command: "destroy", timeout: lockTimeout.flatMap(DurationText.parse))
        defer { lock.release() }
        let printer = ProgressPrinter.forOutput(output)
        let interactive = Terminal.stdinIsTTY && !yes
        let autoApprove = yes
        let outputFormat = output
        let task = Task {
            await session.destroy(
                loaded, execution: .init(parallelism: parallelism, onEvent: { printer.handle($0) }), targets: limit
            ) { plan in
                ApplyCommand.show(plan, round: 1, output: outputFormat, printer: printer)
                printer.expect(plan)
                if autoApprove { return true }
                if interactive { return Terminal.confirm("Do you really want to destroy these resources?") }
                Terminal.err("error: destroy deletes resources and there is no terminal to ask; rerun with --yes to approve it")
                return false
            }
        }
        let trap = SignalTrap.interrupting(task, lock: lock)
        let (plan, report, confirmed) = await task.value
        trap.cancel()
        printer.finish()
        if !plan.problems.isEmpty {
            ApplyCommand.unavailable(plan, printer: printer)
            throw ExitCode(1)
        }
        if !plan.hasChanges {
            if !printer.isJSON {
                Terminal.out(PlanRenderer(color: Terminal.color).render(plan))
                Terminal.out("Nothing to destroy: topology \(plan.topology) owns nothing here.\n")
            }
            printer.jsonEvent(["event": "outcome", "result": "nothing-to-destroy"])
            return
        }
        guard confirmed else { throw ExitCode(1) }
        if let report {
            if printer.isJSON {
                printer.jsonEvent(ApplyCommand.reportFields(report))
            } else {
                Terminal.out("\n" + report.renderSummary(width: Terminal.stdoutIsTTY ? Terminal.width : 80))
            }
        }
        if let signal = trap.receivedSignal { throw ExitCode(SignalTrap.exitCode(for: signal)) }
        guard let report, report.succeeded else {
            if let report { ApplyCommand.reportErrors(report) }
            printer.jsonEvent(["event": "outcome", "result": "failed"])
            throw ExitCode(1)
        }
        printer.jsonEvent(["event": "outcome", "result": "destroyed"])
        if !printer.isJSON { Terminal.out("Destroy complete.\n") }
    }
}
