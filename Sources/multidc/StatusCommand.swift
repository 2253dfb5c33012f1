import ArgumentParser
import MultiDC

/// `multidc status SPEC`: a table per cluster and the Raft verdict.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each cluster (reachable, pool, LB IP, operator, Vault pod, seal, Raft role), the network and the KMS.",
        usage: "multidc status <spec>|- [--rev REV] [--base DIR] [--cluster NAME]... [--kubeconfig PATH] [--no-color] [-o text|json]",
        discussion: """
            Read-only. Observes every cluster, the network and the KMS, and asks every Vault pod for `vault status` once. What could not be read shows as unknown (null in JSON); a Docker engine that does not answer is named. Exit status: 0 healthy, 1 not healthy or error.

            Then the provenance the last apply recorded (applied from <commit> (dirty) at <time>) and the sync status of the spec at hand: in sync with HEAD, or HEAD is <commit>, world is at <commit> and whether the spec differs. The spec may come from standard input (-, with --base DIR) or a git revision (--rev REV).

            Examples:
              multidc status examples/vault-raft/spec.yaml
              multidc status spec.yaml -o json
              multidc status --rev origin/main spec.yaml
            """
    )

    @Argument(help: "The Topology spec file, or - to read it from standard input.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String

    @OptionGroup var source: SpecSourceOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json (multidc.status/v2).")
    var output: OutputFormat = .text

    @OptionGroup var targets: TargetOptions
    @OptionGroup var tools: ToolOptions
    @OptionGroup var common: CommonOptions

    func validate() throws { try source.check(spec: spec) }

    func run() async throws {
        common.activate()
        let session = tools.session()
        let loaded = try await SpecLoading.load(spec, source: source, session: session)
        let limit = try targets.targets(loaded)
        var report = await session.status(loaded)
        if let limit {
            // The rows of those clusters; the verdict stays the whole topology's (Raft is one cluster).
            report.rows = report.rows.filter { limit.contains($0.cluster) }
            report.notes.append("--cluster: showing \(limit.sorted().joined(separator: ", ")); the health verdict is the whole topology's")
        }
        switch output {
        case .json: Terminal.out(report.json() + "\n")
        case .text: Terminal.out(report.renderText())
        }
        if !report.health.isHealthy { throw ExitCode(1) }
    }
}
