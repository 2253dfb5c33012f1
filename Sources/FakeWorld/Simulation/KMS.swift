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
        if let problem = Self.schemeProblem(URL(string: address)?.scheme, container: container) {
            return .failure(KMSError("Put \"\(address)/v1/sys/...\": \(problem)"))
        }
        let env = container[path: "Config", "Env"]?.array?.compactMap(\.string) ?? []
        guard let token, env.contains("VAULT_DEV_ROOT_TOKEN_ID=\(token)") else {
            return .failure(
                KMSError("Error making API request.\n\nURL: PUT \(address)/v1/secret/data\nCode: 403. Errors:\n\n* permission denied"))
        }
        return .success(Located(id: id, startedAt: container[path: "State", "StartedAt"]?.string ?? ""))
    }

    /// The label that makes a KMS container stand in for an EXTERNAL Vault served over TLS with a
    /// certificate from a CA the clients trust (the examples' `kms.url: https://…`): it answers
    /// https only; certificates are not modelled. Without it a KMS container is what it is, a
    /// dev-mode Vault on plain HTTP [SRC hashicorp/vault command/server.go `-dev`: tls_disable].
    static let publicTLSLabel = "fakeworld.tls"

    static func servesTLS(_ container: JSON) -> Bool { container[path: "Config", "Labels", publicTLSLabel]?.string == "public" }

    /// Why a client speaking `scheme` gets no answer from the container, as Go's client says it.
    static func schemeProblem(_ scheme: String?, container: JSON) -> String? {
        switch (scheme, servesTLS(container)) {
        // [SRC golang/go src/net/http/transport.go: "http: server gave HTTP response to HTTPS client"]
        case ("https", false): return "http: server gave HTTP response to HTTPS client"
        // A TLS listener answers plain HTTP with 400 [SRC golang/go src/net/http/server.go: "Client
        // sent an HTTP request to an HTTPS server."].
        case ("http", true): return "Code: 400. Raw Message:\n\nClient sent an HTTP request to an HTTPS server."
        default: return nil
        }
    }

    /// What a client in a pod of a cluster on `network` reaches at host:port, as Go's net/http dials
    /// it: a running container holding the ip (or carrying the name or a network alias, answered
    /// by docker's DNS through the cluster's CoreDNS), else the dial error.
    enum Reach {
        /// A dev-mode Vault (image `…vault:TAG`) listening on 8200 (plain HTTP).
        case devVault(Located, image: String, env: [String], container: JSON)
        /// The host is there but nothing listens on the port.
        case refused(String)
        /// No host: `no route to host` for an ip nobody holds, `no such host` for a name.
        case unreachable(String)
    }

    func reach(host: String, port: Int, network: String) -> Reach {
        let hostPort = "\(host):\(port)"
        var container: JSON?
        if IPv4.parse(host) != nil {
            // An ip nobody on the bridge answers ARP for [Linux: EHOSTUNREACH after the ARP timeout].
            for (id, info) in docker.networkInspect(network)?["Containers"]?.object ?? [:]
            where info["IPv4Address"]?.string?.hasPrefix(host + "/") == true {
                container = docker.inspectContainer(id)
            }
            guard let container else { return .unreachable("dial tcp \(hostPort): connect: no route to host") }
            return answer(container, hostPort: hostPort, port: port)
        }
        // Docker's embedded DNS answers running containers only [SRC moby daemon/container_operations.go
        // v25.0 buildEndpointDNSNames]; a pod asks kube-dns (10.96.0.10 in kind), which forwards to it.
        if let c = docker.inspectContainer(host), c[path: "NetworkSettings", "Networks", network] != nil { container = c }
        if container == nil, let net = docker.networkInspect(network) {
            for id in (net["Containers"]?.object ?? [:]).keys.sorted() {
                guard let c = docker.inspectContainer(id), let ep = c[path: "NetworkSettings", "Networks", network] else { continue }
                let names = (ep["Aliases"]?.array ?? []) + (ep["DNSNames"]?.array ?? [])
                if names.contains(where: { $0.string == host }) {
                    container = c
                    break
                }
            }
        }
        guard let container, container[path: "State", "Running"]?.bool == true else {
            return .unreachable("dial tcp: lookup \(host) on 10.96.0.10:53: no such host")
        }
        // Go's dial error names the address it resolved, not the name.
        let ip = container[path: "NetworkSettings", "Networks", network, "IPAddress"]?.string ?? host
        return answer(container, hostPort: "\(ip):\(port)", port: port)
    }

    private func answer(_ c: JSON, hostPort: String, port: Int) -> Reach {
        let image = c[path: "Config", "Image"]?.string ?? ""
        let repo = image.split(separator: ":").first.map(String.init) ?? image
        guard let id = c["Id"]?.string, port == 8200, repo == "vault" || repo.hasSuffix("/vault") else {
            return .refused("dial tcp \(hostPort): connect: connection refused")
        }
        let located = Located(id: id, startedAt: c[path: "State", "StartedAt"]?.string ?? "")
        return .devVault(located, image: image, env: c[path: "Config", "Env"]?.array?.compactMap(\.string) ?? [], container: c)
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
