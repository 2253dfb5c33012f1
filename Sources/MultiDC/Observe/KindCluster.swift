/// A kind cluster as kind itself sees it: the containers labelled `io.x-k8s.kind.cluster=NAME`,
/// running or stopped.
package struct KindCluster: Sendable, Equatable {
    /// One node container and the role from its `io.x-k8s.kind.role` label.
    package struct Node: Sendable, Equatable {
        package var container: DockerContainer
        /// `control-plane`, `worker` or `external-load-balancer` (empty when the label is missing).
        package var role: String

        package init(container: DockerContainer, role: String) {
            self.container = container
            self.role = role
        }

        package var name: String { container.name }
    }

    package var name: String
    /// Nodes sorted by container name.
    package var nodes: [Node]

    package init(name: String, nodes: [Node]) {
        self.name = name
        self.nodes = nodes
    }

    package var controlPlanes: [Node] { nodes.filter { $0.role == "control-plane" } }
    package var workers: [Node] { nodes.filter { $0.role == "worker" } }
    /// Every node container is running.
    package var isRunning: Bool { !nodes.isEmpty && nodes.allSatisfy { $0.container.isRunning } }
}
