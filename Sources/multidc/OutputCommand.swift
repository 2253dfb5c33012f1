import ArgumentParser
import MultiDC

/// `multidc output SPEC NAME`: one value of the applied topology for scripts, like
/// `terraform output -raw`.
struct OutputCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "output",
        abstract: "Print one value of the applied topology (kms.address, kms.url, cluster.<name>.loadBalancerIP, kms.token).",
        usage: "multidc output <spec>|- <name> [--sensitive] [--rev REV] [--base DIR] [--kubeconfig PATH] [--no-color]",
        discussion: """
            Prints exactly the value and a newline, read from the world (not from the spec): kms.address and kms.url from the KMS container (docker inspect), cluster.<name>.loadBalancerIP from the cluster's Vault Service, and kms.token — the KMS root token, from the KMS container's environment — only with --sensitive. An unknown name lists the topology's names.

            Exit status: 0 printed; 1 the world does not have the value (not applied, pending, unreachable); 64 an unknown name, or kms.token without --sensitive.

            Examples:
              multidc output examples/vault-raft/spec.yaml kms.url
              export VAULT_ADDR=$(multidc output spec.yaml kms.url)
              VAULT_TOKEN=$(multidc output spec.yaml kms.token --sensitive) vault status
              multidc output spec.yaml cluster.primary.loadBalancerIP
            """
    )

    @Argument(help: "The Topology spec file, or - to read it from standard input.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String

    @Argument(help: "The value to print: kms.address, kms.url, kms.token (with --sensitive), cluster.<name>.loadBalancerIP.")
    var name: String

    @Flag(help: "Allow printing a sensitive value (kms.token).")
    var sensitive = false

    @OptionGroup var source: SpecSourceOptions
    @OptionGroup var tools: ToolOptions
    @OptionGroup var common: CommonOptions

    func validate() throws { try source.check(spec: spec) }

    func run() async throws {
        common.activate()
        let session = tools.session()
        let loaded = try await SpecLoading.load(spec, source: source, session: session)
        do {
            let value = try await session.output(name, loaded: loaded, sensitive: sensitive)
            Terminal.out(value + "\n")
        } catch {
            Terminal.err("error: \(error.message)")
            // A name refused is a usage error (64), as ArgumentParser's own refusals are.
            throw error.code == .unknownName || error.code == .sensitive ? ExitCode.validationFailure : ExitCode(1)
        }
    }
}
