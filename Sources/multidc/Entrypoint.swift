import ArgumentParser
import Foundation
import MultiDC

/// The `multidc` command: parses arguments, renders results, maps them to exit codes.
/// Everything else lives in the MultiDC library.
@main
struct Multidc: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multidc",
        abstract:
            "Declarative multi-cluster test beds: kind clusters, MetalLB, a central Vault KMS and one Vault Raft cluster across them.",
        discussion: """
            multidc reads a Topology spec (apiVersion multidc/v1alpha1) and converges the world to it. The spec format is described in specs/README.md.

            Examples:
              multidc init vault-lab --clusters 3                 # a working topology to start from
              multidc validate examples/vault-raft/spec.yaml
              multidc diff examples/vault-raft/spec.yaml
              multidc apply examples/vault-raft/spec.yaml --yes
              multidc status examples/vault-raft/spec.yaml
              multidc destroy examples/vault-raft/spec.yaml --yes
              multidc output examples/vault-raft/spec.yaml kms.url

            Shell completions: multidc --generate-completion-script bash|zsh|fish (see README, Install).
            """,
        version: VersionCommand.text,
        subcommands: [
            InitCommand.self,
            ValidateCommand.self,
            RenderCommand.self,
            ImagesCommand.self,
            DiffCommand.self,
            ApplyCommand.self,
            StatusCommand.self,
            DestroyCommand.self,
            OutputCommand.self,
            VersionCommand.self,
        ]
    )

    /// ArgumentParser's `main()`, with every byte of output (help and errors too) going through
    /// `Output`, so that a failed write never traps and a failed stdout sets the exit code.
    /// Usage errors exit 64 (EX_USAGE), as ArgumentParser sets it.
    static func main() async {
        Output.prepare()
        var code: Int32 = 0
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let exit = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty { Output.write(message + "\n", to: exit == .success ? .out : .err) }
            code = exit.rawValue
        }
        Foundation.exit(Output.exitCode(for: code))
    }
}
