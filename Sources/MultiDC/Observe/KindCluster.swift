/// A kind cluster as kind itself sees it: the containers labelled `io.x-k8s.kind.cluster=NAME`,
/// running or stopped.
public struct KindCluster: Sendable, Equatable {
    /// One node container and the role from its `io.x-k8s.kind.role` label.
    public struct Node: Sendable, Equatable {
        public var container: DockerContainer
        /// `control-plane`, `worker` or `external-load-balancer` (empty when the label is missing).
        public var role: String

        public init(container: DockerContainer, role: String) {
            self.container = container
            self.role = role
        }

        public var name: String { container.name }
    }

    public var name: String
    /// Nodes sorted by container name.
    public var nodes: [Node]

    public init(name: String, nodes: [Node]) {
        self.name = name
        self.nodes = nodes
    }

    public var controlPlanes: [Node] { nodes.filter { $0.role == "control-plane" } }
    public var workers: [Node] { nodes.filter { $0.role == "worker" } }
    /// Every node container is running.
    public var isRunning: Bool { !nodes.isEmpty && nodes.allSatisfy { $0.container.isRunning } }
}
