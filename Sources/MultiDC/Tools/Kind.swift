import Foundation
import YAML

/// argv builders and parsers for `kind` (docs/tools.md#kind-output and the kind sections after it).
package enum Kind {
    package static let executable = "kind"
    /// Label on every node container: the cluster name.
    package static let clusterLabel = "io.x-k8s.kind.cluster"
    /// Label on every node container: `control-plane`, `worker`, `external-load-balancer`.
    package static let roleLabel = "io.x-k8s.kind.role"
    /// The environment variable that makes kind use another docker network than `kind`.
    package static let networkEnvironment = "KIND_EXPERIMENTAL_DOCKER_NETWORK"

    /// The kubeconfig context kind writes for a cluster.
    package static func context(forCluster name: String) -> String { "kind-" + name }

    /// The environment kind needs to put nodes on `network` (none for the default `kind`).
    package static func environment(network: String) -> [String: Command.EnvironmentValue] {
        network == "kind" ? [:] : [networkEnvironment: .init(network)]
    }

    /// `kind create cluster --name N [--image I] [--config F|-] [--kubeconfig K] [--wait D]`.
    /// With `config` given as stdin, pass `configPath: "-"` and the YAML as `standardInput`.
    package static func createCluster(
        name: String, image: String? = nil, configPath: String? = nil, config: String? = nil,
        kubeconfig: String? = nil, wait: String? = nil, network: String = "kind"
    ) -> Command {
        var args = ["create", "cluster", "--name", name]
        if let image { args += ["--image", image] }
        if let configPath { args += ["--config", configPath] } else if config != nil { args += ["--config", "-"] }
        if let kubeconfig { args += ["--kubeconfig", kubeconfig] }
        if let wait { args += ["--wait", wait] }
        return Command(executable, args, environment: environment(network: network), standardInput: config.map { .init($0) })
    }

    /// `kind load docker-image IMAGE… --name N`: saves the images from the host's docker and
    /// imports them into every node of the cluster that does not hold them with the same ID
    /// (docs/tools.md#kind-load). All images in one call: kind writes one archive for them.
    package static func loadDockerImages(_ images: [String], cluster: String) -> Command {
        Command(executable, ["load", "docker-image"] + images + ["--name", cluster])
    }

    /// `kind load image-archive FILE --name N`: imports the archive into every node of the cluster.
    package static func loadImageArchive(_ path: String, cluster: String) -> Command {
        Command(executable, ["load", "image-archive", path, "--name", cluster])
    }

    /// Whether `kind load docker-image` failed on the content of platforms the host never
    /// downloaded (Docker's containerd image store; kind issues 3795, 4224; docs/tools.md#kind-load).
    package static func isMissingPlatformContent(_ result: CommandResult) -> Bool {
        !result.isSuccess && result.stderr.contains("content digest") && result.stderr.contains("not found")
    }

    /// The platform of kind's nodes: the host's (`linux/amd64`, `linux/arm64`).
    package static var nodePlatform: String {
        #if arch(arm64)
            "linux/arm64"
        #elseif arch(arm)
            "linux/arm/v7"
        #elseif arch(s390x)
            "linux/s390x"
        #elseif arch(powerpc64le)
            "linux/ppc64le"
        #else
            "linux/amd64"
        #endif
    }

    /// `kind version`.
    package static func version() -> Command { Command(executable, ["version"]) }

    /// The v1alpha4 cluster config multidc hands kind: one control plane and `workers` workers,
    /// with the spec's passed-through fields (docs/tools.md#kind-config) — the cluster-level ones
    /// at the top, the node ones on each node of their role — in kind's own field names.
    package static func clusterConfig(workers: Int, passthrough: Topology.KindConfig = Topology.KindConfig()) -> String {
        var top: [Node.Pair] = [
            Node.Pair(key: .string("kind"), value: .string("Cluster")),
            Node.Pair(key: .string("apiVersion"), value: .string("kind.x-k8s.io/v1alpha4")),
        ]
        for pair in passthrough.node.mapping ?? [] where !["controlPlane", "workers"].contains(pair.key.scalar ?? "") {
            top.append(pair)
        }
        func node(_ role: String, _ fields: Topology.KindNode) -> Node {
            .mapping([Node.Pair(key: .string("role"), value: .string(role))] + (fields.node?.mapping ?? []))
        }
        let nodes =
            [node("control-plane", passthrough.controlPlane)]
            + Array(repeating: node("worker", passthrough.workers), count: max(0, workers))
        top.append(Node.Pair(key: .string("nodes"), value: .sequence(nodes)))
        return YAMLEmitter.emit(Node.mapping(top))
    }

    /// `kind delete cluster --name N [--kubeconfig K]` (succeeds when the cluster is gone).
    package static func deleteCluster(name: String, kubeconfig: String? = nil) -> Command {
        Command(executable, ["delete", "cluster", "--name", name] + (kubeconfig.map { ["--kubeconfig", $0] } ?? []))
    }

    /// `kind export kubeconfig --name N [--kubeconfig K]`.
    package static func exportKubeconfig(name: String, kubeconfig: String? = nil) -> Command {
        Command(executable, ["export", "kubeconfig", "--name", name] + (kubeconfig.map { ["--kubeconfig", $0] } ?? []))
    }

    /// kind clusters derived the way kind lists them: every container (running or stopped)
    /// carrying `io.x-k8s.kind.cluster`, grouped by its value. Sorted by name.
    package static func clusters(from containers: [DockerContainer]) -> [KindCluster] {
        var byName: [String: [KindCluster.Node]] = [:]
        for container in containers {
            guard let cluster = container.labels[clusterLabel], !cluster.isEmpty else { continue }
            byName[cluster, default: []].append(.init(container: container, role: container.labels[roleLabel] ?? ""))
        }
        return byName.keys.sorted().map { name in
            KindCluster(name: name, nodes: byName[name]!.sorted { $0.name < $1.name })
        }
    }
}
