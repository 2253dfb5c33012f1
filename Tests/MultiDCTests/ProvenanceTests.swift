import Foundation
import MultiDCTestSupport
import Testing
import YAML

@testable import MultiDC

extension World {
    /// The world with `provenance` on the ownership record of each of `clusters` (default: all),
    /// as `kubectl annotate` leaves it.
    func recording(_ provenance: Provenance, on clusters: [String]? = nil) -> World {
        var world = self
        for i in world.clusters.indices where clusters?.contains(world.clusters[i].name) ?? true {
            guard var node = world.clusters[i].objects.ownership?.node else { continue }
            var metadata = node["metadata"] ?? .mapping([])
            var annotations = metadata["annotations"] ?? .mapping([])
            for (key, value) in provenance.annotations { annotations[key] = .string(value) }
            metadata["annotations"] = annotations
            node["metadata"] = metadata
            world.clusters[i].objects.ownership = KubeObject(node: node)
        }
        return world
    }
}

/// Issue 12, point 1: what apply records, when (the rule in `Provenance`), and what status and
/// diff make of it — over a `ScriptedWorld`, with git scripted.
@Suite struct ProvenanceTests {
    static let head = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"
    static let old = "1a2b3c4d5e6f708192a3b4c5d6e7f80910111213"

    static func recorded(
        _ loaded: LoadedTopology, commit: String? = old, digest: String? = nil, time: String = "2026-05-01T12:00:00Z"
    )
        -> Provenance
    {
        Provenance(
            specDigest: digest ?? loaded.specDigest, commit: commit, dirty: commit == nil ? nil : false, source: "spec.yaml",
            version: "0.1.0",
            time: time)
    }

    static func isProvenanceWrite(_ command: Command) -> Bool {
        command.executable == "kubectl" && command.arguments.contains("annotate")
            && command.arguments.contains { $0.hasPrefix(Provenance.specDigestKey + "=") }
    }

    static func context(_ command: Command) -> String {
        command.arguments.firstIndex(of: "--context").map { command.arguments[$0 + 1] } ?? ""
    }

    // MARK: the record

