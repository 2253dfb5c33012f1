import ArgumentParser
import MultiDC
import YAML

/// Output formats shared by the commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `multidc validate SPEC`: parse and check only; never runs a tool.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a spec and its templates without touching anything.",
        usage: "multidc validate <spec> [--no-color] [-o text|json]",
        discussion: """
            Reports every problem of the spec and of the templates it names, each as file:line:column with the source line and a caret. Exit status: 0 valid, 1 invalid.

            Examples:
              multidc validate examples/vault-raft/spec.yaml
              multidc validate spec.yaml -o json   # errors with file, line, column, message
            """
    )

    @Argument(help: "The Topology spec file.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json (multidc.validate/v1).")
    var output: OutputFormat = .text

    @OptionGroup var common: CommonOptions

    func run() async throws {
        common.activate()
        let diagnostics: [Diagnostic]
        var warnings: [Diagnostic] = []
        var summary = ""
        do {
            let loaded = try TopologyLoader.load(path: spec)
            diagnostics = []
            warnings = loaded.warnings
            let topology = loaded.topology
            summary = "\(spec): valid (topology \(topology.name), \(topology.clusters.count) clusters, leader \(topology.leader.name))"
        } catch {
            diagnostics = error.items
        }
        switch output {
        case .json:
            Terminal.out(DiagnosticOutput.json(diagnostics + warnings) + "\n")
        case .text:
            if !warnings.isEmpty { DiagnosticOutput.printText(warnings) }
            if diagnostics.isEmpty {
                Terminal.out(summary + "\n")
            } else {
                DiagnosticOutput.printText(diagnostics)
                let count = diagnostics.count
                DiagnosticOutput.printError("\(count) error\(count == 1 ? "" : "s") in \(spec)")
            }
        }
        if !diagnostics.isEmpty { throw ExitCode(1) }
    }
}
