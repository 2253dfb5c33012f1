/// What was observed for one Vault pod: its `vault status`, or why it could not be read.
package struct NodeObservation: Sendable, Equatable {
    package var cluster: String
    package var pod: String
    package var result: Result<VaultNodeStatus, VaultStatusError>

    package init(cluster: String, pod: String, result: Result<VaultNodeStatus, VaultStatusError>) {
        self.cluster = cluster
        self.pod = pod
        self.result = result
    }

    package init(cluster: String, pod: String, status: VaultNodeStatus) {
        self.init(cluster: cluster, pod: pod, result: .success(status))
    }

    /// A pod whose status could not be read (exec failed, connection refused, no pod).
    package init(cluster: String, pod: String, error: String) {
        self.init(cluster: cluster, pod: pod, result: .failure(VaultStatusError(message: error)))
    }
}

/// A node's part in the Raft cluster, as far as `vault status` tells.
package enum NodeRole: String, Sendable, Equatable {
    /// Unsealed, HA, `is_self`: the active node.
    case leader
    /// Unsealed HA standby.
    case follower
    case sealed
    case uninitialized
    /// Unsealed but HA disabled (not a Raft member).
    case standalone
    /// `vault status` could not be read.
    case unreachable
}

/// One row of the health report.
package struct NodeHealth: Sendable, Equatable {
    package var cluster: String
    package var pod: String
    package var role: NodeRole
    /// `nil` when unreachable.
    package var sealed: Bool?
    package var appliedIndex: UInt64?
    package var committedIndex: UInt64?
    package var leaderAddress: String?
    /// Why this node is unhealthy; empty when it is fine.
    package var reasons: [String]

    /// `reasons` joined for a table cell.
    package var reason: String { reasons.joined(separator: "; ") }
    package var isHealthy: Bool { reasons.isEmpty }
}

/// The verdict of the Raft health check: every node with its role and reasons, and the
/// problems that concern the cluster as a whole.
package struct HealthReport: Sendable, Equatable {
    package var nodes: [NodeHealth]
    /// Whole-cluster problems, e.g. `2 leaders: vault-primary-0, vault-secondary-0`.
    package var problems: [String]
    package var expectedVoters: Int
    /// The name (pod, or cluster/pod when pod names repeat) of the single active leader.
    package var leader: String?
    /// The Raft configuration's servers, when they were read.
    package var peers: [RaftPeer]? = nil
    /// What is allowed but worth saying (the active leader is not the spec's leader cluster).
    package var warnings: [String] = []

    /// Healthy: no problems and no node with a reason.
    package var isHealthy: Bool { problems.isEmpty && nodes.allSatisfy(\.isHealthy) }

    /// One line: `healthy: 3 of 3 voters, leader vault-primary-0` or `unhealthy: …`.
    package var summary: String {
        if isHealthy {
            let voters = peers.map { $0.filter(\.voter).count } ?? nodes.count
            return "healthy: \(voters) of \(expectedVoters) voters, leader \(leader ?? "-")"
        }
        let bad = nodes.filter { !$0.isHealthy }.count
        var parts = problems
        if bad > 0 { parts.append("\(bad) of \(nodes.count) nodes unhealthy") }
        return "unhealthy: " + parts.joined(separator: "; ")
    }
}

