import ArgumentParser
import Foundation
import MultiDC
import Synchronization
import YAML

/// `multidc apply SPEC`: converge the world to the spec and prove it with the Raft health check.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create only what is missing, then check Raft health.",
        usage:
            "multidc apply <spec>|- [--rev REV] [--base DIR] [--yes] [--parallelism N] [--timeout D] [--wait-timeout D] [--lock-timeout D] [--allow-data-loss] [--cluster NAME]... [--kubeconfig PATH] [--no-color] [-o text|json]",
        discussion: """
            Observes the world, prints the plan, asks on a TTY (--yes skips; without a TTY it refuses only when something would be deleted or replaced), carries the plan out as a DAG (independent clusters in parallel), re-plans until nothing is left, and ends with the Raft health check. A second apply does nothing and says so.

            Steps that lose data — a missing or replaced KMS while Vault clusters exist, a network whose subnet differs from the spec — are refused unless --allow-data-loss. Ctrl-C, SIGTERM or SIGHUP stops running tools, removes temporary files and reports what finished (exit 130/143/129); Ctrl-C at the confirmation prompt exits 130 at once.

            Each apply that changes something records its provenance on every cluster's ownership record: the spec's digest (spec, templates, manifests), the git commit of the spec's repository and whether its files had uncommitted changes, the multidc version and the time. An apply with nothing to change writes it only where the record names another spec (multidc status shows it).

            The spec may come from standard input (-; its templates are then relative to --base DIR, else the current directory) or from a git revision (--rev REV).

            Exit status: 0 converged and healthy; 1 error, refusal, failure or unhealthy.

            Examples:
              multidc apply examples/vault-raft/spec.yaml --yes
              multidc apply spec.yaml --parallelism 2 --timeout 20m -o json
              multidc apply --rev v1.2.0 spec.yaml --yes
            """
    )

    @Argument(help: "The Topology spec file, or - to read it from standard input.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String

    @OptionGroup var source: SpecSourceOptions

    @Flag(name: [.customShort("y"), .long], help: "Do not ask for confirmation.")
    var yes = false

    // `.unconditional`: `--parallelism -1` and `--timeout -5s` parse, and validate() says why
    // they are refused (instead of ArgumentParser's "Missing value").
    @Option(parsing: .unconditional, help: "Most actions at once (default: all clusters at once).")
    var parallelism: Int?

    @Option(parsing: .unconditional, help: "Overall time limit, e.g. 30m, 1.5h or 1h30m (default: none).")
    var timeout: String?

    /// Bounds each readiness wait (API server, MetalLB controller and webhook, CRD, pod Ready);
    /// its expiry names what was awaited and the last thing observed.
    @Option(parsing: .unconditional, help: "Longest wait for any one readiness condition, e.g. 2m (default: 5m).")
    var waitTimeout: String?

    @Flag(help: "Allow steps that lose data (a replaced KMS, a replaced network).")
    var allowDataLoss = false

    @Flag(help: "Take over kind clusters that carry no ownership record (not created by an earlier apply on this machine).")
    var adopt = false

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json (one event per line).")
    var output: OutputFormat = .text

    @Option(
        parsing: .unconditional,
        help: "Wait this long for another apply or destroy of the topology to finish, e.g. 5m (default: refuse at once).")
    var lockTimeout: String?

    @OptionGroup var targets: TargetOptions
    @OptionGroup var tools: ToolOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        try Self.checkParallelism(parallelism)
        try Self.checkDurations([("--timeout", timeout), ("--wait-timeout", waitTimeout), ("--lock-timeout", lockTimeout)])
        try source.check(spec: spec)
    }

    static func checkDurations(_ flags: [(String, String?)]) throws {
        for (flag, text) in flags {
            guard let text else { continue }
            do {
                _ = try DurationText.parseChecked(text)
            } catch {
                throw ValidationError("\(flag) '\(text)' \(error)")
            }
        }
    }

    func run() async throws {
        common.activate()
        let session = tools.session()
        let loaded = try await SpecLoading.load(spec, source: source, session: session)
        let limit = try targets.targets(loaded, former: session.target(loaded).formerClusters.map(\.name))
        try StateDirectory.check()
        let lock = try await LockWaiting.acquire(
            topology: loaded.topology.name, command: "apply", timeout: lockTimeout.flatMap(DurationText.parse))
        defer { lock.release() }

        let printer = ProgressPrinter.forOutput(output)
        // Where the spec stands in git, for the provenance the apply records (never an error).
        let git = await session.gitState(loaded)
        var options = ConvergeOptions(
            allowDataLoss: allowDataLoss, adopt: adopt,
            execution: Session.ExecutionOptions(
                parallelism: parallelism, timeout: timeout.flatMap(DurationText.parse),
                readinessTimeout: waitTimeout.flatMap(DurationText.parse) ?? .seconds(300),
                onEvent: { printer.handle($0) }),
            provenance: Provenance(loaded, git: git, version: VersionCommand.recordedVersion))
        options.targets = limit
        let interactive = Terminal.stdinIsTTY && !yes
        let autoApprove = yes
        let outputFormat = output
        let lastHealth = Mutex<String?>(nil)
        let task = Task {
            await session.converge(
                loaded, options: options,
                confirm: { plan, round in
                    Self.show(plan, round: round, output: outputFormat, printer: printer)
                    printer.expect(plan)
                    if autoApprove { return true }
                    if interactive { return Terminal.confirm("Do you want to perform these actions?") }
                    if plan.deletesOrReplaces {
                        Terminal.err(
                            "error: the plan deletes or replaces resources and there is no terminal to ask; rerun with --yes to approve it")
                        return false
                    }
                    return true
                },
                onHealth: { report in
                    // Once per change, not once per poll.
                    let changed = lastHealth.withLock { last in
                        defer { last = report.summary }
                        return last != report.summary
                    }
                    if !report.isHealthy && changed { printer.note("health: \(report.summary)") }
                })
        }
        let trap = SignalTrap.interrupting(task, lock: lock)
        let outcome = await task.value
        trap.cancel()
        printer.finish()
        try finish(outcome, name: loaded.origin.displayName, printer: printer, signal: trap.receivedSignal, limit: limit)
    }

    static func checkParallelism(_ parallelism: Int?) throws {
        if let parallelism, parallelism < 1 { throw ValidationError("--parallelism must be at least 1, got \(parallelism)") }
    }

    static func show(_ plan: Plan, round: Int, output: OutputFormat, printer: ProgressPrinter) {
        switch output {
        case .json:
            printer.jsonEvent(EventStream.fields(plan: plan, round: round))
        case .text:
            if round > 1 { Terminal.out("\nRound \(round): what is left after the first changes\n") }
            Terminal.out(PlanRenderer(color: Terminal.color, showInSync: false).render(plan))
        }
    }

    func finish(_ outcome: ConvergeOutcome, name: String, printer: ProgressPrinter, signal: Int32?, limit: Set<String>? = nil) throws {
        for round in outcome.rounds {
            guard let report = round.report else { continue }
            if printer.isJSON {
                printer.jsonEvent(Self.reportFields(report))
            } else {
                Terminal.out("\n" + report.renderSummary(width: Terminal.stdoutIsTTY ? Terminal.width : 80))
            }
        }
        if let signal {
            Terminal.err("interrupted: stopped running tools; rerun `multidc apply \(spec)` to finish")
            throw ExitCode(SignalTrap.exitCode(for: signal))
        }
        switch outcome {
        case .converged(let rounds, let health):
            if rounds.count == 1 && rounds[0].report == nil {
                printer.jsonEvent(["event": "outcome", "result": "no-changes"])
                if !printer.isJSON { Terminal.out("No changes. The world already matches \(name).\n") }
            } else {
                printer.jsonEvent(["event": "outcome", "result": "converged"])
                if !printer.isJSON { Terminal.out("Apply complete.\n") }
            }
            Self.showProvenance(outcome, printer: printer)
            if let health {
                printer.jsonEvent(["event": "health", "healthy": true, "summary": health.summary])
                if !printer.isJSON { Terminal.out(health.renderText()) }
            } else if let limit {
                // The Raft health check judges the whole topology; a limited apply does not claim it.
                if !printer.isJSON {
                    Terminal.out(
                        "Raft health check skipped: --cluster \(limit.sorted().joined(separator: ", ")) applied part of the topology; run `multidc status` for the verdict.\n"
                    )
                }
            }
        case .blocked(let plan, _):
            Self.unavailable(plan, printer: printer)
            throw ExitCode(1)
        case .refused(let plan, _):
            Self.show(plan, round: outcome.rounds.count, output: output, printer: printer)
            for action in plan.dataLosses {
                Terminal.err("error: refusing to \(action.change.word) \(action.resource): \(action.dataLoss ?? "")")
            }
            Terminal.err("rerun with --allow-data-loss to accept this loss")
            throw ExitCode(1)
        case .declined:
            Terminal.err("Apply cancelled; nothing was changed in this round.")
            throw ExitCode(1)
        case .failed(let rounds):
            if let report = rounds.last?.report { Self.reportErrors(report) }
            if let report = rounds.last?.report, report.timedOut, let timeout {
                Terminal.err("error: the overall --timeout ran out (--timeout \(timeout))")
            }
            Terminal.err("apply failed; what finished is kept — rerun `multidc apply \(spec)` to continue")
            throw ExitCode(1)
        case .unhealthy(_, let health):
            Self.showProvenance(outcome, printer: printer)
            printer.jsonEvent(["event": "health", "healthy": false, "summary": health.summary])
            Terminal.err("error: the Raft health check did not pass within health.raft.timeout")
            Terminal.err(health.renderText())
            throw ExitCode(1)
        case .notConverged(let plan, _):
            Self.show(plan, round: outcome.rounds.count, output: output, printer: printer)
            Terminal.err("error: changes remain after \(outcome.rounds.count - 1) rounds; see the plan above")
            throw ExitCode(1)
        }
    }

    /// The provenance the apply recorded (`Recorded: …`; in `-o json`, a `provenance` event);
    /// a cluster where the write failed is a warning: the apply itself succeeded.
    static func showProvenance(_ outcome: ConvergeOutcome, printer: ProgressPrinter) {
        guard let write = outcome.rounds.last?.provenance else { return }
        let p = write.provenance
        printer.jsonEvent(EventStream.fields(provenance: write))
        for cluster in write.failures.keys.sorted() {
            Terminal.err("warning: the provenance was not recorded in cluster \(cluster): \(write.failures[cluster]!)")
        }
        if !printer.isJSON, !write.clusters.isEmpty {
            Terminal.out(
                "Recorded: applied from \(p.commitText) at \(p.time) (spec sha256 \(p.specDigest.prefix(12))) on \(write.clusters.joined(separator: ", ")).\n"
            )
        }
    }

    /// A plan made from an incomplete observation is no plan: its errors on stderr, and
    /// `plan unavailable: N errors` instead of it (in `-o json`, a `plan-unavailable` event).
    static func unavailable(_ plan: Plan, printer: ProgressPrinter) {
        let count = plan.problems.count
        for problem in plan.problems { Terminal.err("error: \(problem)") }
        printer.jsonEvent(["event": "plan-unavailable", "errors": plan.problems.map(\.description)])
        Terminal.err("plan unavailable: \(count) error\(count == 1 ? "" : "s")")
    }

    /// One `error:` line per step that failed or was cancelled, then one line per cause for the
    /// steps a failure skipped (`7 skipped: blocked by + kind cluster p4`).
    static func reportErrors(_ report: ExecutionReport) {
        for job in report.jobs where job.status != .succeeded && job.status != .skipped && job.error != nil {
            Terminal.err("error: \(job.label): \(job.error ?? "")")
        }
        for line in report.skippedLines { Terminal.err(line) }
    }

    /// The `report` event of `-o json`: the execution report, durations in seconds.
    static func reportFields(_ report: ExecutionReport) -> [String: Any] { EventStream.fields(report: report) }
}
