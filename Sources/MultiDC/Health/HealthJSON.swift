extension NodeHealth: Encodable {
    private enum Key: String, CodingKey {
        case cluster, pod, role, sealed, appliedIndex = "applied_index", committedIndex = "committed_index"
        case leaderAddress = "leader_address", reasons
    }

    /// One node for `-o json`: `{"cluster":…,"pod":…,"role":"follower","sealed":false,
    /// "applied_index":118,"committed_index":118,"leader_address":…,"reasons":[]}`.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(cluster, forKey: .cluster)
        try c.encode(pod, forKey: .pod)
        try c.encode(role.rawValue, forKey: .role)
        try c.encodeIfPresent(sealed, forKey: .sealed)
        try c.encodeIfPresent(appliedIndex, forKey: .appliedIndex)
        try c.encodeIfPresent(committedIndex, forKey: .committedIndex)
        try c.encodeIfPresent(leaderAddress, forKey: .leaderAddress)
        try c.encode(reasons, forKey: .reasons)
    }
}

extension HealthReport: Encodable {
    private enum Key: String, CodingKey {
        case healthy, leader, expectedVoters = "expected_voters", problems, warnings, nodes, peers
    }

    private enum PeerKey: String, CodingKey {
        case nodeID = "node_id", address, voter, leader
    }

    /// The report for `-o json`, with `healthy` computed.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(isHealthy, forKey: .healthy)
        try c.encodeIfPresent(leader, forKey: .leader)
        try c.encode(expectedVoters, forKey: .expectedVoters)
        try c.encode(problems, forKey: .problems)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(nodes, forKey: .nodes)
        if let peers {
            var list = c.nestedUnkeyedContainer(forKey: .peers)
            for peer in peers {
                var p = list.nestedContainer(keyedBy: PeerKey.self)
                try p.encode(peer.nodeID, forKey: .nodeID)
                try p.encode(peer.address, forKey: .address)
                try p.encode(peer.voter, forKey: .voter)
                try p.encode(peer.leader, forKey: .leader)
            }
        } else {
            try c.encodeNil(forKey: .peers)
        }
    }
}
