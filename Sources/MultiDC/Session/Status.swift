import YAML

/// `multidc status`: one row per cluster, from the observed world and the Vault pods' own
/// `vault status`, plus the Raft health verdict.
package struct StatusReport: Sendable {
    package struct Row: Sendable, Equatable {
        package var cluster: String
        package var reachable: String
        package var pool: String
        package var loadBalancerIP: String
        package var operatorRelease: String
        package var vaultPod: String
        package var sealed: String
        package var raftRole: String
        package var appliedIndex: String
    }

    package var topology: String
    package var rows: [Row]
    package var health: HealthReport
    package var notes: [String]

    /// The aligned table, then the health summary.
    package func renderText() -> String {
        var table = [["CLUSTER", "REACHABLE", "POOL", "LB IP", "OPERATOR", "VAULT POD", "SEALED", "RAFT ROLE", "APPLIED"]]
        for r in rows {
            table.append([
                r.cluster, r.reachable, r.pool, r.loadBalancerIP, r.operatorRelease, r.vaultPod, r.sealed, r.raftRole, r.appliedIndex,
            ])
        }
        var text = "Topology \(topology)\n" + TextTable.render(table) + "\n" + health.summary + "\n"
        for problem in health.problems { text += "problem: \(problem)\n" }
        for node in health.nodes where !node.isHealthy { text += "\(node.cluster)/\(node.pod): \(node.reason)\n" }
        for note in notes { text += "note: \(note)\n" }
        return text
    }

    /// `{"topology": …, "healthy": bool, "clusters": [{…}], "problems": […]}`.
    package func json() -> String {
        let clusters: [Node] = rows.map { r in
            .mapping([
                "cluster": .string(r.cluster), "reachable": .string(r.reachable), "pool": .string(r.pool),
                "loadBalancerIP": .string(r.loadBalancerIP), "operator": .string(r.operatorRelease), "vaultPod": .string(r.vaultPod),
                "sealed": .string(r.sealed), "raftRole": .string(r.raftRole), "appliedIndex": .string(r.appliedIndex),
            ])
        }
        return Node.mapping([
            "formatVersion": .string("multidc.status/v1"),
            "topology": .string(topology),
            "healthy": .scalar(health.isHealthy ? "true" : "false"),
            "summary": .string(health.summary),
            "clusters": .sequence(clusters),
            "problems": .sequence(health.problems.map { .string($0) }),
            "notes": .sequence(notes.map { .string($0) }),
        ]).jsonString(pretty: true)
    }
}

extension Session {
    /// Observes the world and every Vault pod once (no polling) and tabulates.
    package func status(_ loaded: LoadedTopology) async -> StatusReport {
        async let worldTask = observe(loaded)
        async let nodesTask = nodeObservations(loaded)
        let (world, nodes) = await (worldTask, nodesTask)
        let topology = loaded.topology
        let health = RaftHealth.evaluate(nodes: nodes, expectedVoters: topology.health.raft.voters)
        let subnet = topology.network.subnet ?? world.network.value?.ipv4Subnet.flatMap { CIDR($0) }
        var pools: [String: ClusterPool] = [:]
        if case .success(let list)? = PoolSlicer.pools(for: topology, knownSubnet: subnet) {
            for p in list { pools[p.cluster] = p }
        }
        var rows: [StatusReport.Row] = []
        for cluster in topology.clusters {
            let observed = world.cluster(named: cluster.name)
            let reachable: String
            switch observed?.reachability {
            case .reachable: reachable = "yes"
            case .apiServerUnreachable: reachable = "no (API server down)"
            case .contextMissing: reachable = "no (no context)"
            case .failed(let m): reachable = "no (\(m.prefix(40)))"
            case nil: reachable = "not observed"
            }
            let objects = observed?.objects ?? ClusterObjects()
            let op = topology.vaultOperator
            let release = observed?.helmRelease(named: op.release, namespace: op.namespace)
            let node = health.nodes.first { $0.cluster == cluster.name }
            let pod = node.flatMap { n in objects.vaultPods.first { $0.name == n.pod } }
            let service = objects.vaultServices.first { $0.type == "LoadBalancer" }
            rows.append(
                StatusReport.Row(
                    cluster: cluster.name, reachable: reachable,
                    pool: pools[cluster.name]?.cidr.description ?? (topology.loadBalancer == .none ? "-" : "unknown"),
                    loadBalancerIP: service?.loadBalancerIP ?? (service == nil ? "-" : "pending"),
                    operatorRelease: release.map { "\($0.status)" } ?? "absent",
                    vaultPod: node.map { n in "\(n.pod) \(pod.map { $0.ready ? "Ready" : $0.phase } ?? "absent")" } ?? "-",
                    sealed: node?.sealed.map { String($0) } ?? "-",
                    raftRole: node?.role.rawValue ?? "-",
                    appliedIndex: node?.appliedIndex.map(String.init) ?? "-"))
        }
        return StatusReport(topology: topology.name, rows: rows, health: health, notes: [])
    }
}
