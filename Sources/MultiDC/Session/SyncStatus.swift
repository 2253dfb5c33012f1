/// Where the world stands against the spec at hand, as Argo CD's sync status does: the
/// provenance the clusters recorded (which spec made the world) against the spec's digest and
/// its repository's commit now.
///
/// "In sync" is decided by content: the recorded spec digest equals the spec's. The commits say
/// where each came from — the same spec at a newer commit is in sync, and says so
/// (`HEAD is 9f8e…, world is at 1a2b…; the spec is the same`).
package struct SyncStatus: Sendable, Hashable {
    package enum State: String, Sendable, Hashable {
        case synced
        case outOfSync = "out-of-sync"
        /// No cluster's record could be read, or none has provenance.
        case unknown
    }

    /// The newest provenance the clusters recorded (nil: none read).
    package var applied: Provenance?
    package var state: State
    /// The spec at hand: its digest and where it stands in git.
    package var specDigest: String
    package var git: SpecGitState
    /// `applied from 1a2b3c4d5e6f (dirty) at 2026-05-01T12:00:00Z by multidc 0.1.0 (spec.yaml)`.
    package var appliedLine: String
    /// `in sync with HEAD`, `HEAD is 9f8e7d6c5b4a, world is at 1a2b3c4d5e6f; the spec differs (out of sync)`, …
    package var syncLine: String
    /// Clusters whose record differs from the newest, or that have none.
    package var notes: [String]

    /// Compares the clusters' records (nil: a cluster read without a provenance record; clusters
    /// not read are left out) with the spec at hand.
    package static func evaluate(records: [(cluster: String, provenance: Provenance?)], specDigest: String, git: SpecGitState) -> SyncStatus
    {
        let recorded = records.compactMap { entry in entry.provenance.map { (cluster: entry.cluster, provenance: $0) } }
        // RFC 3339 UTC times order as text.
        guard let newest = recorded.max(by: { $0.provenance.time < $1.provenance.time })?.provenance else {
            let why =
                records.isEmpty
                ? "no ownership record was read: not applied yet, or no cluster answers"
                : "the ownership records carry no provenance; the next apply records it"
            return SyncStatus(
                applied: nil, state: .unknown, specDigest: specDigest, git: git, appliedLine: "applied from: not recorded",
                syncLine: "sync: unknown (\(why))", notes: [])
        }
        var notes: [String] = []
        for entry in records {
            guard let p = entry.provenance else {
                notes.append("cluster \(entry.cluster) has no provenance record")
                continue
            }
            if p.specDigest != newest.specDigest || p.commit != newest.commit {
                notes.append("cluster \(entry.cluster) records an older apply: from \(p.commitText) at \(p.time)")
            }
        }
        let synced = newest.specDigest == specDigest
        let revision = git.revision
        let sync: String
        if let head = git.commit {
            let dirtyNote = git.dirty == true ? " (uncommitted changes)" : ""
            if head == newest.commit {
                sync =
                    synced
                    ? "in sync with \(revision)\(dirtyNote)"
                    : "out of sync: the spec differs from the one applied at \(revision)\(dirtyNote)"
            } else {
                let world = newest.commit.map { String($0.prefix(12)) } ?? "a spec not in a git work tree"
                sync =
                    "\(revision) is \(head.prefix(12))\(dirtyNote), world is at \(world); "
                    + (synced ? "the spec is the same (in sync)" : "the spec differs (out of sync)")
            }
        } else {
            sync =
                (git.problem ?? "not in a git work tree") + "; "
                + (synced ? "in sync with the spec" : "the spec differs from the one applied (out of sync)")
        }
        var applied = "applied from \(newest.commitText) at \(newest.time.isEmpty ? "an unknown time" : newest.time)"
        if !newest.version.isEmpty { applied += " by multidc \(newest.version)" }
        if !newest.source.isEmpty { applied += " (\(newest.source))" }
        return SyncStatus(
            applied: newest, state: synced ? .synced : .outOfSync, specDigest: specDigest, git: git, appliedLine: applied,
            syncLine: "sync: " + sync, notes: notes)
    }
}
