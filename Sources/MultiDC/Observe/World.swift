/// Everything observed about a topology's world at one moment: facts, never errors.
///
/// An engine that does not answer, a missing network, a stopped container or an unreachable
/// cluster are values here with a message; the planner decides what they mean.
package struct World: Sendable, Equatable {
    /// Whether the Docker engine answered.
    package enum Engine: Sendable, Equatable {
        /// docker was not needed (provider existing without a KMS container).
        case notObserved
        case reachable
        /// The docker CLI is missing, or the daemon does not answer: the message says which.
        case unreachable(String)
    }

    /// The docker network.
    package enum Network: Sendable, Equatable {
        case notObserved
        case absent
        case present(DockerNetwork)
        /// The read failed for another reason (engine down, unreadable output).
        case unknown(String)

        package var value: DockerNetwork? {
            if case .present(let network) = self { return network }
            return nil
        }
    }

    /// The KMS container.
    package enum KMS: Sendable, Equatable {
        /// No local KMS container in this topology.
        case notConfigured
        case absent
        /// Present, in whatever state (`container.state`).
        case present(DockerContainer)
        case unknown(String)

        package var container: DockerContainer? {
            if case .present(let container) = self { return container }
            return nil
        }
    }

    package var topologyName: String
    package var engine: Engine
    package var network: Network
    /// Every container docker lists (running or not), sorted by name, with `ipv4Address` set for
    /// those attached to the observed network. Empty when the engine was not read.
    package var containers: [DockerContainer]
    /// Why the container list could not be read although the engine answered (then
    /// `containers` and `kindClusters` are empty and the KMS is `.unknown`).
    package var containerListProblem: String?
    /// kind clusters as kind lists them (from node-container labels), sorted by name.
    package var kindClusters: [KindCluster]
    package var kms: KMS
    /// One entry per target cluster, in target order.
    package var clusters: [ClusterObservation]
    /// The clusters of `ObservationTarget.formerClusters`, in target order.
    package var formerClusters: [ClusterObservation] = []
    /// The Raft peers, as the active Vault node reports them.
    package var raft: RaftMembership = .notObserved("the Raft peers were not read")

    package init(
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

    package func container(named name: String) -> DockerContainer? { containers.first { $0.names.contains(name) } }
    package func kindCluster(named name: String) -> KindCluster? { kindClusters.first { $0.name == name } }
    package func cluster(named name: String) -> ClusterObservation? { clusters.first { $0.name == name } }

    /// Containers carrying this topology's ownership labels.
    package var ownedContainers: [DockerContainer] {
        containers.filter {
            $0.labels[Ownership.managedByKey] == Ownership.managedByValue && $0.labels[Ownership.topologyKey] == topologyName
        }
    }
}
