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
        /// The same facts typed, for `-o json` (nil: not known).
        package var isReachable: Bool?
        package var isSealed: Bool?
        package var isVaultPodReady: Bool?
        package var appliedIndexValue: Int?
    }

    /// A docker-level resource of the topology (the network, the KMS container).
    package struct Resource: Sendable, Equatable {
        package var name: String
        /// `present`, `running`, `stopped`, `absent`, `unknown` or `not configured`.
        package var state: String
        /// The subnet (network) or the address (KMS), when known.
        package var detail: String?
        /// Why the state is unknown.
        package var reason: String?
    }

    package var topology: String
    package var rows: [Row]
    package var health: HealthReport
    package var notes: [String]
    /// Whether the Docker engine answered (nil: not needed); `dockerProblem` says why not.
    package var dockerReachable: Bool? = nil
    package var dockerProblem: String? = nil
    package var network: Resource? = nil
    package var kms: Resource? = nil
    /// The Raft configuration's servers (nil: not read; `peersProblem` says why).
    package var peers: [Peer]? = nil
    package var peersProblem: String? = nil
    /// Which spec the world was applied from, and whether the spec at hand is that one.
    package var sync: SyncStatus? = nil
    /// `spec.images` per cluster (nil: the spec loads none).
    package var images: [ImagesRow]? = nil

    /// What a cluster's ownership record says was loaded into its nodes.
    package struct ImagesRow: Sendable, Equatable {
        package var cluster: String
        package var wanted: Int
        /// The images of the spec not loaded yet (nil: unknown, the cluster could not be read).
        package var missing: [String]?
    }

    /// `images: 5 loaded in every cluster`, or one line per cluster that lacks some.
    var imagesText: String {
        guard let images, !images.isEmpty else { return "" }
        let lacking = images.filter { $0.missing != [] }
        if lacking.isEmpty { return "images: \(images[0].wanted) loaded in every cluster\n" }
        return lacking.map { row in
            guard let missing = row.missing else { return "images: \(row.cluster): unknown (the cluster could not be read)\n" }
            return "images: \(row.cluster) lacks \(missing.joined(separator: ", ")) (apply loads \(missing.count == 1 ? "it" : "them"))\n"
        }.joined()
    }

    /// One server of the Raft configuration, with the cluster its address belongs to.
    package struct Peer: Sendable, Equatable {
        package var nodeID: String
        package var address: String
        /// nil: no cluster of the spec (a stale peer).
        package var cluster: String?
        package var voter: Bool
        package var leader: Bool
    }

    /// The aligned table, then the health summary.
    package func renderText() -> String {
        var table = [["CLUSTER", "REACHABLE", "POOL", "LB IP", "OPERATOR", "VAULT POD", "SEALED", "RAFT ROLE", "APPLIED"]]
        for r in rows {
            table.append([
                r.cluster, r.reachable, r.pool, r.loadBalancerIP, r.operatorRelease, r.vaultPod, r.sealed, r.raftRole, r.appliedIndex,
            ])
        }
        var text = "Topology \(topology)\n" + TextTable.render(table)
        var resources: [[String]] = []
        for (kind, resource) in [("network", network), ("KMS", kms)] {
            guard let resource else { continue }
            resources.append([kind, resource.name, resource.state, resource.detail ?? resource.reason ?? ""])
        }
        if !resources.isEmpty { text += TextTable.render(resources) }
        if let sync { text += sync.appliedLine + "\n" + sync.syncLine + "\n" }
        text += imagesText
        if dockerReachable == false { text += "docker: the Docker engine does not answer: \(dockerProblem ?? "")\n" }
        if let peers {
            var table = [["RAFT PEER", "ADDRESS", "CLUSTER", "VOTER", "LEADER"]]
            for p in peers {
                table.append([p.nodeID, p.address, p.cluster ?? "(none: stale)", p.voter ? "yes" : "no", p.leader ? "yes" : ""])
            }
            text += "\n" + TextTable.render(table)
        } else if let peersProblem {
            text += "\nraft peers: not read (\(peersProblem))\n"
        }
        text += "\n" + health.summary + "\n"
        for problem in health.problems { text += "problem: \(problem)\n" }
        for node in health.nodes where !node.isHealthy { text += "\(node.cluster)/\(node.pod): \(node.reason)\n" }
        for warning in health.warnings { text += "warning: \(warning)\n" }
        for note in notes + (sync?.notes ?? []) { text += "note: \(note)\n" }
        return text
    }

    /// The version of `json()`'s document (see specs/status.schema.json).
    package static let formatVersion = "multidc.status/v2"

    /// `{"formatVersion": "multidc.status/v2", "topology": …, "healthy": bool, "docker": {…},
    /// "network": {…}, "kms": {…}, "clusters": [{…}], "provenance": {…}, "sync": {…},
    /// "problems": […]}`: booleans and numbers typed, `null` for what could not be read.
    package func json() -> String {
        func optional(_ text: String?) -> Node { text.map { .string($0) } ?? .scalar("null") }
        func optional(_ value: Bool?) -> Node { value.map { .scalar($0 ? "true" : "false") } ?? .scalar("null") }
        func optional(_ value: Int?) -> Node { value.map { .scalar(String($0)) } ?? .scalar("null") }
        func resource(_ r: Resource?) -> Node {
            guard let r else { return .scalar("null") }
            return .mapping([
                "name": .string(r.name), "state": .string(r.state), "detail": optional(r.detail), "reason": optional(r.reason),
            ])
        }
        let clusters: [Node] = rows.map { r in
            .mapping([
                "cluster": .string(r.cluster), "reachable": optional(r.isReachable), "reachability": .string(r.reachable),
                "pool": optional(r.pool == "-" || r.pool == "unknown" ? nil : r.pool),
                "loadBalancerIP": optional(["-", "pending", "unknown"].contains(r.loadBalancerIP) ? nil : r.loadBalancerIP),
                "operator": .string(r.operatorRelease),
                "vaultPod": optional(r.vaultPod == "-" ? nil : r.vaultPod.split(separator: " ").first.map(String.init)),
                "vaultPodReady": optional(r.isVaultPodReady),
                "sealed": optional(r.isSealed), "raftRole": .string(r.raftRole), "appliedIndex": optional(r.appliedIndexValue),
            ])
        }
        return Node.mapping([
            "formatVersion": .string(Self.formatVersion),
            "topology": .string(topology),
            "healthy": .scalar(health.isHealthy ? "true" : "false"),
            "summary": .string(health.summary),
            "docker": .mapping(["reachable": optional(dockerReachable), "problem": optional(dockerProblem)]),
            "network": resource(network),
            "kms": resource(kms),
            "clusters": .sequence(clusters),
            "raftPeers": peers.map { list in
                .sequence(
                    list.map { p in
                        .mapping([
                            "nodeID": .string(p.nodeID), "address": .string(p.address), "cluster": optional(p.cluster),
                            "voter": optional(p.voter), "leader": optional(p.leader),
                        ])
                    })
            } ?? .scalar("null"),
            "raftPeersProblem": optional(peersProblem),
            "images": images.map { list in
                .sequence(
                    list.map { row in
                        .mapping([
                            "cluster": .string(row.cluster), "wanted": .scalar(String(row.wanted)),
                            "missing": row.missing.map { .sequence($0.map { .string($0) }) } ?? .scalar("null"),
                        ])
                    })
            } ?? .scalar("null"),
            "provenance": sync?.applied.map(Self.json(provenance:)) ?? .scalar("null"),
            "sync": sync.map { s in
                .mapping([
                    "state": .string(s.state.rawValue), "summary": .string(s.syncLine), "specSHA256": .string(s.specDigest),
                    "revision": .string(s.git.revision), "commit": optional(s.git.commit), "dirty": optional(s.git.dirty),
                    "git": optional(s.git.problem),
                ])
            } ?? .scalar("null"),
            "problems": .sequence(health.problems.map { .string($0) }),
            "warnings": .sequence(health.warnings.map { .string($0) }),
            "notes": .sequence((notes + (sync?.notes ?? [])).map { .string($0) }),
        ]).jsonString(pretty: true)
    }

    /// A recorded provenance: `{"specSHA256", "commit", "dirty", "source", "version", "time"}`.
    static func json(provenance p: Provenance) -> Node {
        func optional(_ text: String?) -> Node { text.flatMap { $0.isEmpty ? nil : Node.string($0) } ?? .scalar("null") }
        return .mapping([
            "specSHA256": .string(p.specDigest), "commit": optional(p.commit),
            "dirty": p.dirty.map { .scalar($0 ? "true" : "false") } ?? .scalar("null"), "source": optional(p.source),
            "version": optional(p.version), "time": optional(p.time),
        ])
    }
}

