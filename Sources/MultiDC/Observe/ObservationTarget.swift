/// What to observe: the observer's own plain input, independent of the spec model (the planner
/// maps a Topology onto it).
package struct ObservationTarget: Sendable, Equatable {
    /// Where the clusters come from.
    package enum Provider: String, Sendable, Equatable {
        /// kind clusters on a local docker network: docker is observed.
        case kind
        /// Existing kubeconfig contexts: docker is observed only for a KMS container.
        case existing
    }

    /// One cluster to observe through its kubeconfig context.
    package struct Cluster: Sendable, Equatable {
        /// The cluster's name in the topology (for kind: the kind cluster name).
        package var name: String
        package var context: String
        /// A kubeconfig file; nil uses kubectl's and helm's defaults (`$KUBECONFIG`, `~/.kube/config`).
        package var kubeconfig: String?

        package init(name: String, context: String, kubeconfig: String? = nil) {
            self.name = name
            self.context = context
            self.kubeconfig = kubeconfig
        }
    }

    package var topologyName: String
    package var provider: Provider
    /// The docker network (kind provider); nil skips the network read.
    package var networkName: String?
    /// The KMS container's name; nil when the KMS is not a local container.
    package var kmsContainerName: String?
    package var clusters: [Cluster]
    /// Namespace of the Vault CRs, pods, Services and shared Secrets.
    package var vaultNamespace: String
    /// Names of the Secrets (in `vaultNamespace`) copied from the leader to the others.
    package var sharedSecretNames: [String]
    package var operatorRelease: String
    package var operatorNamespace: String
    /// Also read MetalLB's IPAddressPool and L2Advertisement objects (MetalLB ≥ v0.13). Reading a
    /// kind whose CRD is missing costs one more kubectl call, so say whether the spec expects them.
    package var metalLBCustomResources: Bool
    /// Clusters whose Vault pod may answer `list-peers`, in the order to try (the spec's leader
    /// first); empty: the Raft peers are not read.
    package var raftSourceOrder: [String] = []
    /// Clusters no longer in the spec that this topology may own (this machine's creation
    /// record names them): observed like the others, so the planner can prune them.
    package var formerClusters: [Cluster] = []

    package init(
        topologyName: String, provider: Provider = .kind, networkName: String? = "kind", kmsContainerName: String? = nil,
        clusters: [Cluster], vaultNamespace: String = "default", sharedSecretNames: [String] = [],
        operatorRelease: String = "vault-operator", operatorNamespace: String = "default", metalLBCustomResources: Bool = false
    ) {
        self.topologyName = topologyName
        self.provider = provider
        self.networkName = networkName
        self.kmsContainerName = kmsContainerName
        self.clusters = clusters
        self.vaultNamespace = vaultNamespace
        self.sharedSecretNames = sharedSecretNames
        self.operatorRelease = operatorRelease
        self.operatorNamespace = operatorNamespace
        self.metalLBCustomResources = metalLBCustomResources
    }

    /// Whether the observation needs docker at all.
    package var needsDocker: Bool { provider == .kind || kmsContainerName != nil }
}
