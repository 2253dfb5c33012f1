import Foundation

/// `vault status` and `vault operator raft list-peers` inside a simulated Vault container.
struct VaultCLI {
    let world: World

    func run(_ args: [String], pod: JSON, cluster: String, state: inout WorldState) -> ToolResult {
        var format = "table"
        var words: [String] = []
        for a in args {
            let flag = a.hasPrefix("--") ? String(a.dropFirst(2)) : a.hasPrefix("-") ? String(a.dropFirst()) : nil
            if let flag {
                if flag.hasPrefix("format=") {
                    format = String(flag.dropFirst(7))
                } else {
                    return ToolResult(stderr: "flag provided but not defined: -\(flag.split(separator: "=")[0])\n", code: 1)
                }
            } else {
                words.append(a)
            }
        }
        guard let cr = pod.labels["vault_cr"], let node = state.clusters[cluster]?.vaults["\(pod.namespace ?? "")/\(cr)"] else {
            return ToolResult(
                stderr:
                    "Error checking seal status: Get \"https://127.0.0.1:8200/v1/sys/seal-status\": dial tcp 127.0.0.1:8200: connect: connection refused\n",
                code: 1)
        }
        let raft = node.raftID.flatMap { state.raft[$0] }
        let version =
            (pod[path: "spec", "containers", "0", "image"]?.string ?? pod[path: "spec", "containers"]?.array?.first?["image"]?.string
            ?? "vault:1.6.2")
            .split(separator: ":").last.map(String.init) ?? "1.6.2"
        let key = "\(cluster)/\(pod.namespace ?? "")/\(cr)"
        switch words {
        case ["status"]:
            return status(node: node, raft: raft, key: key, version: version, format: format, state: state)
        case ["operator", "raft", "list-peers"]:
            return listPeers(node: node, raft: raft, format: format, state: state)
        default:
            return ToolResult(stderr: "Usage: vault <command> [args]\n", code: 127)
        }
    }

    static func address(_ state: WorldState, memberKey: String, port: Int) -> String {
        let parts = memberKey.split(separator: "/").map(String.init)
        guard parts.count == 3 else { return memberKey }
        let ip = state.clusters[parts[0]]?.get(.service, namespace: parts[1], name: parts[2])?[path: "status", "loadBalancer", "ingress"]?
            .array?.first?["ip"]?.string
        return "\(ip ?? "\(parts[2])-0.\(parts[2])"):\(port)"
    }

    func status(node: VaultNode, raft: RaftCluster?, key: String, version: String, format: String, state: WorldState) -> ToolResult {
        var f: [(String, JSON)] = [
            ("type", "shamir"), ("initialized", .bool(node.initialized)), ("sealed", .bool(node.sealed)),
            ("t", .int(node.initialized ? BankVaultsKeys.threshold : 0)), ("n", .int(node.initialized ? BankVaultsKeys.shares : 0)),
            ("progress", 0), ("nonce", ""), ("version", .string(version)), ("build_date", "2021-01-22T16:01:25Z"), ("migration", false),
        ]
        let unsealed = !node.sealed
        if unsealed, let raft {
            f += [("cluster_name", .string(raft.clusterName)), ("cluster_id", .string(raft.id))]
        }
        f += [("recovery_seal", false), ("storage_type", "raft"), ("ha_enabled", true)]
        if unsealed, let raft {
            let isLeader = raft.members.first == key
            if isLeader { f.append(("is_self", true)) }
            let active = isLeader ? node.activeSince.map(rfc3339nano) ?? "0001-01-01T00:00:00Z" : "0001-01-01T00:00:00Z"
            f.append(("active_time", .string(active)))
            if let leader = raft.members.first {
                f.append(("leader_address", .string("https://" + VaultCLI.address(state, memberKey: leader, port: 8200))))
                f.append(("leader_cluster_address", .string("https://" + VaultCLI.address(state, memberKey: leader, port: 8201))))
            }
            f += [("raft_committed_index", .int(raft.index)), ("raft_applied_index", .int(raft.index))]
        } else {
            f.append(("active_time", "0001-01-01T00:00:00Z"))
        }
        let code: Int32 = node.sealed ? 2 : 0
        if format == "json" { return ToolResult(stdout: orderedJSON(f) + "\n", code: code) }
        var rows: [[String]] = [["Key", "Value"], ["---", "-----"]]
        let labels = [
            "type": "Seal Type", "initialized": "Initialized", "sealed": "Sealed", "t": "Threshold", "n": "Total Shares",
            "progress": "Unseal Progress", "nonce": "Unseal Nonce", "version": "Version", "build_date": "Build Date",
            "storage_type": "Storage Type", "cluster_name": "Cluster Name", "cluster_id": "Cluster ID", "ha_enabled": "HA Enabled",
            "raft_committed_index": "Raft Committed Index", "raft_applied_index": "Raft Applied Index", "active_time": "Active Since",
        ]
        for (k, v) in f { if let l = labels[k] { rows.append([l, v.scalarText ?? ""]) } }
        if unsealed, let raft { rows.append(["HA Mode", raft.members.first == key ? "active" : "standby"]) }
        return ToolResult(stdout: Printer.columns(rows, gap: 4), code: code)
    }

    func listPeers(node: VaultNode, raft: RaftCluster?, format: String, state: WorldState) -> ToolResult {
        // The token is not modelled: the command is answered as if VAULT_TOKEN held the root token.
        if node.sealed {
            return ToolResult(
                stderr:
                    "Error reading the raft cluster configuration: Error making API request.\n\nURL: GET https://127.0.0.1:8200/v1/sys/storage/raft/configuration\nCode: 503. Errors:\n\n* Vault is sealed\n",
                code: 2)
        }
        guard let raft else { return ToolResult(stderr: "No raft cluster configuration found\n", code: 2) }
        let servers: [JSON] = raft.members.enumerated().map { i, m in
            [
                "address": .string(VaultCLI.address(state, memberKey: m, port: 8201)), "leader": .bool(i == 0),
                "node_id": .string(m.split(separator: "/").last.map { "\($0)-0" } ?? m), "protocol_version": "3", "voter": true,
            ]
        }
        if format == "json" {
            let out = orderedJSON([
                ("request_id", .string(newUID())), ("lease_id", ""), ("lease_duration", 0), ("renewable", false),
                ("data", ["config": ["index": .int(raft.index), "servers": .array(servers)]]), ("warnings", .null),
            ])
            return ToolResult(stdout: out + "\n")
        }
        var rows = [["Node", "Address", "State", "Voter"], ["----", "-------", "-----", "-----"]]
        for s in servers {
            rows.append([s["node_id"]?.string ?? "", s["address"]?.string ?? "", s["leader"]?.bool == true ? "leader" : "follower", "true"])
        }
        return ToolResult(stdout: Printer.columns(rows, gap: 4))
    }
}

/// json.MarshalIndent(struct, "", "  "): fields in declaration order, 2-space indent.
func orderedJSON(_ fields: [(String, JSON)]) -> String {
    "{\n" + fields.map { "  \(JSON.quote($0.0)): \($0.1.pretty(indent: "  ", level: 1))" }.joined(separator: ",\n") + "\n}"
}

func rfc3339nano(_ t: Double) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: Date(timeIntervalSince1970: t))
}
