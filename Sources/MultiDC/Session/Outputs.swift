import Foundation
import YAML

/// Why `multidc output` has no value to print. Compare `code`, never the message.
package struct OutputError: Error, Sendable, Hashable, CustomStringConvertible {
    package struct Code: Sendable, Hashable {
        let name: String
        /// The name is none of the topology's outputs.
        package static let unknownName = Code(name: "unknownName")
        /// The value is a secret and `--sensitive` was not given.
        package static let sensitive = Code(name: "sensitive")
        /// The world does not have the value (not applied yet, stopped, pending, unreadable).
        package static let notKnown = Code(name: "notKnown")
    }

    package var code: Code
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }
}

/// The values `multidc output NAME` prints for scripts, like `terraform output -raw`: each read
/// from the world with one tool call at most (the KMS container's address and environment with
/// `docker inspect`, a cluster's Vault Service with one `kubectl get`), never from the spec's
/// expectations.
package enum Outputs {
    /// The output names of a topology, in documentation order.
    package static func names(_ topology: Topology) -> [String] {
        ["kms.address", "kms.url", "kms.token"] + topology.clusters.map { "cluster.\($0.name).loadBalancerIP" }
    }

    /// Names whose values are secrets: printed only with `--sensitive`.
    package static let sensitiveNames: Set<String> = ["kms.token"]
}

extension Session {
    /// The value of output `name` of the applied topology; a secret only when `sensitive`.
    package func output(_ name: String, loaded: LoadedTopology, sensitive: Bool) async throws(OutputError) -> String {
        let topology = loaded.topology
        let names = Outputs.names(topology)
        guard names.contains(name) else {
            let hint = EditDistance.suggestion(for: name, among: names).map { "; did you mean '\($0)'?" } ?? "."
            throw OutputError(
                .unknownName,
                "unknown output '\(name)'\(hint) The outputs of topology \(topology.name) are: "
                    + names.map { Outputs.sensitiveNames.contains($0) ? "\($0) (with --sensitive)" : $0 }.joined(separator: ", "))
        }
        if Outputs.sensitiveNames.contains(name) && !sensitive {
            throw OutputError(
                .sensitive,
                "\(name) is sensitive (the KMS root token opens every unseal key); multidc prints it only with --sensitive, so that it never lands in a log by accident"
            )
        }
        switch name {
        case "kms.address": return try await kmsAddress(topology)
        case "kms.url":
            if case .external(let url, _) = topology.kms { return url }
            return "http://\(try await kmsAddress(topology)):8200"
        case "kms.token": return try await kmsToken(topology).reveal()
        default:
            let cluster = String(name.dropFirst("cluster.".count).dropLast(".loadBalancerIP".count))
            return try await loadBalancerIP(topology, cluster: cluster)
        }
    }

    /// The KMS's address: the container's IPv4 address on the network (`docker inspect`), or
    /// the host of an external KMS's URL.
    private func kmsAddress(_ topology: Topology) async throws(OutputError) -> String {
        guard case .container(let name, _, _) = topology.kms else {
            if case .external(let url, _) = topology.kms { return TemplateValues.host(of: url) }
            throw OutputError(.notKnown, "topology \(topology.name) has no KMS")
        }
        let result = try await inspect(Docker.containerAddress(name, network: topology.network.name), container: name)
        let address = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard IPAddress(address) != nil else {
            throw OutputError(
                .notKnown, "KMS container \(name) has no address on network \(topology.network.name) (is it running?); run multidc apply")
        }
        return address
    }

    /// The KMS root token: the running container's own (`docker inspect` of its environment, as
    /// the steps read it), or an external KMS's from `rootToken.fromEnv`.
    private func kmsToken(_ topology: Topology) async throws(OutputError) -> Secret {
        guard case .container(let name, _, _) = topology.kms else {
            if case .fromEnv(let variable) = topology.kms.rootToken, let value = environment[variable], !value.isEmpty {
                return Secret(value)
            }
            throw OutputError(.notKnown, "the KMS root token is not known: spec.kms.rootToken.fromEnv names a variable that is not set")
        }
        let result = try await inspect(Docker.containerEnvironment(name), container: name)
        guard let token = Docker.environmentValue("VAULT_DEV_ROOT_TOKEN_ID", in: result) else {
            throw OutputError(.notKnown, "KMS container \(name) has no VAULT_DEV_ROOT_TOKEN_ID")
        }
        return Secret(token)
    }

    /// A `docker inspect` of the KMS container, with its failures as sentences.
    private func inspect(_ command: Command, container name: String) async throws(OutputError) -> CommandResult {
        let result: CommandResult
        do {
            result = try await runner.run(command)
        } catch {
            throw OutputError(.notKnown, "cannot inspect KMS container \(name): \(error)")
        }
        guard result.isSuccess else {
            if let down = Docker.engineUnreachableMessage(result) {
                throw OutputError(.notKnown, "the Docker engine does not answer: \(down)")
            }
            if Docker.isNotFound(result) { throw OutputError(.notKnown, "KMS container \(name) does not exist; run multidc apply") }
            throw OutputError(.notKnown, "cannot inspect KMS container \(name): \(result.lastErrorLine)")
        }
        return result
    }

    /// The LoadBalancer address of the cluster's Vault Service (one `kubectl get services`).
    private func loadBalancerIP(_ topology: Topology, cluster name: String) async throws(OutputError) -> String {
        guard let cluster = topology.clusters.first(where: { $0.name == name }) else {
            throw OutputError(.unknownName, "no cluster \(name) in topology \(topology.name)")
        }
        let command = Kubectl(context: topology.context(of: cluster)).get(["services"], namespace: topology.vault.namespace)
        let items: [Node]
        do {
            let result = try await runner.run(command)
            guard result.isSuccess else {
                throw OutputError(.notKnown, "cannot read the Services of cluster \(name): \(Kubectl.failure(of: result))")
            }
            items = try Kubectl.parseObjects(result)
        } catch let error as OutputError {
            throw error
        } catch {
            throw OutputError(.notKnown, "cannot read the Services of cluster \(name): \(error)")
        }
        let objects = ClusterObjects(
            items: items, vaultNamespace: topology.vault.namespace, sharedSecretNames: [],
            operatorRelease: topology.vaultOperator.release, operatorNamespace: topology.vaultOperator.namespace)
        guard let service = objects.vaultServices.first(where: { $0.type == "LoadBalancer" }) else {
            throw OutputError(
                .notKnown, "cluster \(name) has no Vault LoadBalancer Service in namespace \(topology.vault.namespace); run multidc apply")
        }
        guard let address = service.loadBalancerIP else {
            throw OutputError(.notKnown, "the LoadBalancer address of Service \(service.name) in cluster \(name) is not assigned yet")
        }
        return address
    }
}
