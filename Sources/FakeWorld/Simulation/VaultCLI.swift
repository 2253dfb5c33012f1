import Foundation

/// The vault CLI inside a simulated Vault container: `status`, `operator raft list-peers`,
/// `operator raft remove-peer ID`.
///
/// TLS [SRC hashicorp/vault api/client.go v1.15.0 DefaultConfig/ReadEnvironment]: VAULT_ADDR
/// defaults to https://127.0.0.1:8200 and the CA to the system roots; the operator sets neither in
/// the `vault` container (only bank-vaults gets withTLSEnv) [SRC bank-vaults/vault-operator
/// pkg/controller/vault/vault_controller.go v1.24.0], so the server certificate (signed by the
/// operator's CA) fails verification unless `-ca-cert=/vault/tls/ca.crt` (or VAULT_CACERT, or
/// -tls-skip-verify / VAULT_SKIP_VERIFY) is given.
///
/// Token [SRC hashicorp/vault command/base.go v1.15.0 Client(): VAULT_TOKEN from the environment,
/// else the token helper ~/.vault-token, absent in the pod]: there is no token flag; pass it as
/// `kubectl exec -i POD -c vault -- sh -c 'VAULT_TOKEN=$(cat) vault …'` with the token on stdin.
struct CLIExit: Error { var result: ToolResult; init(_ r: ToolResult) { result = r } }

struct VaultCLI {
    let world: World

    struct Options {
        var format = "table"
        var caCert: String?
        var skipVerify = false
        var address = "https://127.0.0.1:8200"
        var words: [String] = []
    }

    func parse(_ args: [String], env: [String: String]) -> Result<Options, CLIExit> {
        var o = Options()
        if let a = env["VAULT_ADDR"], !a.isEmpty { o.address = a }
        o.caCert = env["VAULT_CACERT"].flatMap { $0.isEmpty ? nil : $0 }
        if let s = env["VAULT_SKIP_VERIFY"], ["1", "true", "t", "TRUE", "True"].contains(s) { o.skipVerify = true }
        if let f = env["VAULT_FORMAT"], !f.isEmpty { o.format = f }
        var i = 0
        while i < args.count {
            let a = args[i]
            guard a.hasPrefix("-"), a != "-" else {
                o.words.append(a)
                i += 1
                continue
            }
            let body = a.hasPrefix("--") ? String(a.dropFirst(2)) : String(a.dropFirst())
            let kv = body.split(separator: "=", maxSplits: 1).map(String.init)
            var value: String? = kv.count == 2 ? kv[1] : nil
            let takesValue = ["format", "ca-cert", "address", "ca-path", "client-cert", "client-key", "tls-server-name", "namespace"]
            if takesValue.contains(kv[0]), value == nil {
                guard i + 1 < args.count else {
                    return .failure(CLIExit(ToolResult(stderr: "flag needs an argument: -\(kv[0])\n", code: 1)))
                }
                value = args[i + 1]
                i += 1
            }
            switch kv[0] {
            case "format": o.format = value ?? "table"
            case "ca-cert": o.caCert = value
            case "address": o.address = value ?? o.address
            case "tls-skip-verify": o.skipVerify = value.map { $0 == "true" || $0 == "1" } ?? true
            case "ca-path", "client-cert", "client-key", "tls-server-name", "namespace": break
            default: return .failure(CLIExit(ToolResult(stderr: "flag provided but not defined: -\(kv[0])\n", code: 1)))
            }
            i += 1
        }
        return .success(o)
    }

