import Foundation

/// The central Vault (KMS) is a REAL container; its KV data lives in fakeworld's state, keyed by
/// the container's full id, so a replaced container has lost every key.
struct KMS {
    let docker: Docker

    /// The container `address` names (by container name, network alias or IP on `network`), if it runs, is on
    /// that network and its VAULT_DEV_ROOT_TOKEN_ID equals `token`. Else the error bank-vaults would log.
    struct Located { var id: String; var startedAt: String }

    func locate(address: String, token: String?, network: String) -> Result<Located, KMSError> {
        let host = URL(string: address)?.host ?? address
        var container = docker.inspectContainer(host)
        if container == nil, IPv4.parse(host) != nil, let net = docker.networkInspect(network) {
            for (id, info) in net["Containers"]?.object ?? [:] where info["IPv4Address"]?.string?.hasPrefix(host + "/") == true {
                container = docker.inspectContainer(id)
            }
        }
        if container == nil, IPv4.parse(host) == nil, let net = docker.networkInspect(network) {
            // Docker's embedded DNS on a user-defined network also answers a container's network-scoped
            // aliases (`docker run --network-alias`, `docker network connect --alias`): an external
            // KMS reached by its DNS name is a container carrying that alias [SRC moby
            // daemon/container_operations.go v25.0 (buildEndpointDNSNames: name, aliases, short id, hostname);
            // docs.docker.com/engine/network/#dns-services].
            for id in (net["Containers"]?.object ?? [:]).keys.sorted() {
                guard let c = docker.inspectContainer(id), let ep = c[path: "NetworkSettings", "Networks", network] else { continue }
                let names = (ep["Aliases"]?.array ?? []) + (ep["DNSNames"]?.array ?? [])
                if names.contains(where: { $0.string == host }) {
                    container = c
                    break
                }
            }
        }
        let dial = KMSError("Put \"\(address)/v1/sys/...\": dial tcp: lookup \(host): no such host")
        guard let container, let id = container["Id"]?.string else { return .failure(dial) }
        guard container[path: "NetworkSettings", "Networks", network] != nil else { return .failure(dial) }
        guard container[path: "State", "Running"]?.bool == true else {
            return .failure(KMSError("dial tcp \(host):8200: connect: connection refused"))
        }
        let env = container[path: "Config", "Env"]?.array?.compactMap(\.string) ?? []
        guard let token, env.contains("VAULT_DEV_ROOT_TOKEN_ID=\(token)") else {
            return .failure(
                KMSError("Error making API request.\n\nURL: PUT \(address)/v1/secret/data\nCode: 403. Errors:\n\n* permission denied"))
        }
        return .success(Located(id: id, startedAt: container[path: "State", "StartedAt"]?.string ?? ""))
    }

    /// A dev-mode Vault keeps everything in memory ("inmem" storage): a container that was stopped
    /// or restarted since its data was recorded has none [SRC hashicorp/vault command/server.go
    /// v1.15.0, `-dev`: storage "inmem"]. Compared by docker's State.StartedAt.
    static func forgetIfRestarted(_ state: inout WorldState, _ kms: Located) {
        if let seen = state.kmsStartedAt[kms.id], seen != kms.startedAt { state.kms[kms.id] = nil }
        state.kmsStartedAt[kms.id] = kms.startedAt
    }
}

struct KMSError: Error { var message: String; init(_ m: String) { message = m } }

/// Bank-Vaults' key names in the KMS: `<unsealKeysPath>/<key>` with field `<key>` = base64(bytes).
enum BankVaultsKeys {
    static let root = "vault-root"
    static let test = "vault-test"
    static func unseal(_ i: Int) -> String { "vault-unseal-\(i)" }
    static let shares = 5, threshold = 3

    static func all() -> [String] { [root] + (0..<shares).map(unseal) }

    static func read(_ state: WorldState, container: String, path: String) -> [String: String]? {
        guard let data = state.kms[container] else { return nil }
        var keys: [String: String] = [:]
        for k in all() {
            guard let v = data["\(path)/\(k)"]?[k] else { return nil }
            keys[k] = v
        }
        return keys
    }

    static func anyExists(_ state: WorldState, container: String, path: String) -> String? {
        all().first { state.kms[container]?["\(path)/\($0)"] != nil }
    }

    static func write(_ state: inout WorldState, container: String, path: String, keys: [String: String]) {
        var data = state.kms[container] ?? [:]
        data["\(path)/\(test)"] = [test: Data(test.utf8).base64EncodedString()]
        for (k, v) in keys { data["\(path)/\(k)"] = [k: v] }
        state.kms[container] = data
    }

    static func generate(seed: String) -> [String: String] {
        var keys: [String: String] = [:]
        for k in all() {
            let bytes = SHA1.digest(Array("\(seed)/\(k)/\(UUID().uuidString)".utf8))
            keys[k] = Data(k == root ? Array("s.\(Data(bytes).base64EncodedString().prefix(24))".utf8) : bytes + bytes.prefix(13))
                .base64EncodedString()
        }
        return keys
    }
}
