/// `--cluster NAME` (repeatable): a plan limited to some clusters, like `terraform -target`.
extension Plan {
    /// The plan cut down to the actions of `clusters`, plus the topology-wide actions they need
    /// (the network, the KMS, the chart repository), transitively. Another cluster's action is
    /// never kept: a kept action that needs one that changes is a problem naming the cluster to
    /// add. Problems of other clusters are dropped; deferred clusters are kept only if targeted.
    package func limited(to clusters: Set<String>) -> Plan {
        var keep = Set(actions.filter { $0.cluster.map(clusters.contains) ?? false }.map(\.id))
        // The topology-wide actions the kept ones need, transitively.
        var frontier = Array(keep)
        while let id = frontier.popLast() {
            guard let action = action(id) else { continue }
            for need in action.dependsOn + action.needs where !keep.contains(need) {
                guard let needed = self.action(need), needed.cluster == nil else { continue }
                keep.insert(need)
                frontier.append(need)
            }
        }
        var limited = self
        limited.actions = actions.filter { keep.contains($0.id) }
        limited.problems = problems.filter { $0.cluster.map(clusters.contains) ?? true }
        limited.deferredClusters = deferredClusters.filter(clusters.contains)
        let changing = Set(changes.map(\.id))
        for action in limited.actions {
            let outside = action.dependsOn.filter { changing.contains($0) && !keep.contains($0) }
            for need in outside {
                let owner = self.action(need)?.cluster.map { "cluster \($0)" } ?? "the topology"
                limited.problems.append(
                    PlanProblem(
                        cluster: action.cluster,
                        "\(action.id) needs \(need) of \(owner), which --cluster leaves out; add --cluster \(self.action(need)?.cluster ?? need.description) or drop --cluster"
                    ))
            }
        }
        let dropped = Set(changes.map(\.id)).subtracting(keep).count
        if dropped > 0 {
            limited.notes.append(
                "--cluster \(clusters.sorted().joined(separator: ", ")): \(dropped) change\(dropped == 1 ? "" : "s") outside these clusters left for a full apply"
            )
        }
        return limited
    }
}
