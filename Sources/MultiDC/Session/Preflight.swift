/// Before apply or destroy changes anything: the tools it will run are on PATH and answer. One
/// message names everything missing, so nothing is half-created because the last tool of the
/// plan turned out to be absent.
extension Session {
    /// The tools a topology's apply and destroy run: docker (nodes and the KMS), kind (provider
    /// kind), kubectl and helm (always).
    package func requiredTools(_ topology: Topology) -> [(name: String, probe: Command)] {
        var tools: [(name: String, probe: Command)] = []
        if topology.provider == .kind || topology.kmsContainerName != nil { tools.append(("docker", Docker.version())) }
        if topology.provider == .kind { tools.append(("kind", Kind.version())) }
        tools.append(("kubectl", Kubectl.clientVersion()))
        tools.append(("helm", Helm.version()))
        return tools
    }

    /// What is missing or does not answer, one line per tool (empty: all present). All probes
    /// run in parallel.
    package func preflight(_ topology: Topology) async -> [String] {
        let tools = requiredTools(topology)
        let results = await withTaskGroup(of: (Int, String?).self) { group in
            for (index, tool) in tools.enumerated() {
                group.addTask {
                    do {
                        let result = try await runner.run(tool.probe)
                        if result.isSuccess { return (index, nil) }
                        let why = Docker.engineUnreachableMessage(result) ?? result.lastErrorLine
                        return (index, "\(tool.name) does not answer (`\(tool.probe)`: \(why.isEmpty ? "\(result.status)" : why))")
                    } catch {
                        return (index, "\(tool.name) cannot be run: \(error)")
                    }
                }
            }
            var out: [(Int, String?)] = []
            for await item in group { out.append(item) }
            return out.sorted { $0.0 < $1.0 }.compactMap(\.1)
        }
        return results
    }

    /// The preflight's findings as one plan problem (nil: every tool answers).
    func preflightProblem(_ topology: Topology) async -> PlanProblem? {
        let missing = await preflight(topology)
        guard !missing.isEmpty else { return nil }
        return PlanProblem(
            "nothing was changed: " + missing.joined(separator: "; ")
                + ". Install what is missing (docs/tools.md lists the versions multidc is tested with) or put it on PATH.")
    }
}