    func run(_ args: [String], env: [String: String], pod: JSON, container: String, cluster: String, state: inout WorldState) -> ToolResult
    {
        let o: Options
        switch parse(args, env: env) {
        case .success(let v): o = v
        case .failure(let r): return r.result
        }
        guard let c = state.clusters[cluster], let cr = pod.labels["vault_cr"], let node = c.vaults["\(pod.namespace ?? "")/\(cr)"],
            node.podUID == pod.uid
        else {
            return ToolResult(
                stderr:
                    "Error checking seal status: Get \"\(o.address)/v1/sys/seal-status\": dial tcp 127.0.0.1:8200: connect: connection refused\n",
                code: 1)
        }
        let (what, method, path): (String, String, String)
        switch o.words {
        case ["status"]: (what, method, path) = ("Error checking seal status", "Get", "/v1/sys/seal-status")
        case ["operator", "raft", "list-peers"]:
            (what, method, path) = ("Error reading the raft cluster configuration", "Get", "/v1/sys/storage/raft/configuration")
        case let w where w.count == 4 && w[0] == "operator" && w[1] == "raft" && w[2] == "remove-peer":
            (what, method, path) = ("Error removing the peer from raft cluster", "Post", "/v1/sys/storage/raft/remove-peer")
        case let w where w.count >= 3 && w[0] == "operator" && w[1] == "raft" && w[2] == "remove-peer":
            return ToolResult(stderr: "Incorrect arguments (expected 1, got \(w.count - 3))\n", code: 1)
        default:
            return ToolResult(stderr: "Usage: vault <command> [args]\n", code: 127)
        }
        let code: Int32 = o.words == ["status"] ? 1 : 2
        // TLS: the server presents the certificate signed by the pod's own operator CA.
        if !o.skipVerify {
            let ownCA = c.get(.secret, namespace: pod.namespace, name: "\(cr)-tls")?[path: "data", "ca.crt"]?.string
            let ct = (pod[path: "spec", "containers"]?.array ?? []).first { $0["name"]?.string == container } ?? .object([:])
            if let file = o.caCert {
                guard let content = Raft.secretFile(c, pod: pod, container: ct, path: file) else {
                    return ToolResult(stderr: "Error initializing client: open \(file): no such file or directory\n", code: code)
                }
                if content != ownCA {
                    return ToolResult(
                        stderr:
                            "\(what): \(method) \"\(o.address)\(path)\": tls: failed to verify certificate: x509: certificate signed by unknown authority\n",
                        code: code)
                }
            } else {
                return ToolResult(
                    stderr:
                        "\(what): \(method) \"\(o.address)\(path)\": tls: failed to verify certificate: x509: certificate signed by unknown authority\n",
                    code: code)
            }
        }
        let storage = c.volumes[node.storageKey]
        let raft = storage?.raftID.flatMap { state.raft[$0] }
        let version =
            (pod[path: "spec", "containers"]?.array?.first?["image"]?.string ?? "hashicorp/vault:1.15.0").split(separator: ":").last.map(
                String.init) ?? "1.15.0"
        if o.words == ["status"] {
            return status(node: node, storage: storage, raft: raft, version: version, format: o.format, state: state)
        }
        // Everything else needs a token: VAULT_TOKEN (no token helper file in the pod).
        if node.sealed {
            return ToolResult(
                stderr:
                    "\(what): Error making API request.\n\nURL: \(method.uppercased()) \(o.address)\(path)\nCode: 503. Errors:\n\n* Vault is sealed\n",
                code: 2)
        }
        guard let raft, let token = env["VAULT_TOKEN"], !token.isEmpty,
            Data(base64Encoded: raft.keys[BankVaultsKeys.root] ?? "").map({ String(decoding: $0, as: UTF8.self) }) == token
        else {
            return ToolResult(
                stderr:
                    "\(what): Error making API request.\n\nURL: \(method.uppercased()) \(o.address)\(path)\nCode: 403. Errors:\n\n* permission denied\n",
                code: 2)
        }
        guard Raft.leader(state, raft) != nil else {
            // A standby with no active node cannot forward [SRC hashicorp/vault http/handler.go
            // handleRequestForwarding]: 500.
            return ToolResult(
                stderr:
                    "\(what): Error making API request.\n\nURL: \(method.uppercased()) \(o.address)\(path)\nCode: 500. Errors:\n\n* local node not active but active cluster node not found\n",
                code: 2)
        }
        if o.words[2] == "remove-peer" {
            // [SRC hashicorp/vault command/operator_raft_remove_peer.go v1.15.0]
            let id = o.words[3]
            if var r = state.raft[raft.id] {
                r.members.removeAll { $0.nodeID == id }
                r.index += 2
                state.raft[raft.id] = r
            }
            return ToolResult(stdout: "Peer removed successfully!\n")
        }
        return listPeers(raft: raft, format: o.format, state: state)
    }

    func status(
        node: VaultNode, storage: RaftStorage?, raft: RaftCluster?, version: String, format: String, state: WorldState
    )
        -> ToolResult
    {
        let initialized = storage?.initialized ?? false
        var f: [(String, JSON)] = [
            ("type", "shamir"), ("initialized", .bool(initialized)), ("sealed", .bool(node.sealed)),
            ("t", .int(initialized ? BankVaultsKeys.threshold : 0)), ("n", .int(initialized ? BankVaultsKeys.shares : 0)),
            ("progress", 0), ("nonce", ""), ("version", .string(version)), ("build_date", "2021-01-22T16:01:25Z"), ("migration", false),
        ]
        let unsealed = !node.sealed
        if unsealed, let raft {
            f += [("cluster_name", .string(raft.clusterName)), ("cluster_id", .string(raft.id))]
        }
        f += [("recovery_seal", false), ("storage_type", "raft"), ("ha_enabled", true)]
        let leader = raft.flatMap { Raft.leader(state, $0) }
        let isLeader = leader != nil && leader?.nodeID == storage?.nodeID
        if unsealed, let raft {
            if isLeader { f.append(("is_self", true)) }
            let active = isLeader ? node.activeSince.map(rfc3339nano) ?? "0001-01-01T00:00:00Z" : "0001-01-01T00:00:00Z"
            f.append(("active_time", .string(active)))
            if let leader {
                let host = leader.address.split(separator: ":").first.map(String.init) ?? leader.address
                f.append(("leader_address", .string("https://\(host):8200")))
                f.append(("leader_cluster_address", .string("https://\(host):8201")))
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
        if unsealed, raft != nil { rows.append(["HA Mode", isLeader ? "active" : "standby"]) }
        return ToolResult(stdout: Printer.columns(rows, gap: 4), code: code)
    }

    func listPeers(raft: RaftCluster, format: String, state: WorldState) -> ToolResult {
        let leader = Raft.leader(state, raft)
        let servers: [JSON] = raft.members.map { m in
            [
                "address": .string(m.address), "leader": .bool(m.nodeID == leader?.nodeID), "node_id": .string(m.nodeID),
                "protocol_version": "3", "voter": true,
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
