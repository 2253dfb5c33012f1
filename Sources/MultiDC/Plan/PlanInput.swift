/// Everything `Planner.plan` reads: the loaded spec, the observed world and the few facts
/// from the caller's environment (the KMS token variable, the manifests' digest).
package struct PlanInput: Sendable {
    package var loaded: LoadedTopology
    package var world: World
    /// The process environment, for `rootToken.fromEnv`.
    package var environment: [String: String]
    /// SHA-256 of the spec's `manifests` files, in order (nil when there are none): the
    /// loader's digest unless a caller (a test) gives another.
    package var manifestDigest: String?
    /// `apply --adopt`: kind clusters without an ownership record are taken over.
    package var adopt: Bool
    /// The kind clusters an earlier apply on this machine created (`CreationRecord`): adopted
    /// without --adopt when they lack an ownership record (an interrupted run).
    package var createdClusters: Set<String>

    package init(
        loaded: LoadedTopology, world: World, environment: [String: String] = [:], manifestDigest: String? = nil, adopt: Bool = false,
        createdClusters: Set<String> = []
    ) {
        self.loaded = loaded
        self.world = world
        self.environment = environment
        self.manifestDigest = manifestDigest ?? loaded.manifestDigest
        self.adopt = adopt
        self.createdClusters = createdClusters
    }

    package var topology: Topology { loaded.topology }
}

extension ObservationTarget {
    /// What to observe for a topology.
    package init(_ topology: Topology, kubeconfig: String? = nil) {
        let kmsName: String?
        if case .container(let name, _, _) = topology.kms { kmsName = name } else { kmsName = nil }
        self.init(
            topologyName: topology.name,
            provider: topology.provider == .kind ? .kind : .existing,
            networkName: topology.provider == .kind ? topology.network.name : nil,
            kmsContainerName: kmsName,
            clusters: topology.clusters.map { Cluster(name: $0.name, context: topology.context(of: $0), kubeconfig: kubeconfig) },
            vaultNamespace: topology.vault.namespace,
            sharedSecretNames: topology.vault.shareSecrets,
            operatorRelease: topology.vaultOperator.release,
            operatorNamespace: topology.vaultOperator.namespace,
            metalLBCustomResources: {
                if case .metallb(let m) = topology.loadBalancer { return m.mode == .customResources }
                return false
            }())
        raftSourceOrder = [topology.leader.name] + topology.clusters.map(\.name).filter { $0 != topology.leader.name }
    }
}
