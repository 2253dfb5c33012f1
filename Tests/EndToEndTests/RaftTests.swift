import Foundation
import Testing
import YAML

/// Issue 10 end to end: Raft membership is observed state. Clusters join and leave Raft with the
/// spec (scale-out, scale-in peer → CR → cluster, the quorum rule), a re-created follower rejoins
/// under a new node id, and a dead voter is removed as a planned action.
extension EndToEndTests {
    /// Rewrites the spec's clusters (followers get the follower template) and health.raft.voters.
    static func setClusters(_ w: E2EWorld, _ names: [String]) throws {
        let url = URL(fileURLWithPath: w.specPath)
        var spec = try #require(try YAMLParser.parse(try String(contentsOf: url, encoding: .utf8), file: url.path))
        var body = try #require(spec["spec"])
        body["clusters"] = .sequence(
            names.map { name in
                name == w.leader
                    ? .mapping(["name": .string(name)])
                    : .mapping(["name": .string(name), "vault": .mapping(["template": .string("vault-follower.yaml")])])
            })
        var health = body["health"] ?? .mapping([])
        var raft = health["raft"] ?? .mapping([])
        raft["voters"] = .scalar(String(names.count))
        health["raft"] = raft
        body["health"] = health
        spec["spec"] = body
        try YAMLEmitter.emit([spec]).write(to: url, atomically: true, encoding: .utf8)
    }

    /// `status -o json`'s raftPeers: (node id, cluster, voter, leader).
    static func peers(
        _ w: E2EWorld, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [(
        id: String, cluster: String?, voter: Bool, leader: Bool
    )] {
        let (r, json) = try w.statusJSON()
        let list = try #require(json["raftPeers"] as? [[String: Any]], "no raftPeers in\n\(r)", sourceLocation: sourceLocation)
        return list.map {
            ($0["nodeID"] as? String ?? "", $0["cluster"] as? String, $0["voter"] as? Bool ?? false, $0["leader"] as? Bool ?? false)
        }
    }

    static func expectHealthy(_ w: E2EWorld, clusters: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (r, json) = try w.statusJSON()
        #expect(r.exitCode == 0 && json["healthy"] as? Bool == true, "\(r)", sourceLocation: sourceLocation)
        #expect(
            (json["summary"] as? String)?.hasPrefix("healthy: \(clusters.count) of \(clusters.count) voters") == true, "\(r)",
            sourceLocation: sourceLocation)
        let peers = try Self.peers(w, sourceLocation: sourceLocation)
        #expect(Set(peers.compactMap(\.cluster)) == Set(clusters), "\(r)", sourceLocation: sourceLocation)
        #expect(peers.count == clusters.count && peers.allSatisfy(\.voter), "\(r)", sourceLocation: sourceLocation)
        #expect(peers.filter(\.leader).count == 1, "\(r)", sourceLocation: sourceLocation)
    }

