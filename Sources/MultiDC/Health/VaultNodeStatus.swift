import Foundation

/// One Vault node's `vault status -format=json` (the CLI's `SealStatusOutput`: seal status
/// plus leader fields, docs/tools.md#vault-cli). Unknown keys are ignored; missing `omitempty` keys take
/// their zero value, as Go would have written them.
package struct VaultNodeStatus: Sendable, Equatable, Decodable {
    /// Seal type, e.g. `shamir`.
    package var type: String
    package var initialized: Bool
    package var sealed: Bool
    /// Unseal threshold.
    package var t: Int
    /// Number of key shares.
    package var n: Int
    /// Unseal progress (keys given so far).
    package var progress: Int
    package var version: String
    package var clusterName: String?
    package var clusterID: String?
    /// `raft`, `file`, `inmem`, … (absent on some versions when sealed).
    package var storageType: String?
    package var haEnabled: Bool
    /// True on the active node.
    package var isSelf: Bool
    /// RFC 3339; `0001-01-01T00:00:00Z` when not active (Vault), absent (OpenBao).
    package var activeTime: String?
    package var leaderAddress: String?
    package var leaderClusterAddress: String?
    package var performanceStandby: Bool
    package var raftCommittedIndex: UInt64
    package var raftAppliedIndex: UInt64
    package var removedFromCluster: Bool?

    enum CodingKeys: String, CodingKey {
        case type, initialized, sealed, t, n, progress, version
        case clusterName = "cluster_name"
        case clusterID = "cluster_id"
        case storageType = "storage_type"
        case haEnabled = "ha_enabled"
        case isSelf = "is_self"
        case activeTime = "active_time"
        case leaderAddress = "leader_address"
        case leaderClusterAddress = "leader_cluster_address"
        case performanceStandby = "performance_standby"
        case raftCommittedIndex = "raft_committed_index"
        case raftAppliedIndex = "raft_applied_index"
        case removedFromCluster = "removed_from_cluster"
    }

    package init(
        type: String = "shamir", initialized: Bool = true, sealed: Bool = false, t: Int = 1, n: Int = 1,
        progress: Int = 0, version: String = "", clusterName: String? = nil, clusterID: String? = nil,
        storageType: String? = "raft", haEnabled: Bool = true, isSelf: Bool = false, activeTime: String? = nil,
        leaderAddress: String? = nil, leaderClusterAddress: String? = nil, performanceStandby: Bool = false,
        raftCommittedIndex: UInt64 = 0, raftAppliedIndex: UInt64 = 0, removedFromCluster: Bool? = nil
    ) {
        self.type = type
        self.initialized = initialized
        self.sealed = sealed
        self.t = t
        self.n = n
        self.progress = progress
        self.version = version
        self.clusterName = clusterName
        self.clusterID = clusterID
        self.storageType = storageType
        self.haEnabled = haEnabled
        self.isSelf = isSelf
        self.activeTime = activeTime
        self.leaderAddress = leaderAddress
        self.leaderClusterAddress = leaderClusterAddress
        self.performanceStandby = performanceStandby
        self.raftCommittedIndex = raftCommittedIndex
        self.raftAppliedIndex = raftAppliedIndex
        self.removedFromCluster = removedFromCluster
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(String.self, forKey: .type) ?? ""
        initialized = try c.decode(Bool.self, forKey: .initialized)
        sealed = try c.decode(Bool.self, forKey: .sealed)
        t = try c.decodeIfPresent(Int.self, forKey: .t) ?? 0
        n = try c.decodeIfPresent(Int.self, forKey: .n) ?? 0
        progress = try c.decodeIfPresent(Int.self, forKey: .progress) ?? 0
        version = try c.decodeIfPresent(String.self, forKey: .version) ?? ""
        clusterName = try c.decodeIfPresent(String.self, forKey: .clusterName)
        clusterID = try c.decodeIfPresent(String.self, forKey: .clusterID)
        storageType = try c.decodeIfPresent(String.self, forKey: .storageType)
        haEnabled = try c.decodeIfPresent(Bool.self, forKey: .haEnabled) ?? false
        isSelf = try c.decodeIfPresent(Bool.self, forKey: .isSelf) ?? false
        activeTime = try c.decodeIfPresent(String.self, forKey: .activeTime)
        leaderAddress = try c.decodeIfPresent(String.self, forKey: .leaderAddress)
        leaderClusterAddress = try c.decodeIfPresent(String.self, forKey: .leaderClusterAddress)
        performanceStandby = try c.decodeIfPresent(Bool.self, forKey: .performanceStandby) ?? false
        raftCommittedIndex = try c.decodeIfPresent(UInt64.self, forKey: .raftCommittedIndex) ?? 0
        raftAppliedIndex = try c.decodeIfPresent(UInt64.self, forKey: .raftAppliedIndex) ?? 0
        removedFromCluster = try c.decodeIfPresent(Bool.self, forKey: .removedFromCluster)
    }

    /// Parses one run of `vault status -format=json` (usually through `kubectl exec`).
    ///
    /// Exit 0 (unsealed) and 2 (sealed) carry the JSON on stdout; anything else is an error
    /// whose text is stderr (e.g. `Error checking seal status: … connection refused`).
    /// Returns `.failure` with a one-line message for errors and unparsable output.
    package static func parse(stdout: String, stderr: String = "", exitCode: Int32) -> Result<VaultNodeStatus, VaultStatusError> {
        guard exitCode == 0 || exitCode == 2 else {
            let text = firstMeaningfulLine(stderr) ?? firstMeaningfulLine(stdout) ?? "no output"
            return .failure(VaultStatusError(message: "vault status failed (exit \(exitCode)): \(text)"))
        }
        do {
            let status = try JSONDecoder().decode(VaultNodeStatus.self, from: Data(stdout.utf8))
            return .success(status)
        } catch {
            let detail: String
            switch error {
            case DecodingError.keyNotFound(let key, _): detail = "missing key '\(key.stringValue)'"
            case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
                detail = "bad value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
            default: detail = "not JSON"
            }
            let rest = firstMeaningfulLine(stderr).map { " (stderr: \($0))" } ?? ""
            return .failure(VaultStatusError(message: "cannot read vault status output (exit \(exitCode)): \(detail)\(rest)"))
        }
    }

    private static func firstMeaningfulLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty }
    }
}

/// `vault status` could not be run or read; `message` is one line for the health table.
package struct VaultStatusError: Error, Sendable, Equatable, CustomStringConvertible {
    package var message: String
    package init(message: String) { self.message = message }
    package var description: String { message }
}