/// The pure Raft health rules of DESIGN.md "Raft health check".
package enum RaftHealth {
    /// Judges the observed nodes.
    ///
    /// Healthy when every node is initialized and unsealed, storage is raft, exactly one node
    /// is the active leader, every other node names that leader's address, each follower's
    /// applied index trails the leader's committed index by at most `maxIndexLag`, and there
    /// are exactly `expectedVoters` nodes.
    ///
    /// `membership` adds the Raft configuration's verdict (`RaftMembershipCheck`): its problems
    /// make the report unhealthy, its warnings are shown.
    package static func evaluate(
        nodes observations: [NodeObservation], expectedVoters: Int, maxIndexLag: UInt64 = 10,
        peers: [RaftPeer]? = nil, membership: RaftMembershipCheck.Verdict? = nil
    ) -> HealthReport {
        let podCounts = Dictionary(observations.map { ($0.pod, 1) }, uniquingKeysWith: +)
        func name(_ o: NodeObservation) -> String { podCounts[o.pod, default: 0] > 1 ? "\(o.cluster)/\(o.pod)" : o.pod }

        var rows: [NodeHealth] = []
        var statuses: [VaultNodeStatus?] = []
        for observation in observations {
            switch observation.result {
            case .failure(let error):
                rows.append(
                    NodeHealth(
                        cluster: observation.cluster, pod: observation.pod, role: .unreachable, sealed: nil,
                        appliedIndex: nil, committedIndex: nil, leaderAddress: nil, reasons: [error.message]))
                statuses.append(nil)
            case .success(let s):
                var reasons: [String] = []
                let role: NodeRole
                if !s.initialized {
                    role = .uninitialized
                    reasons.append("not initialized")
                } else if s.sealed {
                    role = .sealed
                    reasons.append("sealed (unseal progress \(s.progress)/\(s.t))")
                } else if !s.haEnabled {
                    role = .standalone
                    reasons.append("HA not enabled")
                } else {
                    role = s.isSelf ? .leader : .follower
                }
                if s.initialized, let storage = s.storageType, storage != "raft" {
                    reasons.append("storage is \(storage), not raft")
                } else if s.initialized, !s.sealed, s.storageType == nil {
                    reasons.append("storage type not reported")
                }
                if s.removedFromCluster == true { reasons.append("removed from the raft cluster") }
                rows.append(
                    NodeHealth(
                        cluster: observation.cluster, pod: observation.pod, role: role, sealed: s.sealed,
                        appliedIndex: s.raftAppliedIndex, committedIndex: s.raftCommittedIndex,
                        leaderAddress: s.leaderAddress.flatMap { $0.isEmpty ? nil : $0 }, reasons: reasons))
                statuses.append(s)
            }
        }

        var problems: [String] = []
        let leaders = rows.indices.filter { rows[$0].role == .leader }
        var leaderName: String?
        if leaders.isEmpty {
            if !rows.isEmpty { problems.append("no active leader") }
        } else if leaders.count > 1 {
            problems.append("\(leaders.count) leaders: " + leaders.map { name(observations[$0]) }.joined(separator: ", "))
        } else {
            let l = leaders[0]
            leaderName = name(observations[l])
            let leaderAddress = rows[l].leaderAddress
            let committed = statuses[l]?.raftCommittedIndex ?? 0
            for i in rows.indices where rows[i].role == .follower {
                if let address = rows[i].leaderAddress {
                    if let leaderAddress, address != leaderAddress {
                        rows[i].reasons.append("names leader \(address), but the active leader \(leaderName!) is \(leaderAddress)")
                    }
                } else {
                    rows[i].reasons.append("names no leader")
                }
                let applied = rows[i].appliedIndex ?? 0
                if committed > applied, committed - applied > maxIndexLag {
                    rows[i].reasons.append(
                        "applied index \(applied) trails the leader's committed index \(committed) by \(committed - applied) (at most \(maxIndexLag) allowed)"
                    )
                }
            }
        }
        let clusterIDs = Set(statuses.compactMap { $0?.clusterID }.filter { !$0.isEmpty })
        if clusterIDs.count > 1 {
            problems.append(
                "nodes belong to \(clusterIDs.count) different Vault clusters (cluster_id " + clusterIDs.sorted().joined(separator: ", ")
                    + ")")
        }
        if rows.count != expectedVoters {
            problems.append("\(rows.count) node\(rows.count == 1 ? "" : "s") but health.raft.voters is \(expectedVoters)")
        }
        problems += membership?.problems ?? []
        return HealthReport(
            nodes: rows, problems: problems, expectedVoters: expectedVoters, leader: leaderName, peers: peers,
            warnings: membership?.warnings ?? [])
    }
}

/// Polls the health check until healthy or out of time.
package enum RaftHealthCheck {
    /// Observes and evaluates every `interval` until the report is healthy or `timeout` has
    /// passed (or the task is cancelled); returns the last report. `onReport` sees each one.
    package static func poll(
        expectedVoters: Int,
        maxIndexLag: UInt64 = 10,
        timeout: Duration,
        interval: Duration = .seconds(2),
        clock: any ExecutionClock = SystemClock(),
        onReport: (HealthReport) -> Void = { _ in },
        observe: () async -> (nodes: [NodeObservation], peers: [RaftPeer]?, membership: RaftMembershipCheck.Verdict?)
    ) async -> HealthReport {
        let start = clock.now
        while true {
            let observed = await observe()
            let report = RaftHealth.evaluate(
                nodes: observed.nodes, expectedVoters: expectedVoters, maxIndexLag: maxIndexLag, peers: observed.peers,
                membership: observed.membership)
            onReport(report)
            let elapsed = clock.now - start
            if report.isHealthy || elapsed >= timeout || Task.isCancelled { return report }
            do {
                try await clock.sleep(for: min(interval, timeout - elapsed))
            } catch {
                return report
            }
        }
    }
}
