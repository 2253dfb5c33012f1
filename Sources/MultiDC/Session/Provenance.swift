import Foundation

/// What an apply records about itself on every cluster's ownership record (annotations of the
/// ConfigMap `default/multidc-ownership`, beside the operator values digest): the digest of the
/// spec the world was made from, where that spec came from, by which multidc, and when.
///
/// The rule (README "Provenance and sync status"): an apply that changed something records it
/// once its changes are done (before the health check); an apply with nothing to change
/// records it only on the clusters whose record is missing or names another spec digest — the
/// world already matches this spec, which no record said. Another commit with the same digest,
/// a dirty flag, another multidc version or the time alone never rewrite it, so a second apply
/// of the same spec writes nothing. A failed or interrupted apply records nothing.
package struct Provenance: Sendable, Hashable {
    /// SHA-256 of the spec, its templates and its manifests (`SpecDigest`).
    package var specDigest: String
    /// The commit of the spec's repository (HEAD, or the `--rev` commit); nil: not in a git work tree.
    package var commit: String?
    /// Whether the spec's files had uncommitted changes; nil: not known (no commit).
    package var dirty: Bool?
    /// The spec as the user named it: `spec.yaml`, `<stdin>`, `spec.yaml@origin/main`.
    package var source: String
    /// The multidc that applied it (`0.1.0 (commit 0123abcd4567)`).
    package var version: String
    /// When it was recorded: RFC 3339, UTC, whole seconds.
    package var time: String

    package init(specDigest: String, commit: String?, dirty: Bool?, source: String, version: String, time: String = "") {
        self.specDigest = specDigest
        self.commit = commit
        self.dirty = dirty
        self.source = source
        self.version = version
        self.time = time
    }

    /// What an apply of `loaded` would record, from its git state (time set when written).
    package init(_ loaded: LoadedTopology, git: SpecGitState, version: String) {
        self.init(
            specDigest: loaded.specDigest, commit: git.commit, dirty: git.commit == nil ? nil : git.dirty,
            source: loaded.origin.displayName, version: version)
    }

    // MARK: The annotations

    package static let specDigestKey = "multidc/applied-spec-sha256"
    package static let commitKey = "multidc/applied-commit"
    package static let dirtyKey = "multidc/applied-dirty"
    package static let sourceKey = "multidc/applied-source"
    package static let versionKey = "multidc/applied-version"
    package static let timeKey = "multidc/applied-at"

    /// Every key, written each time (an unknown value as ""), so no value of an older record lingers.
    package var annotations: [(key: String, value: String)] {
        [
            (Self.specDigestKey, specDigest), (Self.commitKey, commit ?? ""), (Self.dirtyKey, dirty.map { $0 ? "true" : "false" } ?? ""),
            (Self.sourceKey, source), (Self.versionKey, version), (Self.timeKey, time),
        ]
    }

    /// The record in an ownership record's annotations; nil when it has none (no spec digest).
    package init?(annotations: [String: String]) {
        guard let digest = annotations[Self.specDigestKey], !digest.isEmpty else { return nil }
        func value(_ key: String) -> String? { annotations[key].flatMap { $0.isEmpty ? nil : $0 } }
        self.init(
            specDigest: digest, commit: value(Self.commitKey), dirty: value(Self.dirtyKey).map { $0 == "true" },
            source: value(Self.sourceKey) ?? "", version: value(Self.versionKey) ?? "", time: value(Self.timeKey) ?? "")
    }

    /// The record a cluster's observed ownership record carries (nil: none, or not read).
    package static func recorded(in cluster: ClusterObservation?) -> Provenance? {
        guard let record = cluster?.objects.ownership else { return nil }
        return Provenance(annotations: OwnershipResource.annotations(record))
    }

    /// A moment as the record writes it: `2026-05-01T12:00:00Z`.
    package static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// `1a2b3c4d5e6f (dirty)`, or `a spec not in a git work tree`.
    package var commitText: String {
        guard let commit else { return "a spec not in a git work tree" }
        return String(commit.prefix(12)) + (dirty == true ? " (dirty)" : "")
    }
}

/// What recording the provenance did.
package struct ProvenanceWrite: Sendable, Hashable {
    /// The record, with its time.
    package var provenance: Provenance
    /// The clusters it was written on.
    package var clusters: [String]
    /// Clusters where the write failed, with why (the apply itself succeeded).
    package var failures: [String: String]
}

extension Session {
    /// Writes `provenance` (timed now) on the ownership record of each of `clusters`, in
    /// parallel: `kubectl annotate --overwrite`, which keeps the record's other annotations and
    /// its last-applied configuration.
    package func recordProvenance(_ loaded: LoadedTopology, _ provenance: Provenance, clusters: [String]) async -> ProvenanceWrite {
        var provenance = provenance
        provenance.time = Provenance.timestamp(Date())
        let topology = loaded.topology
        let pairs = provenance.annotations
        let results = await withTaskGroup(of: (String, String?).self) { group in
            for name in clusters {
                let context = topology.clusters.first { $0.name == name }.map { topology.context(of: $0) } ?? Kind.context(forCluster: name)
                let command = Kubectl(context: context).annotate(
                    "configmap", Ownership.configMapName, namespace: Ownership.configMapNamespace, pairs)
                group.addTask {
                    do {
                        let result = try await runner.run(command)
                        return (name, result.isSuccess ? nil : ToolFailure(command, result).description)
                    } catch {
                        return (name, "\(error)")
                    }
                }
            }
            var results: [String: String?] = [:]
            for await (name, failure) in group { results[name] = failure }
            return results
        }
        var failures: [String: String] = [:]
        for (name, failure) in results { if let failure { failures[name] = failure } }
        return ProvenanceWrite(provenance: provenance, clusters: clusters.filter { failures[$0] == nil }, failures: failures)
    }

    /// The clusters whose record an apply with nothing to change rewrites: those whose ownership
    /// record was read and has no provenance, or one of another spec digest.
    package func provenanceOutdated(_ loaded: LoadedTopology, world: World) -> [String] {
        loaded.topology.clusters.map(\.name).filter { name in
            guard let observed = world.cluster(named: name), observed.objects.ownership != nil else { return false }
            return Provenance.recorded(in: observed)?.specDigest != loaded.specDigest
        }
    }
}
