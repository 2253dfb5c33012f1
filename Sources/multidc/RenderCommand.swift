import ArgumentParser
import MultiDC
import YAML

/// `multidc render SPEC`: the manifests each cluster would get.
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the manifests each cluster would get (the spec's manifests, then its Vault CR).",
        usage: "multidc render <spec> [--cluster <name>] [--assume <name>=<value>]... [--no-color]",
        discussion: """
            Values known only after apply print as (known after apply) unless assumed with --assume; secrets (kms.token) always print as (sensitive). Placeholder names: \(TemplateValues.names.joined(separator: ", ")).

            Example:
              multidc render examples/vault-raft/spec.yaml --cluster secondary \\
                --assume kms.address=172.18.0.5 --assume network.subnet=172.18.0.0/16
            """
    )

    @Argument(help: "The Topology spec file.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String

    @Option(help: "Render only this cluster.", completion: .custom(RenderCommand.clusterNames))
    var cluster: String?

    @Option(name: .customLong("assume"), help: ArgumentHelp("Assume a value known only after apply.", valueName: "name=value"))
    var assumptions: [String] = []

    /// `--assume` as a dictionary; filled by `validate()`.
    private var assumed: [String: String] = [:]

    @OptionGroup var common: CommonOptions

    private enum CodingKeys: String, CodingKey {
        case spec, cluster, assumptions, common
    }

    /// Shell completion of `--cluster`: the cluster names of the spec already on the command line.
    static func clusterNames(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        let spec = words.dropFirst().first { !$0.hasPrefix("-") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
        guard let spec, let loaded = try? TopologyLoader.load(path: spec) else { return [] }
        return loaded.topology.clusters.map(\.name).filter { $0.hasPrefix(prefix) }
    }

    mutating func validate() throws {
        for text in assumptions {
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                throw ValidationError("--assume takes NAME=VALUE, got '\(NameRules.escaped(String(text.prefix(100))))'")
            }
            let name = String(text[..<eq])
            guard assumed[name] == nil else { throw ValidationError("--assume \(name) is given twice; give each name once") }
            assumed[name] = String(text[text.index(after: eq)...])
        }
        do {
            try TemplateValues.checkAssumptions(assumed)
        } catch {
            throw ValidationError("--assume: \(error)")
        }
    }

    func run() async throws {
        common.activate()
        let loaded: LoadedTopology
        do {
            loaded = try TopologyLoader.load(path: spec)
        } catch {
            DiagnosticOutput.printText(error.items)
            throw ExitCode(1)
        }
        do {
            try TemplateValues.checkAssumptions(assumed, topology: loaded.topology)
        } catch {
            // A usage error found once the spec is known: exit 64 like ArgumentParser's own.
            Terminal.err("Error: --assume \(error)")
            throw ExitCode(64)
        }
        if let text = assumed["network.subnet"], let subnet = CIDR(text) {
            do {
                _ = try loaded.pools(subnet: subnet)
            } catch {
                // The spec's pool lines are fine on their own: say the subnet came from --assume.
                DiagnosticOutput.printText(
                    error.items.map { item in
                        var item = item
                        item.message += " (with --assume network.subnet=\(subnet))"
                        return item
                    })
                throw ExitCode(1)
            }
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
