import Foundation
import YAML

/// argv of the `vault` CLI run inside a Vault pod (through `kubectl exec`). See docs/tools.md
/// "Vault" for the flags and outputs.
package enum VaultCLI {
    /// Where the Bank-Vaults operator mounts the Vault's TLS secret: the `vault` container has no
    /// VAULT_ADDR/VAULT_CACERT (the operator gives TLS env to its sidecar only), so every call
    /// names the CA (docs/tools.md#vault-cli-tls).
    package static let caCert = "/vault/tls/ca.crt"

    /// `vault status -format=json -ca-cert=/vault/tls/ca.crt`: seal status, HA and Raft fields;
    /// exit 0 unsealed, 2 sealed, 1 on an error (no JSON then).
    package static func status() -> [String] { ["vault", "status", "-format=json", "-ca-cert=\(caCert)"] }
}

extension VaultCLI {
    /// Where Bank-Vaults keeps the unseal keys and the root token: the Vault CR's
    /// `spec.unsealConfig.vault` (docs/tools.md#bank-vaults-kv). Each key is a KV v2 entry at
    /// `<unsealKeysPath>/<key>` whose field `<key>` holds base64 of the bytes.
    package struct KeyStore: Sendable, Hashable {
        /// The KMS Vault's URL (`http://172.18.0.2:8200`).
        package var address: String
        /// The KV v2 mount (`secret`) and the path inside it (`vault-unseal-keys`), split from an
        /// `unsealKeysPath` of the form `MOUNT/data/PATH`.
        package var mount: String
        package var path: String
        /// The KMS token the CR gives Bank-Vaults.
        package var token: Secret

        package init(address: String, mount: String, path: String, token: Secret) {
            self.address = address
            self.mount = mount
            self.path = path
            self.token = token
        }

        /// Read from a Vault CR's `spec.unsealConfig.vault`; the error says what is missing.
        package static func from(vaultCR node: Node) -> Result<KeyStore, KeyStoreError> {
            guard let vault = node[path: "spec", "unsealConfig", "vault"] else {
                return .failure(KeyStoreError("its Vault CR keeps the unseal keys elsewhere (no spec.unsealConfig.vault)"))
            }
            guard let address = vault["address"]?.string, !address.isEmpty else {
                return .failure(KeyStoreError("its Vault CR has no spec.unsealConfig.vault.address"))
            }
            guard let token = vault["token"]?.string, !token.isEmpty else {
                return .failure(KeyStoreError("its Vault CR has no spec.unsealConfig.vault.token (role or token-file auth is not read)"))
            }
            let keysPath = vault["unsealKeysPath"]?.string ?? ""
            let parts = keysPath.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            guard let data = parts.firstIndex(of: "data"), data > 0, data < parts.count - 1 else {
                return .failure(
                    KeyStoreError("unsealKeysPath '\(keysPath)' is not a KV v2 data path (MOUNT/data/PATH, as Bank-Vaults writes it)"))
            }
            return .success(
                KeyStore(
                    address: address, mount: parts[..<data].joined(separator: "/"), path: parts[(data + 1)...].joined(separator: "/"),
                    token: Secret(token)))
        }
    }

    package struct KeyStoreError: Error, Sendable, Hashable, CustomStringConvertible {
        package var description: String
        init(_ description: String) { self.description = description }
    }

    /// `sh -c SCRIPT` running `vault ARGS…` in the Vault container as root: the script reads the
    /// KMS token from stdin, reads `vault-root` from the KMS (`vault kv get -field`, base64 as
    /// Bank-Vaults stores it; docs/tools.md#vault-kv-get) and passes it in VAULT_TOKEN, the only
    /// way the CLI takes a token (docs/tools.md#vault-cli-token). No secret is on any argv; the
    /// returned input carries the KMS token, marked sensitive.
    package static func asRoot(_ store: KeyStore, _ arguments: [String]) -> (arguments: [String], standardInput: Command.Input) {
        // `kv get MOUNT/PATH` (not `-mount`, which needs a 1.11+ CLI): the CLI finds the mount with
        // its preflight request and reads MOUNT/data/PATH (docs/tools.md#vault-kv-get).
        let kvGet = ["vault", "kv", "get", "-address=\(store.address)", "-field=vault-root", "\(store.mount)/\(store.path)/vault-root"]
        let script =
            "KT=$(cat) && B=$(VAULT_TOKEN=\"$KT\" \(kvGet.map(shellQuoted).joined(separator: " "))) && RT=$(echo \"$B\" | base64 -d) && VAULT_TOKEN=\"$RT\" "
            + arguments.map(shellQuoted).joined(separator: " ")
        return (["sh", "-c", script], Command.Input(store.token.reveal() + "\n", sensitive: true))
    }

    /// `vault operator raft list-peers -format=json`: the Raft configuration (docs/tools.md#vault-raft-peers).
    package static func listPeers() -> [String] {
        ["vault", "operator", "raft", "list-peers", "-format=json", "-ca-cert=\(caCert)"]
    }

    /// `vault operator raft remove-peer ID`.
    package static func removePeer(_ nodeID: String) -> [String] {
        ["vault", "operator", "raft", "remove-peer", "-ca-cert=\(caCert)", nodeID]
    }

    /// Parses `list-peers -format=json`: `data.config.servers[]` with `node_id`, `address`,
    /// `leader`, `voter`.
    package static func parsePeers(_ stdout: String) throws(ToolOutputError) -> [RaftPeer] {
        let tool = "vault operator raft list-peers"
        guard let object = try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
            throw ToolOutputError(tool: tool, message: "expected a JSON object")
        }
        guard let data = object["data"] as? [String: Any], let config = data["config"] as? [String: Any],
            let servers = config["servers"] as? [[String: Any]]
        else { throw ToolOutputError(tool: tool, message: "no data.config.servers array") }
        var peers: [RaftPeer] = []
        for server in servers {
            guard let id = server["node_id"] as? String, let address = server["address"] as? String else {
                throw ToolOutputError(tool: tool, message: "a server without node_id or address")
            }
            peers.append(
                RaftPeer(nodeID: id, address: address, leader: server["leader"] as? Bool ?? false, voter: server["voter"] as? Bool ?? false)
            )
        }
        return peers
    }

    /// POSIX single quotes: the word exactly, whatever it holds.
    static func shellQuoted(_ word: String) -> String {
        if !word.isEmpty, word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./:=@%+,".contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// One server of the Raft configuration.
package struct RaftPeer: Sendable, Hashable {
    package var nodeID: String
    /// `host:port` of its cluster address (8201).
    package var address: String
    package var leader: Bool
    package var voter: Bool

    package init(nodeID: String, address: String, leader: Bool, voter: Bool) {
        self.nodeID = nodeID
        self.address = address
        self.leader = leader
        self.voter = voter
    }

    /// The host part of `address`.
    package var host: String {
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            return String(address[address.index(after: address.startIndex)..<close])
        }
        return address.split(separator: ":").first.map(String.init) ?? address
    }
}