    @Test func theRecordRoundTripsThroughTheAnnotationsAndWritesEveryKey() throws {
        let p = Provenance(
            specDigest: String(repeating: "a", count: 64), commit: Self.old, dirty: true, source: "spec.yaml@origin/main", version: "0.1.0",
            time: "2026-05-01T12:00:00Z")
        #expect(
            p.annotations.map(\.key) == [
                "multidc/applied-spec-sha256", "multidc/applied-commit", "multidc/applied-dirty", "multidc/applied-source",
                "multidc/applied-version", "multidc/applied-at",
            ])
        #expect(Provenance(annotations: Dictionary(uniqueKeysWithValues: p.annotations.map { ($0.key, $0.value) })) == p)
        // No commit: written as "" so an older commit does not linger; read back as nil.
        let outside = Provenance(specDigest: p.specDigest, commit: nil, dirty: nil, source: "<stdin>", version: "0.1.0", time: p.time)
        #expect(outside.annotations.first { $0.key == Provenance.commitKey }?.value == "")
        #expect(Provenance(annotations: Dictionary(uniqueKeysWithValues: outside.annotations.map { ($0.key, $0.value) })) == outside)
        #expect(outside.commitText == "a spec not in a git work tree")
        #expect(p.commitText == "1a2b3c4d5e6f (dirty)")
        #expect(Provenance(annotations: [OwnershipResource.valuesDigestKey: "x"]) == nil)
        #expect(Provenance.timestamp(Date(timeIntervalSince1970: 1_777_636_800)) == "2026-05-01T12:00:00Z")
    }

    @Test func whatAnApplyRecordsComesFromTheSpecAndItsGitState() throws {
        let loaded = try SessionFixture.loaded()
        let p = Provenance(loaded, git: SpecGitState(commit: Self.head, dirty: true), version: "0.1.0 (commit 0123abcd4567)")
        #expect(p.specDigest == loaded.specDigest && p.commit == Self.head && p.dirty == true)
        #expect(p.source == loaded.file && p.version == "0.1.0 (commit 0123abcd4567)")
        let none = Provenance(loaded, git: SpecGitState(dirty: true, problem: "not in a git work tree"), version: "0.1.0")
        #expect(none.commit == nil && none.dirty == nil)
    }

    // MARK: the sync status

    @Test func syncStatusComparesDigestsAndNamesTheCommits() throws {
        let digest = String(repeating: "d", count: 64)
        let other = String(repeating: "e", count: 64)
        func record(_ d: String, _ commit: String?, dirty: Bool = false, time: String = "2026-05-01T12:00:00Z") -> Provenance {
            Provenance(specDigest: d, commit: commit, dirty: commit == nil ? nil : dirty, source: "spec.yaml", version: "0.1.0", time: time)
        }
        func sync(_ records: [(String, Provenance?)], git: SpecGitState) -> SyncStatus {
            SyncStatus.evaluate(records: records.map { (cluster: $0.0, provenance: $0.1) }, specDigest: digest, git: git)
        }
        let clean = SpecGitState(commit: Self.old, dirty: false)
        let synced = sync([("a", record(digest, Self.old)), ("b", record(digest, Self.old))], git: clean)
        #expect(synced.state == .synced && synced.syncLine == "sync: in sync with HEAD")
        #expect(synced.appliedLine == "applied from 1a2b3c4d5e6f at 2026-05-01T12:00:00Z by multidc 0.1.0 (spec.yaml)")
        #expect(synced.notes.isEmpty)

        let moved = SpecGitState(commit: Self.head, dirty: false)
        #expect(
            sync([("a", record(digest, Self.old))], git: moved).syncLine
                == "sync: HEAD is 9f8e7d6c5b4a, world is at 1a2b3c4d5e6f; the spec is the same (in sync)")
        let differs = sync([("a", record(other, Self.old))], git: moved)
        #expect(differs.state == .outOfSync)
        #expect(differs.syncLine == "sync: HEAD is 9f8e7d6c5b4a, world is at 1a2b3c4d5e6f; the spec differs (out of sync)")
        let uncommitted = sync([("a", record(other, Self.old))], git: SpecGitState(commit: Self.old, dirty: true))
        #expect(uncommitted.syncLine == "sync: out of sync: the spec differs from the one applied at HEAD (uncommitted changes)")
        let dirtyApply = sync([("a", record(digest, Self.old, dirty: true))], git: SpecGitState(commit: Self.old, dirty: true))
        #expect(dirtyApply.appliedLine.hasPrefix("applied from 1a2b3c4d5e6f (dirty) at "))
        #expect(dirtyApply.syncLine == "sync: in sync with HEAD (uncommitted changes)")
        let revision = sync([("a", record(digest, Self.old))], git: SpecGitState(revision: "origin/main", commit: Self.head, dirty: false))
        #expect(revision.syncLine.hasPrefix("sync: origin/main is 9f8e7d6c5b4a, world is at 1a2b3c4d5e6f"))

        let stdin = sync(
            [("a", record(digest, nil))], git: SpecGitState(problem: "not in a git work tree: the spec came from standard input"))
        #expect(stdin.syncLine == "sync: not in a git work tree: the spec came from standard input; in sync with the spec")
        #expect(stdin.appliedLine.hasPrefix("applied from a spec not in a git work tree at 2026-05-01T12:00:00Z"))

        // The newest record wins; the others are named.
        let partial = sync(
            [("a", record(digest, Self.head, time: "2026-05-02T08:00:00Z")), ("b", record(other, Self.old)), ("c", nil)], git: moved)
        #expect(partial.state == .synced && partial.applied?.commit == Self.head)
        #expect(
            partial.notes == [
                "cluster b records an older apply: from 1a2b3c4d5e6f at 2026-05-01T12:00:00Z", "cluster c has no provenance record",
            ])

        let none = sync([("a", nil)], git: clean)
        #expect(none.state == .unknown && none.applied == nil)
        #expect(none.syncLine == "sync: unknown (the ownership records carry no provenance; the next apply records it)")
        #expect(sync([], git: clean).syncLine == "sync: unknown (no ownership record was read: not applied yet, or no cluster answers)")
    }

    // MARK: when apply records (the rule)

    @Test func aNoOpApplyOfTheRecordedSpecWritesNothingWhateverTheCommitOrTime() async throws {
        let loaded = try SessionFixture.loaded()
        let world = try SessionFixture.builder(loaded).converged().recording(Self.recorded(loaded, commit: Self.old))
        let script = ScriptedWorld(loaded, world: world)
        // Applied now from another commit, by another multidc, hours later: the same spec digest.
        let provenance = Provenance(loaded, git: SpecGitState(commit: Self.head, dirty: false), version: "0.2.0")
        let outcome = await SessionFixture.session(script).converge(loaded, options: ConvergeOptions(provenance: provenance))
        guard case .converged(let rounds, _) = outcome else {
            Issue.record("not converged: \(outcome)")
            return
        }
        #expect(rounds.last?.provenance == nil)
        #expect(script.writes.isEmpty, "\(script.writes)")
    }

    @Test func aNoOpApplyRecordsWhereTheRecordIsMissingOrNamesAnotherSpec() async throws {
        let loaded = try SessionFixture.loaded()
        let world = try SessionFixture.builder(loaded).converged()
            .recording(Self.recorded(loaded), on: ["primary"])
            .recording(Self.recorded(loaded, digest: String(repeating: "0", count: 64)), on: ["secondary"])
        let script = ScriptedWorld(loaded, world: world)
        let provenance = Provenance(loaded, git: SpecGitState(commit: Self.head, dirty: false), version: "0.1.0")
        let outcome = await SessionFixture.session(script).converge(loaded, options: ConvergeOptions(provenance: provenance))
        guard case .converged(let rounds, _) = outcome else {
            Issue.record("not converged: \(outcome)")
            return
        }
        #expect(rounds.count == 1 && rounds[0].report == nil, "nothing else runs")
        let write = try #require(rounds.last?.provenance)
        #expect(write.clusters == ["secondary", "tertiary"])
        #expect(write.failures.isEmpty)
        #expect(write.provenance.commit == Self.head && write.provenance.specDigest == loaded.specDigest)
        #expect(write.provenance.time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
        let writes = script.writes
        #expect(writes.count == 2 && writes.allSatisfy(Self.isProvenanceWrite), "\(writes)")
        #expect(writes.map(Self.context).sorted() == ["kind-secondary", "kind-tertiary"])
        let annotate = try #require(writes.first)
        #expect(annotate.arguments.contains("multidc/applied-commit=\(Self.head)"))
        #expect(annotate.arguments.suffix(1) == ["--overwrite"])
        // Read back, nothing is outdated any more.
        let after = world.recording(write.provenance)
        #expect(SessionFixture.session(script).provenanceOutdated(loaded, world: after).isEmpty)
    }

    @Test func anApplyThatChangesSomethingRecordsOnEveryClusterBeforeTheHealthCheck() async throws {
        let loaded = try SessionFixture.loaded()
        let builder = SessionFixture.builder(loaded)
        let script = ScriptedWorld(loaded, world: builder.empty())
        let converged = try builder.converged()
        let provenance = Provenance(loaded, git: SpecGitState(commit: Self.head, dirty: true), version: "0.1.0")
        let outcome = await SessionFixture.session(script).converge(loaded, options: ConvergeOptions(provenance: provenance)) { _, _ in
            script.world = converged
            return true
        }
        guard case .converged(let rounds, let health?) = outcome else {
            Issue.record("not converged: \(outcome)")
            return
        }
        #expect(health.isHealthy)
        let write = try #require(rounds.last?.provenance)
        #expect(write.clusters == ["primary", "secondary", "tertiary"])
        #expect(write.provenance.dirty == true)
        let calls = script.runner.calls
        let annotations = calls.indices.filter { Self.isProvenanceWrite(calls[$0]) }
        #expect(annotations.count == 3)
        // After every step of the plan, before the first `vault status` of the health check.
        let lastStep = try #require(calls.lastIndex { !ScriptedWorld.isRead($0) && !Self.isProvenanceWrite($0) })
        let firstStatus = try #require(calls.firstIndex(where: ScriptedWorld.isVaultStatus))
        #expect(annotations.allSatisfy { $0 > lastStep && $0 < firstStatus })
    }

    @Test func aFailedApplyRecordsNothing() async throws {
        let loaded = try SessionFixture.loaded()
        let builder = SessionFixture.builder(loaded)
        let script = ScriptedWorld(loaded, world: builder.empty()) { runner in
            runner.on(["kind", "create", "cluster", "--name", "secondary"], exitCode: 1, stderr: "ERROR: failed to create cluster\n")
        }
        let provenance = Provenance(loaded, git: SpecGitState(commit: Self.head, dirty: false), version: "0.1.0")
        let outcome = await SessionFixture.session(script).converge(loaded, options: ConvergeOptions(provenance: provenance))
        guard case .failed(let rounds) = outcome else {
            Issue.record("not failed: \(outcome)")
            return
        }
        #expect(rounds.allSatisfy { $0.provenance == nil })
        #expect(!script.runner.calls.contains(where: Self.isProvenanceWrite))
    }

    @Test func aWriteThatFailsIsReportedWithoutFailingTheApply() async throws {
        let loaded = try SessionFixture.loaded()
        let script = ScriptedWorld(loaded, world: try SessionFixture.builder(loaded).converged()) { runner in
            runner.on(where: { Self.isProvenanceWrite($0) && Self.context($0) == "kind-tertiary" }) { _ in
                .result(
                    CommandResult(exitCode: 1, stderr: "Error from server (Forbidden): configmaps \"multidc-ownership\" is forbidden\n"))
            }
        }
        let provenance = Provenance(loaded, git: SpecGitState(commit: Self.head, dirty: false), version: "0.1.0")
        let outcome = await SessionFixture.session(script).converge(loaded, options: ConvergeOptions(provenance: provenance))
        guard case .converged(let rounds, _) = outcome, let write = rounds.last?.provenance else {
            Issue.record("not converged with a write: \(outcome)")
            return
        }
        #expect(write.clusters == ["primary", "secondary"])
        #expect(write.failures["tertiary"]?.contains("Forbidden") == true)
    }

    // MARK: diff and status

    @Test func aNoOpDiffNotesARecordOfAnotherSpecAndCostsNoProcess() throws {
        let loaded = try SessionFixture.loaded()
        let converged = try SessionFixture.builder(loaded).converged()
        let same = Planner.plan(
            PlanInput(loaded: loaded, world: converged.recording(Self.recorded(loaded)), environment: ActionRunnerTests.environment))
        #expect(!same.hasChanges && same.notes.isEmpty)
        let other = Planner.plan(
            PlanInput(
                loaded: loaded, world: converged.recording(Self.recorded(loaded, digest: String(repeating: "0", count: 64))),
                environment: ActionRunnerTests.environment))
        #expect(!other.hasChanges)
        #expect(
            other.notes == [
                "the world was applied from another spec (sha256 000000000000, from 1a2b3c4d5e6f at 2026-05-01T12:00:00Z); apply records this one (sha256 \(loaded.specDigest.prefix(12))) and changes nothing else"
            ])
        // Records without provenance (an older multidc) are no note: nothing to compare.
        #expect(Planner.plan(PlanInput(loaded: loaded, world: converged, environment: ActionRunnerTests.environment)).notes.isEmpty)
    }

    /// git as it answers for a spec at `commit` (clean), scripted.
    static func git(_ runner: ScriptedRunner, commit: String, dirty: Bool = false) {
        runner.on(["git", "-C"], stdout: "/work/repo\nexamples/vault-raft/\n\(commit)\n")
        runner.on(["git", "--no-optional-locks"], stdout: dirty ? " M examples/vault-raft/vault-cr.yaml\u{0}" : "")
    }

    @Test func statusShowsTheProvenanceAndTheSyncStatusInTextAndJSON() async throws {
        let loaded = try SessionFixture.loaded()
        let world = try SessionFixture.builder(loaded).converged().recording(Self.recorded(loaded, commit: Self.old))
        let script = ScriptedWorld(loaded, world: world) { Self.git($0, commit: Self.head) }
        let status = await SessionFixture.session(script).status(loaded)
        let sync = try #require(status.sync)
        #expect(sync.state == .synced)
        let text = status.renderText()
        #expect(text.contains("\napplied from 1a2b3c4d5e6f at 2026-05-01T12:00:00Z by multidc 0.1.0 (spec.yaml)\n"), "\(text)")
        #expect(text.contains("\nsync: HEAD is 9f8e7d6c5b4a, world is at 1a2b3c4d5e6f; the spec is the same (in sync)\n"), "\(text)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.json().utf8)) as? [String: Any])
        let provenance = try #require(json["provenance"] as? [String: Any])
        #expect(provenance["commit"] as? String == Self.old && provenance["dirty"] as? Bool == false)
        #expect(provenance["specSHA256"] as? String == loaded.specDigest)
        let syncJSON = try #require(json["sync"] as? [String: Any])
        #expect(syncJSON["state"] as? String == "synced" && syncJSON["commit"] as? String == Self.head)
        #expect(syncJSON["revision"] as? String == "HEAD" && syncJSON["git"] is NSNull)
        // git adds two reads (rev-parse, status); the observation is unchanged.
        #expect(script.runner.calls.filter { $0.executable == "git" }.count == 2)
        #expect(script.observations == 1)
        #expect(script.writes.isEmpty)
    }

    @Test func statusOfAWorldWithoutProvenanceSaysItIsNotRecorded() async throws {
        let loaded = try SessionFixture.loaded()
        let script = ScriptedWorld(loaded, world: try SessionFixture.builder(loaded).converged()) { Self.git($0, commit: Self.head) }
        let status = await SessionFixture.session(script).status(loaded)
        #expect(status.sync?.state == .unknown)
        #expect(status.renderText().contains("\napplied from: not recorded\nsync: unknown ("))
        #expect(status.json().contains(#""provenance" : null"#))
    }
}
