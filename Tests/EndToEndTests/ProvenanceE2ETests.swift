import Foundation
import Testing

/// Issue 12 end to end, with a real git repository around the world's spec: the provenance an
/// apply records and the sync status `status` derives from it; a spec read from a git revision
/// (`--rev`) or from standard input (`-`); and `multidc output`.
extension EndToEndTests {
    /// `git ARGS` in the world's directory (the repository holds `spec/`), with a fixed identity.
    @discardableResult
    static func git(_ w: E2EWorld, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = w.run(
            ["git", "-c", "user.name=multidc e2e", "-c", "user.email=e2e@multidc.invalid", "-c", "commit.gpgsign=false", "-C", w.dir.path]
                + arguments, env: ["GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"], timeout: 60)
        try #require(r.exitCode == 0, "\(r)", sourceLocation: sourceLocation)
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A repository in the world's directory with the spec committed; the commit.
    static func commitSpec(_ w: E2EWorld, _ message: String, initialize: Bool = false) throws -> String {
        if initialize { try git(w, ["init", "-q", "-b", "main", "."]) }
        try git(w, ["add", "spec"])
        try git(w, ["commit", "-q", "-m", message])
        return try git(w, ["rev-parse", "HEAD"])
    }

    /// `status -o json`'s provenance and sync objects.
    static func provenance(_ w: E2EWorld, _ args: [String] = []) throws -> (provenance: [String: Any], sync: [String: Any]) {
        let r = w.multidc("status", args + ["-o", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r)")
        return (try #require(json["provenance"] as? [String: Any], "\(r)"), try #require(json["sync"] as? [String: Any], "\(r)"))
    }

    /// The mutating tool calls (kind, kubectl, helm) the world has seen so far.
    static func mutations(_ w: E2EWorld) -> [Call] { w.calls().filter(\.isMutating) }

    @Test(
        "(provenance) apply records commit, dirty, version and time; status says in sync / HEAD moved / spec differs; a no-op apply rewrites nothing"
    )
    func provenanceAndSyncStatus() async throws {
        try await withWorld { w in
            let first = try Self.commitSpec(w, "the topology", initialize: true)
            let applied = try Self.applied(w)
            #expect(applied.stdout.contains("Recorded: applied from \(first.prefix(12)) at "), "\(applied)")

            // Every cluster's ownership record carries it.
            for cluster in w.clusterNames {
                let commit = w.run([
                    "kubectl", "--context", "kind-\(cluster)", "-n", "default", "get", "configmap", "multidc-ownership", "-o",
                    "jsonpath={.metadata.annotations.multidc/applied-commit}",
                ])
                #expect(commit.stdout == first, "\(cluster): \(commit)")
            }
            let status = w.multidc("status")
            #expect(status.stdout.contains("\napplied from \(first.prefix(12)) at "), "\(status)")
            #expect(status.stdout.contains("\nsync: in sync with HEAD\n"), "\(status)")
            let recorded = try Self.provenance(w)
            #expect(recorded.provenance["commit"] as? String == first && recorded.provenance["dirty"] as? Bool == false)
            #expect(recorded.provenance["version"] as? String == "0.1.0")
            #expect(recorded.provenance["source"] as? String == w.specPath)
            #expect(recorded.sync["state"] as? String == "synced")
            let time = try #require(recorded.provenance["time"] as? String)

            // Applying the same spec again, a second later: nothing is written, the time stays.
            sleep(1)
            let before = Self.mutations(w).count
            let again = w.multidc("apply", ["--yes"])
            #expect(again.exitCode == 0 && again.stdout.contains("No changes."), "\(again)")
            #expect(!again.stdout.contains("Recorded:"), "\(again)")
            #expect(Self.mutations(w).count == before, "\(Self.mutations(w).dropFirst(before).map(\.argv))")
            #expect(try Self.provenance(w).provenance["time"] as? String == time)

            // HEAD moves on without touching the spec: in sync, and says where each is.
            try "notes\n".write(to: w.dir.appendingPathComponent("spec/NOTES.md"), atomically: true, encoding: .utf8)
            let second = try Self.commitSpec(w, "notes")
            let moved = w.multidc("status")
            #expect(
                moved.stdout.contains(
                    "\nsync: HEAD is \(second.prefix(12)), world is at \(first.prefix(12)); the spec is the same (in sync)\n"),
                "\(moved)")

            // A comment in the spec, not committed: out of sync; diff has nothing to change and says apply records it.
            let spec = URL(fileURLWithPath: w.specPath)
            try Self.edit(spec) { $0 + "# reviewed\n" }
            let edited = w.multidc("status")
            #expect(
                edited.stdout.contains(
                    "\nsync: HEAD is \(second.prefix(12)) (uncommitted changes), world is at \(first.prefix(12)); the spec differs (out of sync)\n"
                ),
                "\(edited)")
            #expect(try Self.provenance(w).sync["state"] as? String == "out-of-sync")
            let diff = w.multidc("diff", ["--detailed-exitcode"])
            #expect(diff.exitCode == 0 && diff.stdout.contains("No changes."), "\(diff)")
            #expect(diff.stdout.contains("note: the world was applied from another spec"), "\(diff)")

            // That no-op apply records the spec (dirty) and annotates, nothing else.
            let mutationsBefore = Self.mutations(w).count
            let records = w.multidc("apply", ["--yes"])
            #expect(records.exitCode == 0 && records.stdout.contains("No changes."), "\(records)")
            #expect(records.stdout.contains("Recorded: applied from \(second.prefix(12)) (dirty) at "), "\(records)")
            let written = Self.mutations(w).dropFirst(mutationsBefore)
            #expect(written.count == w.clusterNames.count && written.allSatisfy { $0.argv.contains("annotate") }, "\(written.map(\.argv))")
            let synced = w.multidc("status")
            #expect(synced.stdout.contains("\napplied from \(second.prefix(12)) (dirty) at "), "\(synced)")
            #expect(synced.stdout.contains("\nsync: in sync with HEAD (uncommitted changes)\n"), "\(synced)")
            try w.expectHealthy(voters: 3)
        }
    }

    @Test(
        "(provenance) --rev applies and diffs a revision whatever the work tree holds; - reads stdin with --base; bad revisions and positions"
    )
    func specFromRevisionAndStandardInput() async throws {
        try await withWorld { w in
            let first = try Self.commitSpec(w, "the topology", initialize: true)
            let specDirectory = URL(fileURLWithPath: w.specPath).deletingLastPathComponent()
            // A template edit the work tree holds and the commit does not.
            try Self.edit(Self.leaderTemplate(w)) {
                $0.replacingOccurrences(of: "  size: 1\n", with: "  size: 1\n  veleroEnabled: false\n")
            }

            let applied = w.multidc("apply", ["--yes", "--rev", "HEAD"])
            #expect(applied.exitCode == 0, "\(applied)")
            #expect(Self.leaderVault(w, "{.spec.veleroEnabled}") == "", "the revision's template was applied")
            let status = w.multidc("status", ["--rev", "HEAD"])
            #expect(status.stdout.contains("\napplied from \(first.prefix(12)) at "), "\(status)")
            #expect(status.stdout.contains("(\(w.specPath)@HEAD)\n"), "\(status)")
            #expect(status.stdout.contains("\nsync: in sync with HEAD\n"), "\(status)")

            // The revision has nothing to change; the work tree's template has.
            let atHead = w.multidc("diff", ["--rev", "HEAD", "--detailed-exitcode"])
            #expect(atHead.exitCode == 0, "\(atHead)")
            let local = w.multidc("diff", ["--detailed-exitcode"])
            #expect(local.exitCode == 2 && local.stdout.contains("veleroEnabled"), "\(local)")

            // The spec on stdin: templates relative to --base, or to the current directory.
            let text = try String(contentsOfFile: w.specPath, encoding: .utf8)
            let piped = w.run([w.multidcPath, "diff", "-", "--base", specDirectory.path, "--detailed-exitcode"], stdin: text)
            #expect(piped.exitCode == 2 && piped.stdout == local.stdout, "\(piped)")
            let here = w.run([w.multidcPath, "diff", "-", "--detailed-exitcode"], directory: specDirectory, stdin: text)
            #expect(here.exitCode == 2 && here.stdout.contains("veleroEnabled"), "\(here)")
            let broken = text.replacingOccurrences(of: "leader: \(w.leader)", with: "leader: nobody")
            let line = try #require(
                broken.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("leader: nobody") })
            let bad = w.run([w.multidcPath, "status", "-", "--base", specDirectory.path], stdin: broken)
            #expect(bad.exitCode == 1 && bad.stderr.contains("<stdin>:\(line + 1):"), "\(bad)")

            // A revision git does not know, and an error inside a revision's spec.
            let unknown = w.multidc("diff", ["--rev", "origin/nosuch"])
            #expect(unknown.exitCode == 1, "\(unknown)")
            #expect(unknown.stderr.contains("revision 'origin/nosuch' names no commit in the repository at "), "\(unknown)")
            try broken.write(toFile: w.specPath, atomically: true, encoding: .utf8)
            _ = try Self.commitSpec(w, "a broken leader")
            let brokenAtHead = w.multidc("diff", ["--rev", "HEAD"])
            #expect(brokenAtHead.exitCode == 1 && brokenAtHead.stderr.contains("\(w.specPath)@HEAD:\(line + 1):"), "\(brokenAtHead)")
            // The commit before it previews as applied: nothing to change.
            let previous = w.multidc("diff", ["--rev", "HEAD~1", "--detailed-exitcode"])
            #expect(previous.exitCode == 0, "\(previous)")
        }
    }

    @Test("(output) kms.address, kms.url, cluster.<name>.loadBalancerIP and kms.token --sensitive print exactly the world's values")
    func outputValues() async throws {
        try await withWorld { w in
            _ = try Self.applied(w)
            let address = w.docker(["inspect", "-f", "{{(index .NetworkSettings.Networks \"\(w.network)\").IPAddress}}", w.kmsName])
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!address.isEmpty)
            #expect(w.multidc("output", ["kms.address"]).stdout == address + "\n")
            let url = w.multidc("output", ["kms.url"])
            #expect(url.exitCode == 0 && url.stdout == "http://\(address):8200\n" && url.stderr.isEmpty, "\(url)")

            let (_, json) = try w.statusJSON()
            let rows = try #require(json["clusters"] as? [[String: Any]])
            for row in rows {
                let cluster = try #require(row["cluster"] as? String)
                let ip = try #require(row["loadBalancerIP"] as? String)
                #expect(w.multidc("output", ["cluster.\(cluster).loadBalancerIP"]).stdout == ip + "\n", "\(cluster)")
            }

            let refused = w.multidc("output", ["kms.token"])
            #expect(refused.exitCode == 64 && refused.stdout.isEmpty, "\(refused)")
            #expect(refused.stderr.contains("kms.token is sensitive"), "\(refused)")
            let environment = w.docker(["inspect", "-f", "{{json .Config.Env}}", w.kmsName]).stdout
            let token = try #require(
                (try JSONSerialization.jsonObject(with: Data(environment.utf8)) as? [String])?
                    .first { $0.hasPrefix("VAULT_DEV_ROOT_TOKEN_ID=") }?.dropFirst("VAULT_DEV_ROOT_TOKEN_ID=".count))
            #expect(w.multidc("output", ["kms.token", "--sensitive"]).stdout == token + "\n")

            let unknown = w.multidc("output", ["kms.urls"])
            #expect(unknown.exitCode == 64, "\(unknown)")
            #expect(unknown.stderr.contains("did you mean 'kms.url'?"), "\(unknown)")
            #expect(unknown.stderr.contains("cluster.\(w.leader).loadBalancerIP"), "\(unknown)")

            // A KMS that is gone has no address: exit 1, nothing on stdout.
            _ = w.docker(["rm", "-f", w.kmsName])
            let gone = w.multidc("output", ["kms.url"])
            #expect(gone.exitCode == 1 && gone.stdout.isEmpty, "\(gone)")
            #expect(gone.stderr.contains("KMS container \(w.kmsName) does not exist; run multidc apply"), "\(gone)")
        }
    }
}
