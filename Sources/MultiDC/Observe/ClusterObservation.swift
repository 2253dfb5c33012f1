/// What was observed in one cluster: whether its API server answered, and if so the objects
/// multidc manages and the helm releases.
package struct ClusterObservation: Sendable, Equatable {
    /// Whether the cluster could be read.
    package enum Reachability: Sendable, Equatable {
        case reachable
        /// The API server did not answer (connection refused, …): kubectl's last message.
        case apiServerUnreachable(String)
        /// The kube context (or its kubeconfig) does not exist.
        case contextMissing(String)
        /// Any other failure of the read (kubectl missing, unreadable output, timeout).
        case failed(String)

        package var isReachable: Bool { self == .reachable }
    }

    package var name: String
    package var context: String
    package var reachability: Reachability
    /// The objects read; empty when the cluster was not reachable.
    package var objects: ClusterObjects
    /// helm releases in every namespace; empty when helm failed (see `helmError`).
    package var helmReleases: [HelmRelease]
    /// Why `helm list` failed, if it did.
    package var helmError: String?

    package init(
        name: String, context: String, reachability: Reachability, objects: ClusterObjects = ClusterObjects(),
        helmReleases: [HelmRelease] = [], helmError: String? = nil
    ) {
        self.name = name
        self.context = context
        self.reachability = reachability
        self.objects = objects
        self.helmReleases = helmReleases
        self.helmError = helmError
    }

    package func helmRelease(named name: String, namespace: String) -> HelmRelease? {
        helmReleases.first { $0.name == name && $0.namespace == namespace }
    }
}
