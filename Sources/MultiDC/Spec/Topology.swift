import YAML

/// A validated topology: the typed form of a `multidc/v1alpha1` `Topology` spec, with every
/// default applied (see specs/README.md for the format).
///
/// Values only: positions of the fields in the source live in `LoadedTopology`.
public struct Topology: Sendable, Equatable {
    public static let apiVersion = "multidc/v1alpha1"
    public static let kind = "Topology"

    /// `metadata.name`: a DNS-1123 label; names the ownership labels and the lock.
    public var name: String
    public var provider: Provider
    /// Default node image of every cluster; nil means kind's own default.
    public var nodeImage: String?
    public var network: Network
    public var loadBalancer: LoadBalancer
    public var kms: KMS
    public var vaultOperator: VaultOperator
    /// Manifests applied to every cluster before the Vault CR.
    public var manifests: [FileReference]
    public var vault: Vault
    public var clusters: [Cluster]
    public var health: Health

    public init(
        name: String, provider: Provider = .kind, nodeImage: String? = nil, network: Network = Network(),
        loadBalancer: LoadBalancer, kms: KMS, vaultOperator: VaultOperator, manifests: [FileReference] = [],
        vault: Vault, clusters: [Cluster], health: Health
    ) {
        self.name = name
        self.provider = provider
        self.nodeImage = nodeImage
        self.network = network
        self.loadBalancer = loadBalancer
        self.kms = kms
        self.vaultOperator = vaultOperator
        self.manifests = manifests
        self.vault = vault
        self.clusters = clusters
        self.health = health
    }

    /// Where the clusters come from.
    public enum Provider: String, Sendable, Hashable, CaseIterable {
        /// multidc creates kind clusters on one Docker network.
        case kind
        /// The clusters are kubeconfig contexts that already exist.
        case existing
    }

    /// The leader cluster (the one whose Vault bootstraps Raft).
    public var leader: Cluster {
        clusters.first { $0.name == vault.leader } ?? clusters[0]
    }

    /// The index of a cluster by name.
    public func index(of cluster: String) -> Int? {
        clusters.firstIndex { $0.name == cluster }
    }

    /// The kubeconfig context of a cluster: `kind-<name>` for kind, its `context` otherwise.
    public func context(of cluster: Cluster) -> String {
        cluster.context ?? "kind-\(cluster.name)"
    }

    /// The node image a cluster uses (nil: kind's default).
    public func nodeImage(of cluster: Cluster) -> String? {
        cluster.nodeImage ?? nodeImage
    }

    /// The Vault template of a cluster (its own or the default).
    public func template(of cluster: Cluster) -> FileReference? {
        cluster.vaultTemplate ?? vault.template
    }
}

/// A path or URL named in a spec, resolved against the spec file's directory.
public struct FileReference: Sendable, Hashable, CustomStringConvertible {
    /// As written in the spec.
    public var written: String
    /// Absolute path (or the URL itself).
    public var resolved: String
    /// The path as the user sees it: joined to the spec path as the user gave it.
    public var display: String

    public init(written: String, resolved: String, display: String) {
        self.written = written
        self.resolved = resolved
        self.display = display
    }

    /// True for `http://` and `https://` references, which are never read from disk.
    public var isURL: Bool { FileReference.isURL(written) }

    /// True for `http://` and `https://` texts (any case of the scheme).
    public static func isURL(_ text: String) -> Bool {
        let lower = text.prefix(8).lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    public var description: String { display }
}

extension Topology {
    /// The KMS container's name, when the KMS is a container multidc runs.
    public var kmsContainerName: String? {
        if case .container(let name, _, _) = kms { return name }
        return nil
    }
}
