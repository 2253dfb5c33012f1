import ArgumentParser
import MultiDC
import YAML

/// `multidc render SPEC`: the manifests each cluster would get.
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the manifests each cluster would get (the spec's manifests, then its Vault CR).",
        usage: "multidc render <spec> [--cluster <name>] [--assume <name>=<value>]...",
        discussion: """
            Values known only after apply print as (known after apply) unless assumed with --assume; secrets (kms.token) always print as (sensitive). Placeholder names: \(TemplateValues.names.joined(separator: ", ")).

            Example:
              multidc render examples/vault-raft/spec.yaml --cluster secondary \\
                --assume kms.address=172.18.0.5 --assume network.subnet=172.18.0.0/16
            """
    )

    @Argument(help: "The Topology spec file.")
    var spec: String

    @Option(help: "Render only this cluster.")
    var cluster: String?

    @Option(name: .customLong("assume"), help: ArgumentHelp("Assume a value known only after apply.", valueName: "name=value"))
    var assumptions: [String] = []

    /// `--assume` as a dictionary; filled by `validate()`.
    private var assumed: [String: String] = [:]

    private enum CodingKeys: String, CodingKey {
        case spec, cluster, assumptions
    }

    mutating func validate() throws {
        for text in assumptions {
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                throw ValidationError("--assume takes NAME=VALUE, got '\(text)'")
            }
            assumed[String(text[..<eq])] = String(text[text.index(after: eq)...])
        }
        do {
            try TemplateValues.checkAssumptions(assumed)
        } catch {
            throw ValidationError("--assume: \(error)")
        }
    }

    func run() async throws {
        let loaded: LoadedTopology
        do {
            loaded = try TopologyLoader.load(path: spec)
            if let subnet = assumed["network.subnet"].flatMap(CIDR.init) { _ = try loaded.pools(subnet: subnet) }
        } catch {
            DiagnosticOutput.printText(error.items)
            throw ExitCode(1)
        }
        let topology = loaded.topology
        var clusters = topology.clusters
        if let name = cluster {
            guard let match = clusters.first(where: { $0.name == name }) else {
                let hint =
                    EditDistance.suggestion(for: name, among: clusters.map(\.name)).map { "; did you mean '\($0)'?" }
                    ?? "; the clusters are \(clusters.map(\.name).joined(separator: ", "))"
                DiagnosticOutput.printError("error: unknown cluster '\(name)'\(hint)")
                throw ExitCode(1)
            }
            clusters = [match]
        }
        do {
            Terminal.out(try ManifestRendering.render(loaded, clusters: clusters, assumptions: assumed))
        } catch {
            DiagnosticOutput.printText(error.items)
            throw ExitCode(1)
        }
    }
}
