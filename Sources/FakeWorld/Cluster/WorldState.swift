import Foundation

/// Everything fakeworld remembers between invocations (`$FAKEWORLD_HOME/state.json`).
struct WorldState: Codable {
    var clusters: [String: ClusterState] = [:]
    /// Faults already consumed (`create-cluster:NAME`), so a `:once` fault fires once.
    var consumedFaults: [String] = []
    /// The KV data of each KMS Vault container, by full container id: path → field → value.
    var kms: [String: [String: [String: String]]] = [:]
    /// Raft clusters formed by the simulated Vault pods, by cluster id.
    var raft: [String: RaftCluster] = [:]
    var nextPort: Int = 0
}

/// One kind cluster as the simulation sees it.
struct ClusterState: Codable {
    var name: String
    var network: String
    var image: String
    var apiPort: Int
    var nodes: [String]
    var createdAt: Double
    var resourceVersion: Int = 0
    var nextIP: Int = 1
    /// Every API object, by ObjectKey.string.
    var objects: [String: JSON] = [:]
    /// Exact creation time (seconds since 1970) of each object, by the object's uid (latencies are sub-second).
    var born: [String: Double] = [:]
    /// Helm releases, by "namespace/name".
    var releases: [String: HelmRelease] = [:]
    /// Vault servers (one per Vault CR), by "namespace/name".
    var vaults: [String: VaultNode] = [:]

    init(name: String, network: String, image: String, apiPort: Int, nodes: [String], createdAt: Double) {
        self.name = name
        self.network = network
        self.image = image
        self.apiPort = apiPort
        self.nodes = nodes
        self.createdAt = createdAt
    }
}

/// A helm release and its history.
struct HelmRelease: Codable {
    struct Revision: Codable {
        var revision: Int
        var status: String
        var chartName: String
        var chartVersion: String
        var appVersion: String
        var values: JSON
        var updated: Double
        var firstDeployed: Double
        var description: String
    }
    var name: String
    var namespace: String
    var revisions: [Revision]
}

/// The simulated Vault server inside pod `<cr>-0`.
struct VaultNode: Codable {
    var podUID: String
    var initialized = false
    var sealed = true
    var raftID: String? = nil
    var nodeID: String
    var activeSince: Double? = nil
    var lastError: String? = nil
}

/// A Raft cluster of Vault nodes (possibly spanning kind clusters).
struct RaftCluster: Codable {
    var id: String
    var clusterName: String
    /// "cluster/namespace/name" of each member; the first is the leader.
    var members: [String]
    var index: Int
    /// The KMS container and keys this cluster was initialised with.
    var kmsContainer: String
    var unsealKeysPath: String
    var keys: [String: String]
}
