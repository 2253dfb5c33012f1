import ArgumentParser
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
              multidc validate examples/vault-raft/spec.yaml
              multidc diff examples/vault-raft/spec.yaml
              multidc apply examples/vault-raft/spec.yaml --yes
              multidc status examples/vault-raft/spec.yaml
              multidc destroy examples/vault-raft/spec.yaml --yes
            """,
        version: MultiDCVersion.current,
        subcommands: [
            ValidateCommand.self,
            RenderCommand.self,
            DiffCommand.self,
            ApplyCommand.self,
            StatusCommand.self,
            DestroyCommand.self,
        ]
    )
}
