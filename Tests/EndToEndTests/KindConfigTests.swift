import Foundation
import Testing
import YAML

/// Issue 12.7 end to end: kind config fields passed through reach kind (node labels on the Nodes,
/// an extra port mapping published by docker, feature gates in kind's config), an unknown field
/// fails `validate` before any tool runs, and a change replaces the cluster — a data loss, since it
/// holds a Vault node.
extension EndToEndTests {
    /// Rewrites the world's spec: `spec.kindConfig` and cluster `i`'s kindConfig (YAML flow texts).
    static func setKindConfig(_ w: E2EWorld, all: String?, clusters: [Int: String]) throws {
        let text = try String(contentsOfFile: w.specPath, encoding: .utf8)
        var spec = try #require(try YAMLParser.parse(text, file: w.specPath))
        var body = try #require(spec["spec"])
        body["kindConfig"] = try all.map { try #require(try YAMLParser.parse($0)) }
        var items = body["clusters"]?.sequence ?? []
        for (i, config) in clusters { items[i]["kindConfig"] = try YAMLParser.parse(config) }
        body["clusters"] = .sequence(items)
        spec["spec"] = body
        try YAMLEmitter.emit([spec]).write(toFile: w.specPath, atomically: true, encoding: .utf8)
    }

    @Test("(kindConfig) labels, a port mapping and feature gates reach kind; a change is a replace that loses the node's Vault data")
    func kindConfigPassthrough() async throws {
        try await withWorld { w in
            let primary = w.cluster("primary"), secondary = w.cluster("secondary")
            // An unknown field: validate refuses it with its position, and no tool runs.
            try Self.setKindConfig(
                w, all: "{ controlPlane: { extraPortMappings: [ { containerPort: 80, nOtAReaLFielD: 1 } ] } }", clusters: [:])
            let bad = w.multidc("validate")
            #expect(bad.exitCode == 1, "\(bad)")
            #expect(
                bad.stderr.contains(
                    "error: unknown key 'nOtAReaLFielD'; allowed keys in spec.kindConfig.controlPlane.extraPortMappings[0] are containerPort, hostPort, listenAddress, protocol"
                ), "\(bad)")
            #expect(w.multidc("apply", ["--yes"]).exitCode == 1)
            #expect(!w.calls().contains { ["kind", "kubectl", "helm"].contains($0.tool) }, "a tool ran for an invalid spec")

            try Self.setKindConfig(
                w, all: "{ featureGates: { InPlacePodVerticalScaling: true }, controlPlane: { labels: { tier: vault } } }",
                clusters: [0: "{ controlPlane: { extraPortMappings: [ { containerPort: 8200, listenAddress: 127.0.0.1 } ] } }"])
            #expect(w.multidc("validate").exitCode == 0)
            let r = try Self.applied(w)
            #expect(r.stdout.contains("healthy: 3 of 3 voters"), "\(r)")
            for c in w.clusterNames {
                let tier = w.run([
                    "kubectl", "--context", "kind-\(c)", "get", "node", "\(c)-control-plane", "-o", "jsonpath={.metadata.labels.tier}",
                ])
                #expect(tier.stdout == "vault", "\(c): \(tier)")
            }
            // hostPort 0: kind picked a free port on 127.0.0.1, published next to the API server's.
            #expect(w.docker(["port", "\(primary)-control-plane"]).stdout.contains("8200/tcp -> 127.0.0.1:"))
            #expect(!w.docker(["port", "\(secondary)-control-plane"]).stdout.contains("8200/tcp"))
            #expect(w.run(["fakeworld", "state"]).stdout.contains("InPlacePodVerticalScaling"))
            // What kind was given is recorded: nothing to do.
            let (same, _) = try w.planJSON()
            #expect(same.exitCode == 0, "\(same)")

            // Another label for secondary: its cluster is replaced, a data loss (its Vault node).
            try Self.setKindConfig(
                w, all: "{ featureGates: { InPlacePodVerticalScaling: true }, controlPlane: { labels: { tier: vault } } }",
                clusters: [
                    0: "{ controlPlane: { extraPortMappings: [ { containerPort: 8200, listenAddress: 127.0.0.1 } ] } }",
                    1: "{ controlPlane: { labels: { tier: raft } } }",
                ])
            let (changed, plan) = try w.planJSON()
            #expect(changed.exitCode == 2, "\(changed)")
            let replace = try #require(plan.actions.first { $0["id"] as? String == "cluster/\(secondary)" })
            #expect(replace["change"] as? String == "replace", "\(replace)")
            #expect(replace["dataLoss"] as? String == "cluster \(secondary) holds a Vault node whose data is lost", "\(replace)")
            let fields = replace["fields"] as? [[String: Any]] ?? []
            #expect(fields.count == 1)
            #expect(fields.first?["path"] as? String == "kindConfig.controlPlane.labels.tier")
            #expect(fields.first?["before"] as? String == "vault" && fields.first?["after"] as? String == "raft", "\(fields)")
            for c in [primary, w.cluster("tertiary")] {
                #expect(plan.actions.first { $0["id"] as? String == "cluster/\(c)" }?["change"] as? String == "in-sync")
            }
            let refused = w.multidc("apply", ["--yes"])
            #expect(refused.exitCode == 1, "\(refused)")
            #expect(refused.stderr.contains("--allow-data-loss"), "\(refused)")
            let replaced = w.multidc("apply", ["--yes", "--allow-data-loss"])
            #expect(replaced.exitCode == 0, "\(replaced)")
            #expect(replaced.stdout.contains("healthy: 3 of 3 voters"), "\(replaced)")
            let tier = w.run([
                "kubectl", "--context", "kind-\(secondary)", "get", "node", "\(secondary)-control-plane", "-o",
                "jsonpath={.metadata.labels.tier}",
            ])
            #expect(tier.stdout == "raft", "\(tier)")
            try w.expectHealthy(voters: 3, leader: w.leader)
            let (after, _) = try w.planJSON()
            #expect(after.exitCode == 0, "\(after)")
        }
    }
}
