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
    /// State.StartedAt of each KMS container when its data was recorded: a dev-mode Vault keeps
    /// everything in memory, so a stop/start (or restart) loses it [SRC hashicorp/vault
    /// command/server.go v1.15.0: `-dev` uses the "inmem" storage backend].
    var kmsStartedAt: [String: String] = [:]
    /// Persistent world settings (`fakeworld config`): "helm-major", "image-store", "lb-hostname/CLUSTER",
    /// "cloud-lb/CLUSTER".
    var config: [String: String] = [:]

    var helmMajor: Int { Int(config["helm-major"] ?? "") ?? 3 }
    /// The host engine's image store as `kind load docker-image` meets it: "classic" (default) or
    /// "containerd" (multi-platform images with only the native platform's content).
    var imageStore: String { config["image-store"] ?? "classic" }
    func lbHostname(_ cluster: String) -> Bool { config["lb-hostname/\(cluster)"] == "on" }
    /// A cloud's service controller gives LoadBalancer Services an external ip (GKE-like).
    func cloudLB(_ cluster: String) -> Bool { config["cloud-lb/\(cluster)"] == "on" }
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
    /// The cluster-level fields of the kind config it was created with (featureGates,
    /// runtimeConfig, kubeadm and containerd patches), as kind decoded them; nil when none.
    var kindConfig: [String: JSON]? = nil
    /// What is written on each PersistentVolumeClaim's volume, by the claim's uid (a deleted
    /// claim takes its data with it): the Vault Raft storage of the pod that mounts it.
    var volumes: [String: RaftStorage] = [:]
    /// The nodes' kubelets and containerd image stores (nil in state written before images were
    /// modelled; read and written through `images`). Lives as long as the cluster.
    var kubelet: KubeletState? = nil

    var images: KubeletState {
        get { kubelet ?? KubeletState() }
        set { kubelet = newValue }
    }

    init(name: String, network: String, image: String, apiPort: Int, nodes: [String], createdAt: Double) {
        self.name = name
        self.network = network
        self.image = image
        self.apiPort = apiPort
        self.nodes = nodes
        self.createdAt = createdAt
    }
}

/// What the nodes' container runtimes hold and what their kubelets pull.
struct KubeletState: Codable, Equatable {
    /// Each node's images: node → normalised reference (`docker.io/library/busybox:latest`) → image.
    var onNode: [String: [String: ImageOnNode]] = [:]
    /// Until when each node's kubelet is busy pulling (pulls are serialised per node).
    var pullBusyUntil: [String: Double] = [:]
    /// When each pod's container has its image: pod uid → "container|normalised ref" → time.
    var podImages: [String: [String: Double]] = [:]
}

/// One image in a node's containerd store: its ID and since when it is there (a pull that is
/// still running has a presentAt in the future).
struct ImageOnNode: Codable, Equatable {
    var id: String
    var presentAt: Double
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

/// The simulated Vault server inside pod `<cr>-0` (its process state; storage is in RaftStorage).
struct VaultNode: Codable {
    var podUID: String
    var sealed = true
    var activeSince: Double? = nil
    var lastError: String? = nil
    /// The bank-vaults container's one-shot `raft join` [SRC bank-vaults cmd/bank-vaults/unseal.go
    /// v1.33.1: os.Exit(1) on a failed RaftJoin]: failed starts so far, when the kubelet may start
    /// it again (CrashLoopBackOff until then), and its log.
    var bankVaultsRestarts = 0
    var bankVaultsLastExit: Double? = nil
    var bankVaultsLog: [String] = []
    /// Storage key (PVC uid, or "pod:<uid>" for a pod without a claim: container fs, lost with the pod).
    var storageKey: String = ""
}

/// Vault's Raft data directory (/vault/file): empty until initialised or joined.
struct RaftStorage: Codable {
    var initialized = false
    var raftID: String? = nil
    /// Vault writes a random UUID node-id file on first start with empty storage
    /// [SRC hashicorp/vault physical/raft/raft.go v1.15.0: node-id file, uuid.GenerateUUID].
    var nodeID: String = newUID()
}

/// A Raft cluster of Vault nodes (possibly spanning kind clusters).
struct RaftCluster: Codable {
    var id: String
    var clusterName: String
    /// The Raft configuration's servers, in join order; stale voters stay until remove-peer.
    var members: [RaftMember]
    var leaderID: String?
    var index: Int
    /// The KMS container and keys this cluster was initialised with.
    var kmsContainer: String
    var unsealKeysPath: String
    var keys: [String: String]
}

/// One server in a Raft configuration.
struct RaftMember: Codable, Equatable {
    var nodeID: String
    /// host:8201 as the node advertised it when it joined.
    var address: String
    /// "cluster/namespace/name" of the Vault CR whose pod joined (for the world's bookkeeping).
    var owner: String
}
