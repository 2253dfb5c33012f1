import Foundation
import Testing

/// Issue 12.5 end to end: `multidc init` writes a topology that `validate` accepts and the test
/// world converges to a healthy Raft cluster.
extension EndToEndTests {
    @Test("(init) multidc init DIR --clusters 3 --leader dc-2, then apply: healthy with three voters, then No changes.")
    func initThenApply() async throws {
        try await withInitWorld(["--clusters", "3", "--leader", "dc-2"]) { w, written in
            #expect(written.stdout.contains("topology lab: 3 clusters (dc-1, dc-2, dc-3), leader dc-2, provider kind\n"), "\(written)")
            let validate = w.multidc("validate")
            #expect(validate.exitCode == 0, "\(validate)")
            #expect(!w.calls().contains { ["kind", "kubectl", "helm"].contains($0.tool) }, "validate ran a tool")
            let r = try Self.applied(w)
            #expect(r.stdout.contains("Apply complete."), "\(r)")
            #expect(r.stdout.contains("healthy: 3 of 3 voters, leader vault-\(w.cluster("dc-2"))-0"), "\(r)")
            try w.expectHealthy(voters: 3, leader: w.cluster("dc-2"))
            // The followers mounted the leader's CA: the template names it through ${{ leader.name }}.
            for c in w.clusterNames where c != w.cluster("dc-2") {
                let secret = w.run([
                    "kubectl", "--context", "kind-\(c)", "get", "vault", "vault-\(c)", "-o",
                    "jsonpath={.spec.volumes[0].secret.secretName}",
                ])
                #expect(secret.stdout == "vault-\(w.cluster("dc-2"))-tls", "\(secret)")
            }
            try Self.expectSecondApplyIsNoOp(w)
        }
    }

    @Test("(init) --provider existing: validate names each placeholder; filled in, apply converges")
    func initExistingThenFillInThenApply() async throws {
        var unfilled: ProcResult?
        try await withInitWorld(
            ["--provider", "existing", "--clusters", "3"],
            edit: { directory in
                // What validate says before the user fills anything in.
                let bin = try E2EWorld.binDirectory()
                unfilled = Proc.runSync(
                    [bin.appendingPathComponent("multidc").path, "validate", directory.appendingPathComponent("spec.yaml").path],
                    environment: ProcessInfo.processInfo.environment, timeout: 60)
                let path = directory.appendingPathComponent("spec.yaml").path
                var text = try String(contentsOfFile: path, encoding: .utf8)
                text = text.replacingOccurrences(
                    of: "\"<fill in: the URL of the external KMS Vault, like https://vault.example.com:8200>\"",
                    with: "https://kms.lab.example.com:8200")
                for n in 1...3 {
                    text = text.replacingOccurrences(
                        of: "\"<fill in: the kubeconfig context of cluster dc-\(n)>\"", with: "gke_lab_region-\(n)_vault")
                }
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            }
        ) { w, written in
            #expect(written.stdout.contains("provider existing\nnext: fill in each cluster's context and the KMS's url"), "\(written)")
            let before = try #require(unfilled)
            #expect(before.exitCode == 1, "\(before)")
            for n in 1...3 {
                #expect(
                    before.stderr.contains(
                        "error: `multidc init` left a placeholder here: fill in the kubeconfig context of cluster dc-\(n)\n"),
                    "\(before)")
            }
            #expect(
                before.stderr.contains(
                    "error: `multidc init` left a placeholder here: fill in the URL of the external KMS Vault, like https://vault.example.com:8200\n"
                ))
            #expect(before.stderr.hasSuffix("4 errors in \(before.argv.last ?? "")\n"), "\(before)")
            _ = try Self.existingWorld(w)
            let r = try Self.applied(w)
            #expect(r.stdout.contains("healthy: 3 of 3 voters"), "\(r)")
            try w.expectHealthy(voters: 3, leader: w.leader)
            try Self.expectSecondApplyIsNoOp(w)
        }
    }
}