extension Session {
    /// Observes the world and every Vault pod once (no polling) and tabulates.
    package func status(_ loaded: LoadedTopology) async -> StatusReport {
        async let worldTask = observe(loaded)
        async let nodesTask = nodeObservations(loaded)
        async let gitTask = gitState(loaded)
        var (world, nodes, git) = await (worldTask, nodesTask, gitTask)
        if world.raft.access == nil {
            // No Ready pod in the observation (e.g. readiness lags): read the CR the way health does.
            let membership = await raftMembership(loaded, access: nil)
            if membership.access != nil { world.raft = membership }
        }
        let topology = loaded.topology
        let subnet = topology.network.subnet ?? world.network.value?.ipv4Subnet.flatMap { CIDR($0) }
        var pools: [String: ClusterPool] = [:]
        if case .success(let list)? = PoolSlicer.pools(for: topology, knownSubnet: subnet) {
            for p in list { pools[p.cluster] = p }
        }
        let book = RaftAddressBook(pools: pools.mapValues(\.cidr), clusters: world.clusters)
        let verdict = RaftMembershipCheck.evaluate(
            world.raft, clusters: topology.clusters.map(\.name), specLeader: topology.leader.name, book: book)
        let health = RaftHealth.evaluate(
            nodes: nodes, expectedVoters: topology.health.raft.voters, peers: world.raft.peers, membership: verdict)
        let peerRows = (world.raft.peers ?? []).map { peer in
            StatusReport.Peer(
                nodeID: peer.nodeID, address: peer.address, cluster: book.cluster(of: peer), voter: peer.voter, leader: peer.leader)
        }
        var dockerDown = false
        var dockerReachable: Bool?
        var dockerProblem: String?
        switch world.engine {
        case .notObserved: break
        case .reachable: dockerReachable = true
        case .unreachable(let message):
            (dockerDown, dockerReachable, dockerProblem) = (true, false, message)
        }
        let unknownReason = dockerDown ? "the Docker engine does not answer" : nil
        let network: StatusReport.Resource?
        switch world.network {
        case .notObserved: network = nil
        case .absent: network = .init(name: topology.network.name, state: "absent")
        case .present(let n): network = .init(name: n.name, state: "present", detail: n.ipv4Subnet)
        case .unknown(let why): network = .init(name: topology.network.name, state: "unknown", reason: unknownReason ?? why)
        }
        let kms: StatusReport.Resource?
        switch world.kms {
        case .notConfigured: kms = nil
        case .absent: kms = .init(name: topology.kmsContainerName ?? "-", state: "absent")
        case .present(let c):
            kms = .init(name: c.name, state: c.isRunning ? "running" : "stopped", detail: c.ipv4Address)
        case .unknown(let why): kms = .init(name: topology.kmsContainerName ?? "-", state: "unknown", reason: unknownReason ?? why)
        }
        var rows: [StatusReport.Row] = []
        for cluster in topology.clusters {
            let observed = world.cluster(named: cluster.name)
            let reachable: String
            var isReachable: Bool?
            switch observed?.reachability {
            case .reachable: (reachable, isReachable) = ("yes", true)
            case .apiServerUnreachable: (reachable, isReachable) = ("no (API server down)", false)
            case .contextMissing: (reachable, isReachable) = ("no (no context)", false)
            case .failed(let m): (reachable, isReachable) = ("no (\(m.prefix(40)))", false)
            case nil: reachable = dockerDown ? "unknown (Docker down)" : "unknown"
            }
            // What could not be read is unknown, not absent.
            let read = observed?.reachability == .reachable
            let helmRead = read && observed?.helmError == nil
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
                    operatorRelease: release.map { "\($0.status)" } ?? (helmRead ? "absent" : "unknown"),
                    vaultPod: node.map { n in "\(n.pod) \(pod.map { $0.ready ? "Ready" : $0.phase } ?? (read ? "absent" : "unknown"))" }
                        ?? "-",
                    sealed: node?.sealed.map { String($0) } ?? "-",
                    raftRole: node?.role.rawValue ?? "-",
                    appliedIndex: node?.appliedIndex.map(String.init) ?? "-",
                    isReachable: isReachable, isSealed: node?.sealed, isVaultPodReady: read ? (pod?.ready ?? false) : nil,
                    appliedIndexValue: node?.appliedIndex.map { Int($0) }))
        }
        // Provenance from the ownership records the observation read (no extra process).
        let records = topology.clusters.compactMap { cluster -> (cluster: String, provenance: Provenance?)? in
            guard let observed = world.cluster(named: cluster.name), observed.reachability == .reachable,
                observed.objects.ownership != nil
            else { return nil }
            return (cluster.name, Provenance.recorded(in: observed))
        }
        // What the ownership records say was loaded (spec.images; read with them, no extra process).
        let images = topology.images.map { _ in
            topology.clusters.map { cluster -> StatusReport.ImagesRow in
                let wanted = ImagesResource.images(of: cluster, loaded)
                guard let observed = world.cluster(named: cluster.name), observed.reachability == .reachable else {
                    return .init(cluster: cluster.name, wanted: wanted.count, missing: nil)
                }
                let missing = ImagesResource.missing(wanted, record: observed.objects.ownership)
                return .init(cluster: cluster.name, wanted: wanted.count, missing: missing.map(\.written))
            }
        }
        return StatusReport(
            topology: topology.name, rows: rows, health: health, notes: [], dockerReachable: dockerReachable,
            dockerProblem: dockerProblem, network: network, kms: kms, peers: world.raft.peers == nil ? nil : peerRows,
            peersProblem: world.raft.problem, sync: SyncStatus.evaluate(records: records, specDigest: loaded.specDigest, git: git),
            images: images)
    }
}
