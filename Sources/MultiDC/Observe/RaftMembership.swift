import YAML

/// Where multidc can run the vault CLI as root: a running Vault pod and the key store its CR
/// names (the root token is read there, inside the pod; see `VaultCLI.asRoot`).
package struct RaftAccess: Sendable, Hashable {
    package var cluster: String
    package var context: String
    package var kubeconfig: String?
    package var namespace: String
    package var pod: String
    package var keyStore: VaultCLI.KeyStore

    package init(cluster: String, context: String, kubeconfig: String? = nil, namespace: String, pod: String, keyStore: VaultCLI.KeyStore) {
        self.cluster = cluster
        self.context = context
        self.kubeconfig = kubeconfig
        self.namespace = namespace
        self.pod = pod
        self.keyStore = keyStore
    }

    /// `kubectl exec -i POD -c vault -- sh -c '…vault ARGS…'` with the KMS token on stdin.
    package func command(_ vaultArguments: [String]) -> Command {
        let (arguments, input) = VaultCLI.asRoot(keyStore, vaultArguments)
        var command = Kubectl(context: context, kubeconfig: kubeconfig).exec(
            pod: pod, namespace: namespace, container: "vault", stdin: true, arguments)
        command.standardInput = input
        return command
    }

    /// The first cluster of `order` with a Running, Ready Vault pod whose CR names a KV key store;
    /// else why none can be used.
    package static func find(
        in clusters: [ClusterObservation], order: [String], target: ObservationTarget
    ) -> Result<RaftAccess, RaftAccessError> {
        var why: [String] = []
        for name in order {
            guard let observed = clusters.first(where: { $0.name == name }), observed.reachability.isReachable,
                let spec = target.clusters.first(where: { $0.name == name })
            else { continue }
            let pods = observed.objects.vaultPods.filter { $0.phase == "Running" && $0.ready && $0.vaultCR != nil }
            guard let pod = pods.first, let cr = observed.objects.vaults[pod.vaultCR!] else {
                continue
            }
            switch VaultCLI.KeyStore.from(vaultCR: cr.node) {
            case .success(let store):
                return .success(
                    RaftAccess(
                        cluster: name, context: spec.context, kubeconfig: spec.kubeconfig, namespace: pod.namespace, pod: pod.name,
                        keyStore: store))
            case .failure(let error):
                why.append("\(name)/\(pod.name): \(error)")
            }
        }
        return .failure(RaftAccessError(why.isEmpty ? "no cluster has a Ready Vault pod" : why.joined(separator: "; ")))
    }
}

package struct RaftAccessError: Error, Sendable, Hashable, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}

/// The Raft configuration as the active node reports it (`vault operator raft list-peers`).
package enum RaftMembership: Sendable, Equatable {
    /// Not read: no Vault pod runs yet, or the topology has no Vault to read (the reason says).
    case notObserved(String)
    /// The servers, read through `access`.
    case peers([RaftPeer], access: RaftAccess)
    /// The read failed (sealed, no leader, permission denied, …): the message says how.
    case unknown(String, access: RaftAccess)

    package var peers: [RaftPeer]? {
        if case .peers(let peers, _) = self { return peers }
        return nil
    }

    package var access: RaftAccess? {
        switch self {
        case .notObserved: nil
        case .peers(_, let access), .unknown(_, let access): access
        }
    }

    /// Why the peers are not known (nil when they are).
    package var problem: String? {
        switch self {
        case .peers: nil
        case .notObserved(let why): why
        case .unknown(let why, _): why
        }
    }
}

extension RaftMembership {
    /// Reads the peers through `access`, one process.
    package static func read(_ access: RaftAccess, runner: any CommandRunner, timeout: Duration?) async -> RaftMembership {
        var command = access.command(VaultCLI.listPeers())
        if command.timeout == nil { command.timeout = timeout }
        do {
            let result = try await runner.run(command)
            guard result.isSuccess else {
                // kubectl exec ends with "command terminated with exit code N"; the cause is above it.
                let lines = result.stderr.split(whereSeparator: \.isNewline).map(String.init).filter {
                    !$0.allSatisfy(\.isWhitespace) && !$0.hasPrefix("command terminated with exit code")
                }
                return .unknown(
                    "list-peers in \(access.cluster)/\(access.pod) failed: \(lines.last ?? result.lastErrorLine)", access: access)
            }
            return .peers(try VaultCLI.parsePeers(result.stdout), access: access)
        } catch let error as ToolOutputError {
            return .unknown(error.description, access: access)
        } catch {
            return .unknown("list-peers in \(access.cluster)/\(access.pod) failed: \(error)", access: access)
        }
    }
}
