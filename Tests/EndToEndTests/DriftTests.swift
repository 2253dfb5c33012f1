import Foundation
import Testing

/// Issue 10 end to end: the spec is the truth — fields removed from a template leave the live CR,
/// operator values drift is shown and fixed, a restarted KMS is a refused data loss that
/// `--allow-data-loss` re-initialises, and kind clusters without an ownership record are adopted
/// only when this machine created them (or with --adopt).
extension EndToEndTests {
    /// The leader's Vault CR template of the world's spec.
    static func leaderTemplate(_ w: E2EWorld) -> URL {
        URL(fileURLWithPath: w.specPath).deletingLastPathComponent().appendingPathComponent("vault-cr.yaml")
    }

    static func edit(_ url: URL, _ change: (String) -> String) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        let changed = change(text)
        try #require(changed != text, "the edit changed nothing in \(url.path)")
        try changed.write(to: url, atomically: true, encoding: .utf8)
    }

    /// `kubectl get vault NAME -o jsonpath=PATH` in the leader's cluster.
    static func leaderVault(_ w: E2EWorld, _ path: String) -> String {
        w.run(["kubectl", "--context", "kind-\(w.leader)", "-n", "default", "get", "vault", "vault-\(w.leader)", "-o", "jsonpath=\(path)"])
            .stdout
    }

    @Test("(drift a) a field removed from the template is removed from the live CR; operator values drift is shown and fixed")
    func templateRemovalAndValuesDrift() async throws {
        try await withWorld { w in
            let template = Self.leaderTemplate(w)
            try Self.edit(template) { $0.replacingOccurrences(of: "  size: 1\n", with: "  size: 1\n  veleroEnabled: false\n") }
            _ = try Self.applied(w)
            #expect(Self.leaderVault(w, "{.spec.veleroEnabled}") == "false")

            // The field leaves the template: diff shows it removed, apply removes it.
            try Self.edit(template) { $0.replacingOccurrences(of: "  veleroEnabled: false\n", with: "") }
            let diff = w.multidc("diff", ["--detailed-exitcode"])
            #expect(diff.exitCode == 2, "\(diff)")
            #expect(diff.stdout.contains("vault-\(w.leader): spec.veleroEnabled: false → (removed)"), "\(diff)")
            let removed = w.multidc("apply", ["--yes"])
            #expect(removed.exitCode == 0, "\(removed)")
            #expect(Self.leaderVault(w, "{.spec.veleroEnabled}") == "")
            #expect(Self.leaderVault(w, "{.spec.size}") == "1")

            // operator.values change: shown by digest, fixed by an upgrade, then nothing to do.
            try Self.edit(URL(fileURLWithPath: w.specPath)) {
                $0.replacingOccurrences(
                    of: "    version: 1.24.0\n", with: "    version: 1.24.0\n    values: { podAnnotations: { drift: \"1\" } }\n")
            }
            let valuesDiff = w.multidc("diff", ["--detailed-exitcode"])
            #expect(valuesDiff.exitCode == 2, "\(valuesDiff)")
            #expect(valuesDiff.stdout.contains("operator.values changed since the release was installed"), "\(valuesDiff)")
            #expect(valuesDiff.stdout.contains("operator.values (sha256): "), "\(valuesDiff)")
            let upgraded = w.multidc("apply", ["--yes"])
            #expect(upgraded.exitCode == 0, "\(upgraded)")
            let values = w.run([
                "helm", "--kube-context", "kind-\(w.leader)", "get", "values", "vault-operator", "-n", "default", "-o", "json",
            ])
            #expect(values.stdout.contains("\"drift\":\"1\""), "\(values)")
            let clean = w.multidc("diff", ["--detailed-exitcode"])
            #expect(clean.exitCode == 0, "\(clean)\n\(upgraded)")
        }
    }

    @Test("(drift b) a restarted KMS lost its keys: diff says so, apply refuses, --allow-data-loss re-initialises")
    func restartedKMS() async throws {
        try await withWorld { w in
            _ = try Self.applied(w)
            #expect(w.docker(["restart", "-t", "1", w.kmsName]).exitCode == 0)

            let diff = w.multidc("diff", ["--detailed-exitcode"])
            #expect(diff.exitCode == 2, "\(diff)")
            #expect(diff.stdout.contains("lost its unseal keys"), "\(diff)")
            let refused = w.multidc("apply", ["--yes"])
            #expect(refused.exitCode == 1, "\(refused)")
            #expect(refused.stderr.contains("rerun with --allow-data-loss to accept this loss"), "\(refused)")
            #expect(!refused.stdout.contains("Apply complete."))

            let r = w.multidc("apply", ["--yes", "--allow-data-loss"])
            #expect(r.exitCode == 0, "\(r)")
            for c in w.clusterNames { #expect(r.stdout.contains("-/+ Vault CR vault-\(c)"), "\(r)") }
            try w.expectHealthy(voters: 3, leader: w.leader)
            let again = w.multidc("diff", ["--detailed-exitcode"])
            #expect(again.exitCode == 0, "\(again)")
        }
    }

    @Test("(drift c) a cluster this machine created is adopted; one it did not is refused until --adopt")
    func adoption() async throws {
        try await withWorld { w in
            _ = try Self.applied(w)
            let tertiary = w.cluster("tertiary")
            let deleteRecord = ["kubectl", "--context", "kind-\(tertiary)", "-n", "default", "delete", "configmap", "multidc-ownership"]
            // An apply interrupted between `kind create cluster` and the ownership record: the
            // local record says this machine created it.
            #expect(w.run(deleteRecord).exitCode == 0)
            let adopted = w.multidc("apply", ["--yes"])
            #expect(adopted.exitCode == 0, "\(adopted)")
            #expect(adopted.stdout.contains("adopted: an earlier apply on this machine created it"), "\(adopted)")

            // The same state without the local record (someone else's cluster of that name).
            #expect(w.run(deleteRecord).exitCode == 0)
            let record = w.environment["MULTIDC_STATE_DIR"]! + "/created/\(w.topology).clusters"
            #expect(FileManager.default.fileExists(atPath: record))
            try FileManager.default.removeItem(atPath: record)
            let refused = w.multidc("apply", ["--yes"])
            #expect(refused.exitCode == 1, "\(refused)")
            #expect(refused.stderr.contains("kind cluster \(tertiary) exists but carries no ownership record"), "\(refused)")
            #expect(refused.stderr.contains("rerun with --adopt to take it over"), "\(refused)")
            let taken = w.multidc("apply", ["--yes", "--adopt"])
            #expect(taken.exitCode == 0, "\(taken)")
            try w.expectHealthy(voters: 3, leader: w.leader)
        }
    }
}
