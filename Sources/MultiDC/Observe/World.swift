/// Everything observed about a topology's world at one moment: facts, never errors.
///
/// An engine that does not answer, a missing network, a stopped container or an unreachable
/// cluster are values here with a message; the planner decides what they mean.
public struct World: Sendable, Equatable {
    /// Whether the Docker engine answered.
    public enum Engine: Sendable, Equatable {
        /// docker was not needed (provider existing without a KMS container).
        case notObserved
        case reachable
        /// The docker CLI is missing, or the daemon does not answer: the message says which.
        case unreachable(String)
    }

    /// The docker network.
    public enum Network: Sendable, Equatable {
        case notObserved
        case absent
        case present(DockerNetwork)
        /// The read failed for another reason (engine down, unreadable output).
        case unknown(String)

        public var value: DockerNetwork? {
            if case .present(let network) = self { return network }
            return nil
        }
    }

    /// The KMS container.
    public enum KMS: Sendable, Equatable {
        /// No local KMS container in this topology.
        case notConfigured
        case absent
        /// Present, in whatever state (`container.state`).
        case present(DockerContainer)
        case unknown(String)

        public var container: DockerContainer? {
            if case .present(let container) = self { return container }
            return nil
        }
    }

    public var topologyName: String
    public var engine: Engine
    public var network: Network
    /// Every container docker lists (running or not), sorted by name, with `ipv4Address` set for
    /// those attached to the observed network. Empty when the engine was not read.
    public var containers: [DockerContainer]
    /// Why the container list could not be read although the engine answered (then
    /// `containers` and `kindClusters` are empty and the KMS is `.unknown`).
    public var containerListProblem: String?
    /// kind clusters as kind lists them (from node-container labels), sorted by name.
    public var kindClusters: [KindCluster]
    public var kms: KMS
    /// One entry per target cluster, in target order.
    public var clusters: [ClusterObservation]

    public init(
        topologyName: String, engine: Engine = .notObserved, network: Network = .notObserved, containers: [DockerContainer] = [],
        kindClusters: [KindCluster] = [], kms: KMS = .notConfigured, clusters: [ClusterObservation] = []
    ) {
        self.topologyName = topologyName
        self.engine = engine
        self.network = network
        self.containers = containers
        self.kindClusters = kindClusters
        self.kms = kms
        self.clusters = clusters
    }

    public func container(named name: String) -> DockerContainer? { containers.first { $0.names.contains(name) } }
    public func kindCluster(named name: String) -> KindCluster? { kindClusters.first { $0.name == name } }
    public func cluster(named name: String) -> ClusterObservation? { clusters.first { $0.name == name } }

    /// Containers carrying this topology's ownership labels.
    public var ownedContainers: [DockerContainer] {
        containers.filter {
            $0.labels[Ownership.managedByKey] == Ownership.managedByValue && $0.labels[Ownership.topologyKey] == topologyName
        }
    }
}