    @Test("(raft a) scale-out 3→4, scale-in 4→3 and 3→2 (peer, then CR, then cluster); 3→1 at once is refused with the quorum arithmetic")
    func scaleOutAndIn() async throws {
        try await withWorld { w in
            _ = try Self.applied(w)
            let three = w.clusterNames
            try Self.expectHealthy(w, clusters: three)

            // Scale-out: a fourth cluster joins Raft.
            let p4 = "e\(w.id)-p4"
            try Self.setClusters(w, three + [p4])
            let out = w.multidc("apply", ["--yes"], timeout: 600)
            #expect(out.exitCode == 0, "\(out)")
            try Self.expectHealthy(w, clusters: three + [p4])

            // Scale-in 4 → 3: the peer leaves Raft first, then the CR, then the cluster.
            try Self.setClusters(w, three)
            let (d, plan) = try w.planJSON()
            #expect(d.exitCode == 2, "\(d)")
            let order = plan.changes.compactMap { $0["id"] as? String }
            let peer = try #require(order.first { $0.hasPrefix("raft-peer/") }, "\(d)")
            #expect(Set(order) == [peer, "vault/\(p4)", "cluster/\(p4)"], "\(d)")
            let byID = Dictionary(uniqueKeysWithValues: plan.changes.compactMap { a in (a["id"] as? String).map { ($0, a) } })
            #expect(byID["vault/\(p4)"]?["dependsOn"] as? [String] == [peer], "\(d)")
            #expect(byID["cluster/\(p4)"]?["dependsOn"] as? [String] == ["vault/\(p4)"], "\(d)")
            let scaledIn = w.multidc("apply", ["--yes"], timeout: 600)
            #expect(scaledIn.exitCode == 0, "\(scaledIn)")
            #expect(w.containers(["label=io.x-k8s.kind.cluster=\(p4)"]).isEmpty)
            try Self.expectHealthy(w, clusters: three)
            let clean = w.multidc("diff", ["--detailed-exitcode"])
            #expect(clean.exitCode == 0, "\(clean)")

            // 3 → 1 in one apply would leave one voter of a configuration of three: refused.
            try Self.setClusters(w, [w.leader])
            let refused = w.multidc("apply", ["--yes"])
            #expect(refused.exitCode == 1, "\(refused)")
            #expect(
                refused.stderr.contains("removes 2 of the 3 Raft voters at once: 1 would remain, fewer than the quorum of 2 (⌊3/2⌋+1)"),
                "\(refused)")
            #expect(w.containers(["label=io.x-k8s.kind.cluster=\(w.cluster("tertiary"))"]).count > 0)

            // 3 → 2 is within the rule.
            let two = three.filter { $0 != w.cluster("tertiary") }
            try Self.setClusters(w, two)
            let down = w.multidc("apply", ["--yes"], timeout: 600)
            #expect(down.exitCode == 0, "\(down)")
            try Self.expectHealthy(w, clusters: two)
        }
    }

    @Test("(raft b) a re-created follower rejoins under a new node id and its old id is gone; a dead voter is removed as a planned action")
    func rejoinAndDeadVoter() async throws {
        try await withWorld { w in
            _ = try Self.applied(w)
            let tertiary = w.cluster("tertiary")
            let before = try #require(try Self.peers(w).first { $0.cluster == tertiary }?.id)

            // The follower's cluster is lost and re-created: a new node at the same address.
            #expect(w.run(["kind", "delete", "cluster", "--name", tertiary], timeout: 120).exitCode == 0)
            let rebuilt = w.multidc("apply", ["--yes"], timeout: 600)
            #expect(rebuilt.exitCode == 0, "\(rebuilt)")
            try Self.expectHealthy(w, clusters: w.clusterNames)
            let after = try #require(try Self.peers(w).first { $0.cluster == tertiary }?.id)
            #expect(after != before)
            #expect(!(try Self.peers(w)).contains { $0.id == before })

            // The follower's cluster is deleted by hand and dropped from the spec: its voter is
            // dead at an address no cluster claims; diff plans its removal, apply removes it.
            #expect(w.run(["kind", "delete", "cluster", "--name", tertiary], timeout: 120).exitCode == 0)
            let two = w.clusterNames.filter { $0 != tertiary }
            try Self.setClusters(w, two)
            let diff = w.multidc("diff", [])
            let line = diff.stdout.split(separator: "\n").first { $0.contains("Raft peer \(after) ") }
            #expect(line?.trimmingCharacters(in: .whitespaces).hasPrefix("-   Raft peer") == true, "\(diff)")
            #expect(diff.stdout.contains("the Vault node of no cluster in the spec"), "\(diff)")
            let removed = w.multidc("apply", ["--yes"], timeout: 600)
            #expect(removed.exitCode == 0, "\(removed)")
            try Self.expectHealthy(w, clusters: two)
        }
    }

    @Test("(raft c) a leader change over a live Raft cluster is refused with the reason, and re-bootstraps with --allow-data-loss")
    func leaderChange() async throws {
        try await withWorld { w in
            _ = try Self.applied(w)
            let old = w.leader
            let new = w.cluster("secondary")
            // The new leader renders the leader's template, the old one a follower's; the followers
            // trust the new leader's CA (its shared TLS secret).
            let url = URL(fileURLWithPath: w.specPath)
            var spec = try #require(try YAMLParser.parse(try String(contentsOf: url, encoding: .utf8), file: url.path))
            var body = try #require(spec["spec"])
            var vault = try #require(body["vault"])
            vault["leader"] = .string(new)
            vault["shareSecrets"] = .sequence([.string("vault-\(new)-tls")])
            body["vault"] = vault
            body["clusters"] = .sequence(
                w.clusterNames.map { name in
                    name == new
                        ? .mapping(["name": .string(name)])
                        : .mapping(["name": .string(name), "vault": .mapping(["template": .string("vault-follower.yaml")])])
                })
            spec["spec"] = body
            try YAMLEmitter.emit([spec]).write(to: url, atomically: true, encoding: .utf8)
            // The follower template names the leader's TLS secret as vault-${{ leader.name }}-tls.

            let refused = w.multidc("apply", ["--yes"])
            #expect(refused.exitCode == 1, "\(refused)")
            #expect(refused.stdout.contains("vault.leader moved from \(old) to \(new)"), "\(refused)")
            #expect(refused.stdout.contains("the leader only bootstraps Raft"), "\(refused)")
            #expect(refused.stderr.contains("rerun with --allow-data-loss to accept this loss"), "\(refused)")

            let moved = w.multidc("apply", ["--yes", "--allow-data-loss"], timeout: 600)
            #expect(moved.exitCode == 0, "\(moved)")
            try Self.expectHealthy(w, clusters: w.clusterNames)
            let peers = try Self.peers(w)
            #expect(peers.first { $0.leader }?.cluster == new, "\(peers)")
            let clean = w.multidc("diff", ["--detailed-exitcode"])
            #expect(clean.exitCode == 0, "\(clean)")
        }
    }
}
