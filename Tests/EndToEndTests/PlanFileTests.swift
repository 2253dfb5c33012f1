import Foundation
import Testing

/// Issue 12, saved plans and targets end to end: `diff --out` then `apply plan.json` runs exactly
/// that plan or refuses naming what moved; `--cluster` applies one cluster and what it needs.
extension EndToEndTests {
    @Test("(plan a) --cluster applies the leader alone; a saved plan applies the rest as saved, and a stale one is refused")
    func savedPlansAndTargets() async throws {
        try await withWorld { w in
            // The leader alone: the network, the KMS and its own chain; no follower is created.
            let leaderOnly = w.multidc("apply", ["--yes", "--cluster", w.leader], timeout: 600)
            #expect(leaderOnly.exitCode == 0, "\(leaderOnly)")
            #expect(leaderOnly.stdout.contains("Raft health check skipped: --cluster \(w.leader)"), "\(leaderOnly)")
            for follower in w.clusterNames where follower != w.leader {
                #expect(w.containers(["label=io.x-k8s.kind.cluster=\(follower)"]).isEmpty, "\(follower) was created")
            }

            // Plan the rest, save it, apply exactly it.
            let plan = URL(fileURLWithPath: w.specPath).deletingLastPathComponent().appendingPathComponent("plan.json").path
            let diff = w.multidc("diff", ["--out", plan])
            #expect(diff.exitCode == 0, "\(diff)")
            let text = try String(contentsOfFile: plan, encoding: .utf8)
            #expect(!text.contains(try w.vaultRootTokenIfAny()), "the plan file carries a secret")
            let multidc = w.binDir.appendingPathComponent("multidc").path
            let applied = w.run([multidc, "apply", plan, "--yes"], timeout: 600)
            #expect(applied.exitCode == 0, "\(applied)")
            try w.expectHealthy(voters: 3, leader: w.leader)

            // The same plan again: the world moved (it was applied), so it is refused, naming what.
            let stale = w.run([multidc, "apply", plan, "--yes"])
            #expect(stale.exitCode == 1, "\(stale)")
            #expect(stale.stderr.contains("the world changed since the plan was made; nothing was applied:"), "\(stale)")
            #expect(stale.stderr.contains("planned create, now nothing to do"), "\(stale)")
        }
    }
}

extension E2EWorld {
    /// The KMS's dev root token (from its container's environment), or a string no file contains.
    func vaultRootTokenIfAny() throws -> String {
        let env = docker(["inspect", "-f", "{{json .Config.Env}}", kmsName]).stdout
        let token = env.split(separator: "\"").first { $0.hasPrefix("VAULT_DEV_ROOT_TOKEN_ID=") }
            .map { String($0.dropFirst("VAULT_DEV_ROOT_TOKEN_ID=".count)) }
        return token.flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString
    }
}
