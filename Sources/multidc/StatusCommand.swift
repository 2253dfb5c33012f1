import ArgumentParser
import MultiDC

/// `multidc status SPEC`: a table per cluster and the Raft verdict.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each cluster: reachable, pool, LB IP, operator, Vault pod, seal, Raft role.",
        usage: "multidc status <spec> [-o text|json]",
        discussion: """
            Read-only. Observes every cluster and asks every Vault pod for `vault status` once. Exit status: 0 healthy, 1 not healthy or error.

            Examples:
              multidc status examples/vault-raft/spec.yaml
              multidc status spec.yaml -o json
            """
    )

    @Argument(help: "The Topology spec file.")
    var spec: String

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json (multidc.status/v1).")
    var output: OutputFormat = .text

    func run() async throws {
        let session = SpecLoading.session()
        let loaded = try SpecLoading.load(spec, session: session)
        let report = await session.status(loaded)
        switch output {
        case .json: Terminal.out(report.json() + "\n")
        case .text: Terminal.out(report.renderText())
        }
        if !report.health.isHealthy { throw ExitCode(1) }
    }
}
