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
            Values known only after apply print as (known after apply) unless assumed with
            --assume; secrets (kms.token) always print as (sensitive). Placeholder names:
            \(TemplateValues.names.joined(separator: ", ")).

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

    func run() async throws {
        var assumed: [String: String] = [:]
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
                let hint = EditDistance.suggestion(for: name, among: clusters.map(\.name)).map { "; did you mean '\($0)'?" }
                    ?? "; the clusters are \(clusters.map(\.name).joined(separator: ", "))"
                throw ValidationError("unknown cluster '\(name)'\(hint)")
            }
            clusters = [match]
        }
        do {
            print(try ManifestRendering.render(loaded, clusters: clusters, assumptions: assumed), terminator: "")
        } catch {
            DiagnosticOutput.printText(error.items)
            throw ExitCode(1)
        }
    }
}
