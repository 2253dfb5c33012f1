import YAML

/// A validated topology: the typed form of a `multidc/v1alpha1` `Topology` spec, with every
/// default applied (see specs/README.md for the format).
///
/// Values only: positions of the fields in the source live in `LoadedTopology`.
package struct Topology: Sendable, Equatable {
    package static let apiVersion = "multidc/v1alpha1"
    package static let kind = "Topology"

    /// `metadata.name`: a DNS-1123 label; names the ownership labels and the lock.
    package var name: String
    package var provider: Provider
    /// Default node image of every cluster; nil means kind's own default.
    package var nodeImage: String?
    /// `spec.kindConfig`: kind config fields passed through to every cluster (provider kind).
    package var kindConfig: KindConfig
    package var network: Network
    package var loadBalancer: LoadBalancer
    package var kms: KMS
    package var vaultOperator: VaultOperator
    /// Manifests applied to every cluster before the Vault CR.
    package var manifests: [FileReference]
    package var vault: Vault
    package var clusters: [Cluster]
    package var health: Health
    /// `spec.images`: images fetched once and loaded into every node (nil: each node pulls).
    package var images: Images?

    package init(
        name: String, provider: Provider = .kind, nodeImage: String? = nil, kindConfig: KindConfig = KindConfig(),
        network: Network = Network(), loadBalancer: LoadBalancer, kms: KMS, vaultOperator: VaultOperator,
        manifests: [FileReference] = [], vault: Vault, clusters: [Cluster], health: Health,
        images: Images? = nil
    ) {
        self.name = name
        self.provider = provider
        self.nodeImage = nodeImage
        self.kindConfig = kindConfig
        self.network = network
        self.loadBalancer = loadBalancer
        self.kms = kms
        self.vaultOperator = vaultOperator
        self.manifests = manifests
        self.vault = vault
        self.clusters = clusters
        self.health = health
        self.images = images
    }

    /// Where the clusters come from.
    package enum Provider: String, Sendable, Hashable, CaseIterable {
        /// multidc creates kind clusters on one Docker network.
        case kind
        /// The clusters are kubeconfig contexts that already exist.
        case existing
    }

    /// The leader cluster (the one whose Vault bootstraps Raft).
    package var leader: Cluster {
        clusters.first { $0.name == vault.leader } ?? clusters[0]
    }

    /// The index of a cluster by name.
    package func index(of cluster: String) -> Int? {
        clusters.firstIndex { $0.name == cluster }
    }

    /// The kubeconfig context of a cluster: `kind-<name>` for kind, its `context` otherwise.
    package func context(of cluster: Cluster) -> String {
        cluster.context ?? "kind-\(cluster.name)"
    }

    /// The node image a cluster uses (nil: kind's default).
    package func nodeImage(of cluster: Cluster) -> String? {
        cluster.nodeImage ?? nodeImage
    }

    /// The Vault template of a cluster (its own or the default).
    package func template(of cluster: Cluster) -> FileReference? {
        cluster.vaultTemplate ?? vault.template
    }
}

/// A path or URL named in a spec, resolved against the spec file's directory.
package struct FileReference: Sendable, Hashable, CustomStringConvertible {
    /// As written in the spec.
    package var written: String
    /// Absolute path (or the URL itself).
    package var resolved: String
    /// The path as the user sees it: joined to the spec path as the user gave it.
    package var display: String

    package init(written: String, resolved: String, display: String) {
        self.written = written
        self.resolved = resolved
        self.display = display
    }

    /// True for `http://` and `https://` references, which are never read from disk.
    package var isURL: Bool { FileReference.isURL(written) }

    /// True for `http://` and `https://` texts (any case of the scheme).
    package static func isURL(_ text: String) -> Bool {
        let lower = text.prefix(8).lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    package var description: String { display }
}

extension Topology {
    /// The KMS container's name, when the KMS is a container multidc runs.
    package var kmsContainerName: String? {
        if case .container(let name, _, _) = kms { return name }
        return nil
    }
}
