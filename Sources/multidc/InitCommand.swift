import ArgumentParser
import MultiDC

extension Topology.Provider: ExpressibleByArgument {}

/// `multidc init DIR`: writes a working topology (the spec, the Vault CR templates, the RBAC
/// manifests) into a directory, never over an existing file.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a working topology into a directory: spec.yaml, the Vault CR templates and the RBAC manifests.",
        usage:
            "multidc init <directory> [--clusters N | --names A,B,…] [--leader NAME] [--metallb VERSION] [--provider kind|existing] [--name NAME]",
        discussion: """
            Writes spec.yaml (with the schema modeline), vault-cr.yaml (the leader's Vault CR), vault-follower.yaml and rbac.yaml (the ServiceAccount the Vault pods run as), after examples/vault-raft (provider kind) or examples/existing (provider existing). The directory is made when missing; a file that exists is never overwritten (nothing is written then). With provider existing the spec holds placeholders for each cluster's kubeconfig context and the KMS's URL: `multidc validate` names each one until it is filled in. Exit status: 0 written, 1 when files are in the way, 64 on bad options.

            Examples:
              multidc init vault-lab                              # dc-1, dc-2, dc-3 on kind, leader dc-1
              multidc init vault-lab --clusters 5 --leader dc-3 --metallb v0.14.9
              multidc init lab --names east,west --leader west
              multidc init cloud --provider existing --clusters 3
            """
    )

    @Argument(help: "The directory to write into (made when missing).", completion: .directory)
    var directory: String

    @Option(help: ArgumentHelp("How many clusters, named dc-1 … dc-N (default 3).", valueName: "n"))
    var clusters: Int?

    @Option(help: ArgumentHelp("The clusters' names, comma-separated (instead of dc-1 … dc-N).", valueName: "names"))
    var names: String?

    @Option(help: ArgumentHelp("The cluster whose Vault bootstraps Raft (default: the first).", valueName: "name"))
    var leader: String?

    @Option(help: ArgumentHelp("The MetalLB release (provider kind; default \(Scaffold.defaultMetalLB)).", valueName: "version"))
    var metallb: String?

    @Option(
        help: ArgumentHelp("kind: multidc creates kind clusters; existing: clusters you name by kubeconfig context.", valueName: "provider")
    )
    var provider: Topology.Provider = .kind

    @Option(help: ArgumentHelp("The topology's name (default: the directory's name).", valueName: "name"))
    var name: String?

    @OptionGroup var common: CommonOptions

    func options() throws(Scaffold.Failure) -> Scaffold.Options {
        try Scaffold.options(
            directory: directory, name: name, count: clusters,
            names: names.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }, leader: leader,
            metallb: metallb, provider: provider)
    }

    /// Options that do not fit are a usage error (exit 64), before anything is written.
    func validate() throws {
        do { _ = try options() } catch { throw ValidationError(error.message) }
    }

    func run() async throws {
        common.activate()
        let options: Scaffold.Options
        do { options = try self.options() } catch { throw ValidationError(error.message) }
        let files = Scaffold.files(options)
        do {
            try Scaffold.write(files, to: directory)
        } catch {
            DiagnosticOutput.printError("error: \(error.message)")
            throw ExitCode(1)
        }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let spec = "\(base)/spec.yaml"
        let count = options.clusters.count
        var text = "wrote \(files.map { "\(base)/\($0.name)" }.joined(separator: ", "))\n"
        text +=
            "topology \(options.name): \(count) cluster\(count == 1 ? "" : "s") (\(options.clusters.joined(separator: ", "))), leader \(options.leader), provider \(options.provider.rawValue)\n"
        switch options.provider {
        case .kind:
            text += "next: multidc validate \(spec) && multidc apply \(spec)\n"
        case .existing:
            text +=
                "next: fill in each cluster's context and the KMS's url in \(spec) (multidc validate \(spec) names them), export \(Scaffold.tokenVariable), then multidc apply \(spec)\n"
        }
        Terminal.out(text)
    }
}
