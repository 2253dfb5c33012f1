import Foundation

/// This machine's record of the kind clusters an apply of a topology set out to create: written
/// before the run's `kind create cluster`, so an apply interrupted between the create and the
/// cluster's ownership record (ConfigMap `default/multidc-ownership`) is known to have made the
/// cluster, and the next apply adopts it. A kind cluster without an ownership record that this
/// file does not name may be someone else's: the plan refuses it unless `apply --adopt`.
///
/// One file per topology, `<state dir>/created/<topology>.clusters`, one cluster name a line; the
/// state dir is the lock's (`TopologyLock.lockDirectory`, without `/locks`).
package enum CreationRecord {
    /// The record file of a topology.
    package static func path(topology: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let locks = TopologyLock.lockDirectory(environment: environment)
        let state = locks.hasSuffix("/locks") ? String(locks.dropLast("/locks".count)) : locks
        let safe = String(topology.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        return state + "/created/" + safe + ".clusters"
    }

    /// The clusters an earlier apply on this machine created (empty: none, or no readable record).
    package static func clusters(topology: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Set<String> {
        guard let text = try? String(contentsOfFile: path(topology: topology, environment: environment), encoding: .utf8) else {
            return []
        }
        return Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    /// Adds clusters to the record (before they are created).
    package static func note(
        _ names: [String], topology: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        guard !names.isEmpty else { return }
        let file = path(topology: topology, environment: environment)
        let all = clusters(topology: topology, environment: environment).union(names).sorted()
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try (all.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// Removes clusters from the record (after destroy deleted them: a later cluster of that
    /// name is not ours until an apply creates it).
    package static func forget(
        _ names: [String], topology: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        guard !names.isEmpty else { return }
        let file = path(topology: topology, environment: environment)
        let kept = clusters(topology: topology, environment: environment).subtracting(names).sorted()
        if kept.isEmpty {
            if FileManager.default.fileExists(atPath: file) { try FileManager.default.removeItem(atPath: file) }
            return
        }
        try (kept.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// The kind clusters a destroy plan deletes that its report shows deleted.
    package static func deleted(by plan: Plan, _ report: ExecutionReport) -> [String] {
        plan.changes.compactMap { action in
            guard case .cluster(let name) = action.id, action.change == .delete, report[action.id.description]?.status == .succeeded
            else { return nil }
            return name
        }
    }

    /// The kind clusters a plan creates (or re-creates).
    package static func created(by plan: Plan) -> [String] {
        plan.changes.compactMap { action in
            guard case .cluster(let name) = action.id, action.change == .create || action.change == .replace else { return nil }
            return name
        }
    }
}
