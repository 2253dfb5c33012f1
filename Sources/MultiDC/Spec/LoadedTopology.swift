import YAML

/// A topology together with where it came from: the spec file as the user named it, the
/// position of every field (for errors found later, such as pools once the subnet is
/// observed) and the parsed templates.
package struct LoadedTopology: Sendable {
    package let topology: Topology
    /// The spec path as the user gave it.
    package let file: String
    package let source: SourceText
    /// Mark of every field, by path: `spec.network.subnet`, `spec.clusters[1].pool`, …
    package let positions: [String: Mark]
    /// Parsed templates by resolved path.
    package let templates: [String: Template]
    /// The `spec.manifests` files, read and parsed at load time, in spec order.
    package let manifests: [ManifestFile]
    /// SHA-256 over the manifests (nil when there are none), recorded in the ownership record.
    package let manifestDigest: String?
    /// SHA-256 over the spec text, its templates and its manifests (`SpecDigest`): what apply
    /// records as the provenance of the world, and status compares.
    package let specDigest: String
    /// Where the spec came from (a file, stdin, a git revision); the loader says `.file`, and
    /// `Session.load(_:)` the origin it read.
    package internal(set) var origin: SpecOrigin
    /// What the templates and manifests were read from: steps hand kubectl the text of a git
    /// revision's files, which are not on disk (`ManifestArguments`).
    package let files: any SpecFiles
    /// The absolute paths of every local file the spec names (templates, manifests, MetalLB
    /// manifests), in order: the files whose uncommitted changes make the spec "dirty".
    package let localFiles: [String]

    /// Findings that do not make the spec invalid (a Vault CR's ServiceAccount that no manifest
    /// creates), positioned in the files they concern.
    package var warnings: [Diagnostic] { ServiceAccountCheck.warnings(self) }

    /// A diagnostic at a field (falls back to the nearest enclosing field that has a mark).
    package func diagnostic(_ message: String, at path: String) -> Diagnostic {
        var path = path
        while positions[path] == nil, let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) {
            path = String(path[..<cut])
        }
        return source.diagnostic(message, at: positions[path] ?? Mark(line: 1, column: 1))
    }

    /// The template of a cluster, parsed.
    package func template(for cluster: Topology.Cluster) -> Template? {
        topology.template(of: cluster).flatMap { templates[$0.resolved] }
    }

    /// Every cluster's pool in `subnet` (default: the pinned subnet), or the problems as
    /// diagnostics at the fields they concern. Empty with `loadBalancer: none`.
    package func pools(subnet: CIDR? = nil) throws(Diagnostics) -> [ClusterPool] {
        guard let subnet = subnet ?? topology.network.subnet else {
            let problems = PoolSlicer.checkWithoutSubnet(topology)
            if !problems.isEmpty { throw Diagnostics(problems.map(diagnostic(for:))) }
            return []
        }
        switch PoolSlicer.pools(for: topology, subnet: subnet) {
        case .success(let pools): return pools
        case .failure(let problems): throw Diagnostics(problems.map(diagnostic(for:)))
        }
    }

    /// The diagnostic for a pool problem.
    package func diagnostic(for problem: PoolProblem) -> Diagnostic {
        switch problem.location {
        case .pool(let i): return diagnostic(problem.message, at: "spec.clusters[\(i)].pool")
        case .cluster(let i): return diagnostic(problem.message, at: "spec.clusters[\(i)].name")
        case .slices(let key): return diagnostic(problem.message, at: "spec.network.slices.\(key)")
        case .subnet: return diagnostic(problem.message, at: "spec.network.subnet")
        }
    }
}
