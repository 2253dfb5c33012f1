import ArgumentParser
import MultiDC

/// `multidc diff SPEC`: what apply would do, like a terraform plan.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what apply would do.",
        usage: "multidc diff <spec> [--detailed-exitcode] [-o text|json]",
        discussion: """
            Observes docker, kind, kubectl and helm (all reads in parallel), compares with the spec and prints the plan grouped by cluster: + create, ~ update, -/+ replace, - delete, = in sync, each with its reason and the observed value it fixes. Sensitive values print as (sensitive); values known only after apply as (known after apply).

            Exit status: 0 success; with --detailed-exitcode 0 no changes, 2 changes, 1 error (an unreachable engine or cluster is an error, never 2).

            Examples:
              multidc diff examples/vault-raft/spec.yaml
              multidc diff spec.yaml --detailed-exitcode -o json
            """
    )

    @Argument(help: "The Topology spec file.")
    var spec: String

    @Flag(help: "Exit 0 when there are no changes, 2 when there are, 1 on error.")
    var detailedExitcode = false

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json (multidc.plan/v1).")
    var output: OutputFormat = .text

    func run() async throws {
        let session = SpecLoading.session()
        let loaded = try SpecLoading.load(spec, session: session)
        let world = await session.observe(loaded)
        let plan = session.plan(loaded, world: world)
        switch output {
        case .json: Terminal.out(PlanDocument.json(plan) + "\n")
        case .text: Terminal.out(PlanRenderer(color: Terminal.color).render(plan))
        }
        if !plan.problems.isEmpty { throw ExitCode(1) }
        if detailedExitcode && plan.hasChanges { throw ExitCode(2) }
    }
}
