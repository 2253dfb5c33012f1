import Foundation

/// The central KMS: a dev-mode Vault container on the network that keeps every cluster's unseal
/// keys. Its root token travels in a 0600 env file; a label on the container carries the
/// token's SHA-256 so a plan can compare tokens without reading one.
enum KMSResource: GlobalRule, GlobalDestroyRule {
    /// Label on the KMS container: the SHA-256 of its root token.
    static let tokenFingerprintLabel = "multidc/kms-token-sha256"

    static func planApply(_ plan: inout PlanBuilder) {
        let topology = plan.topology
        let expectedToken: String?
        switch topology.kms.rootToken {
        case .fromEnv(let variable):
            if let value = plan.input.environment[variable], !value.isEmpty {
                expectedToken = SHA256.hex(value)
            } else {
                plan.problems.append(
                    PlanProblem(
                        "environment variable \(variable) is not set; spec.kms.rootToken.fromEnv takes the KMS root token from it (export it, or use rootToken: { generate: true })"
                    ))
                expectedToken = nil
            }
        case .generate:
            expectedToken = nil
        }
        guard case .container(let name, let image, _) = topology.kms else {
            plan.tokenFingerprint = expectedToken
            return
        }
        let network = topology.network.name
        let withVault = plan.world.clusters.filter { !$0.objects.vaults.isEmpty }.map(\.name)
        let loss =
            withVault.isEmpty
            ? nil
            : "the unseal keys of the Vault clusters in \(withVault.joined(separator: ", ")) live in KMS container \(name); a new KMS has none, so those Vault clusters are re-initialised and their data is lost"
        let resource = "KMS container \(name)"
        switch plan.world.kms {
        case .absent, .notConfigured:
            plan.kmsIsNew = true
            plan.tokenFingerprint = expectedToken
            plan.add(
                PlanAction(
                    id: .kms, change: .create, step: Run(name: name, image: image, network: network, removeFirst: false),
                    resource: resource, reason: "no container named \(name); run \(image) in dev mode on network \(network)",
                    needs: [.network], dataLoss: loss))
        case .unknown(let message):
            plan.problems.append(PlanProblem("cannot inspect KMS container \(name): \(message)"))
        case .present(let container):
            guard container.labels[Ownership.topologyKey] == topology.name else {
                plan.problems.append(
                    PlanProblem(
                        "container \(name) exists but does not belong to topology \(topology.name) (label \(Ownership.topologyKey)=\(container.labels[Ownership.topologyKey] ?? "absent")); rename spec.kms.name or remove the container"
                    ))
                return
            }
            let fingerprint = container.labels[tokenFingerprintLabel]
            var replaceReason: String?
            var observed: String?
            if plan.networkReplaced {
                replaceReason = "network \(network) is replaced"
            } else if imageDiffers(container.image, image) {
                replaceReason = "it runs image \(container.image), the spec says \(image)"
                observed = container.image
            } else if let expectedToken, fingerprint != expectedToken {
                if case .fromEnv(let variable) = topology.kms.rootToken {
                    replaceReason = "its root token differs from the one in $\(variable)"
                }
                observed = "another token"
            } else if !container.networks.contains(network) {
                replaceReason = "it is not on network \(network)"
                observed = container.networks.joined(separator: ",")
            }
            if let replaceReason {
                plan.kmsIsNew = true
                plan.tokenFingerprint = expectedToken
                plan.add(
                    PlanAction(
                        id: .kms, change: .replace,
                        // Network replacement removes the container with the network.
                        step: Run(name: name, image: image, network: network, removeFirst: !plan.networkReplaced),
                        resource: resource, reason: replaceReason, observed: observed, needs: [.network], dataLoss: loss))
                return
            }
            plan.tokenFingerprint = expectedToken ?? fingerprint
            plan.kmsKeysLost = keysLost(plan, container: container, name: name)
            let lostNote = plan.kmsKeysLost.map { "; it lost its unseal keys: \($0)" } ?? ""
            if container.state == .paused {
                // `docker start` refuses a paused container ("cannot start a paused container,
                // try unpause instead"; docs/tools.md#docker-lifecycle).
                plan.add(
                    PlanAction(
                        id: .kms, change: .update, step: Unpause(names: [name]), resource: resource,
                        reason: "the container is paused; unpause it", observed: "paused"))
            } else if container.isRunning {
                plan.add(
                    PlanAction(
                        id: .kms, change: .inSync, step: Start(names: [name]), resource: resource,
                        reason: "running \(container.image)\(lostNote)"))
            } else {
                plan.add(
                    PlanAction(
                        id: .kms, change: .update, step: Start(names: [name]), resource: resource,
                        reason: "the container is \(container.state); start it\(lostNote)", observed: container.state.description))
            }
        }
    }

    /// Why a kept KMS container no longer holds the unseal keys of the Vault clusters that exist
    /// (nil: it holds them, or nothing tells otherwise).
    ///
    /// The KMS is a dev-mode Vault: everything lives in memory and is gone once the process stops
    /// (docs/tools.md#vault-dev). `docker ps` shows no start time (only `Status`, "Up 5 minutes",
    /// docs/tools.md#docker-ps), so the start is tracked through what `docker network inspect`
    /// — already read by observation, no extra process — shows: the container's `EndpointID`,
    /// which docker creates anew each time the container starts. The Vault step records it on
    /// each cluster's ownership record (`multidc/kms-endpoint`) when it applies the CR; a KMS that
    /// is stopped, or whose endpoint differs from a recorded one, has lost the keys.
    static func keysLost(_ plan: PlanBuilder, container: DockerContainer, name: String) -> String? {
        let withVault = plan.world.clusters.filter { !$0.objects.vaults.isEmpty }
        guard !withVault.isEmpty else { return nil }
        let names = withVault.map(\.name).joined(separator: ", ")
        if container.state != .running && container.state != .paused && container.state != .restarting {
            return
                "KMS container \(name) is \(container.state), and a dev-mode Vault keeps the unseal keys of the Vault clusters in \(names) in memory only"
        }
        guard let endpoint = plan.world.network.value?.attachment(for: name)?.endpointID else { return nil }
        let restarted = withVault.filter {
            guard let recorded = OwnershipResource.annotations($0.objects.ownership)[OwnershipResource.kmsEndpointKey] else { return false }
            return recorded != endpoint
        }
        guard !restarted.isEmpty else { return nil }
        return
            "KMS container \(name) restarted since the Vault clusters in \(restarted.map(\.name).joined(separator: ", ")) wrote their unseal keys into it (its network endpoint changed), and a dev-mode Vault keeps them in memory only"
    }

    static func planDestroy(_ plan: inout PlanBuilder) {
        guard case .container(let name, _, _) = plan.topology.kms, let container = plan.world.kms.container else { return }
        let topology = plan.topology.name
        guard container.labels[Ownership.topologyKey] == topology else {
            plan.notes.append("container \(name) is left alone: it does not carry label \(Ownership.topologyKey)=\(topology)")
            return
        }
        let clusterDeletes = plan.actions.compactMap { action -> ActionID? in
            switch action.id {
            case .cluster, .ownership: action.id
            default: nil
            }
        }
        plan.add(
            PlanAction(
                id: .kms, change: .delete, step: Remove(names: [name]), resource: "KMS container \(name)",
                reason: "owned by topology \(topology)", needs: clusterDeletes,
                dataLoss: "the unseal keys and root tokens kept in KMS container \(name)"))
    }

    /// Whether a container runs another image than the spec names. `docker ps` shows the image
    /// ID instead of the name once the tag has moved to a newer image (a re-pull or re-import):
    /// that container still runs what the name meant when it was created, so it is not drift —
    /// replacing it would lose data for nothing.
    static func imageDiffers(_ observed: String, _ wanted: String) -> Bool {
        if observed == wanted { return false }
        let hex = observed.hasPrefix("sha256:") ? String(observed.dropFirst(7)) : observed
        let isImageID = hex.count >= 12 && hex.allSatisfy { $0.isHexDigit && !$0.isUppercase }
        return !isImageID
    }

    /// Runs the KMS in dev mode with its root token in a 0600 env file, then learns its address.
    struct Run: Step {
        var name: String
        var image: String
        var network: String
        var removeFirst: Bool

        func run(_ context: StepContext) async throws {
            if removeFirst { try await context.check(Docker.removeForce([name])) }
            let token: Secret
            switch context.topology.kms.rootToken {
            case .fromEnv(let variable):
                guard let value = context.environment[variable], !value.isEmpty else {
                    throw StepError(.missingValue, "environment variable \(variable) is not set")
                }
                token = Secret(value)
            case .generate:
                token = Secret("multidc." + randomHex(24))
            }
            // The token travels in a 0600 env file, never on an argv.
            let file = try SecretFile(contents: "VAULT_DEV_ROOT_TOKEN_ID=\(token.reveal())\n")
            defer { file.remove() }
            var labels = Ownership.labels(topology: context.topology.name)
            labels[tokenFingerprintLabel] = SHA256.hex(token.reveal())
            // The pools, for other topologies on the network to see (PoolResource.refuseOverlaps).
            if case .metallb = context.topology.loadBalancer, let subnet = try? await context.subnet(),
                case .success(let pools) = PoolSlicer.pools(for: context.topology, subnet: subnet)
            {
                labels[PoolResource.poolsLabel] = PoolResource.poolsLabelValue(pools)
            }
            let command = Docker.run(
                name: name, image: image, network: network, restart: "unless-stopped", labels: labels, envFile: file.path)
            let result = try await context.run(command)
            if !result.isSuccess {
                // A failed `docker run` can leave a container in state created: remove it.
                _ = try? await context.run(Docker.removeForce([name]))
                throw ToolFailure(command, result)
            }
            context.state.kmsToken = token
            context.state.kmsAddress = nil
            guard let address = try await context.kmsAddress() else { return }
            context.progress("KMS \(name) runs at \(address)")
        }
    }

    /// `docker start` of the stopped KMS container.
    struct Start: Step {
        var names: [String]
        func run(_ context: StepContext) async throws { try await context.check(Docker.start(names)) }
    }

    /// `docker unpause` of the paused KMS container.
    struct Unpause: Step {
        var names: [String]
        func run(_ context: StepContext) async throws { try await context.check(Docker.unpause(names)) }
    }

    /// `docker rm -f -v`.
    struct Remove: Step {
        var names: [String]
        func run(_ context: StepContext) async throws { try await context.check(Docker.removeForce(names)) }
    }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
