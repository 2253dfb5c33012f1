import Foundation

/// Initialising, unsealing and joining the simulated Vault servers into Raft clusters.
/// The leader CR (raftLeaderAddress "self" or unset) initialises a cluster and writes Bank-Vaults
/// keys to the KMS; a follower joins only when its raftLeaderAddress equals the leader Service's
/// LB IP (searched across every cluster of the world) AND the leader's TLS secret is present, as
/// copied, in the follower's own cluster and namespace; every server unseals with the keys it reads
/// from the KMS at its unsealKeysPath.
struct Raft {
    let sim: Simulation

    struct CRRef {
        var cluster: String; var namespace: String; var name: String; var cr: JSON
        var key: String { "\(cluster)/\(namespace)/\(name)" }
        var localKey: String { "\(namespace)/\(name)" }
    }

    static func crs(_ state: WorldState) -> [CRRef] {
        var out: [CRRef] = []
        for (name, c) in state.clusters.sorted(by: { $0.key < $1.key }) {
            guard let t = c.types.first(where: { $0.group == VaultOperator.group && $0.kind == "Vault" }) else { continue }
            out += c.list(t, namespace: nil).map { CRRef(cluster: name, namespace: $0.namespace ?? "default", name: $0.name ?? "", cr: $0) }
        }
        return out
    }

    static func isLeaderCR(_ cr: JSON) -> Bool {
        let a = cr[path: "spec", "raftLeaderAddress"]?.string ?? ""
        return a.isEmpty || a == "self"
    }

    static func lbIP(_ state: WorldState, _ ref: CRRef) -> String? {
        state.clusters[ref.cluster]?.get(.service, namespace: ref.namespace, name: ref.name)?[path: "status", "loadBalancer", "ingress"]?
            .array?.first?["ip"]?.string
    }

    /// The host in raftLeaderAddress (it may be written as a URL or host:port).
    static func host(_ address: String) -> String {
        var a = address
        if let r = a.range(of: "://") { a = String(a[r.upperBound...]) }
        a = String(a.prefix { $0 != "/" })
        if a.filter({ $0 == ":" }).count == 1 { a = String(a.prefix { $0 != ":" }) }
        return a
    }

    func reconcile(_ state: inout WorldState) {
        let refs = Raft.crs(state)
        // Leaders first, so followers in the same pass can join.
        for ref in refs.sorted(by: { Raft.isLeaderCR($0.cr) && !Raft.isLeaderCR($1.cr) }) {
            step(&state, ref, all: refs)
        }
        for (id, var r) in state.raft {
            r.members = r.members.filter { key in
                let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
                return parts.count == 2 && state.clusters[parts[0]]?.vaults[parts[1]]?.raftID == id
            }
            state.raft[id] = r
        }
    }

    func step(_ state: inout WorldState, _ ref: CRRef, all: [CRRef]) {
        guard var c = state.clusters[ref.cluster], var node = c.vaults[ref.localKey], node.sealed,
            let pod = c.get(.pod, namespace: ref.namespace, name: "\(ref.name)-0")
        else { return }
        let workloads = Workloads(sim: sim)
        guard workloads.started(c, pod), workloads.blocker(c, pod) == nil,
            !sim.world.settings.crashloop(ref.cluster, pod: pod.name ?? "")
        else { return }
        defer { c.vaults[ref.localKey] = node; state.clusters[ref.cluster] = c }
        let unseal = ref.cr[path: "spec", "unsealConfig", "vault"]
        guard let address = unseal?["address"]?.string else {
            node.lastError = "no unsealConfig.vault.address: the world only models the vault KMS"
            return
        }
        let path = unseal?["unsealKeysPath"]?.string ?? "secret/data/vault-keys"
        let located = KMS(docker: sim.world.docker).locate(address: address, token: unseal?["token"]?.string, network: c.network)
        guard case .success(let kms) = located else {
            if case .failure(let e) = located { node.lastError = e.message }
            return
        }
        if node.initialized, let id = node.raftID, let raft = state.raft[id] {
            // A restarted pod: unseal with the keys the KMS still has (a replaced KMS has none).
            guard let keys = BankVaultsKeys.read(state, container: kms, path: path), keys == raft.keys else {
                node.lastError = "key not found under path: \(path)/\(BankVaultsKeys.unseal(0))"
                return
            }
            node.sealed = false
            node.lastError = nil
            if raft.members.first == ref.key { node.activeSince = sim.now }
            return
        }
        if Raft.isLeaderCR(ref.cr) {
            if let existing = BankVaultsKeys.anyExists(state, container: kms, path: path) {
                node.lastError = "error before init: value for key '\(existing)' already exists"
                return
            }
            let keys = BankVaultsKeys.generate(seed: ref.key)
            BankVaultsKeys.write(&state, container: kms, path: path, keys: keys)
            let id = newUID()
            let clusterName = "vault-cluster-" + String(id.replacingOccurrences(of: "-", with: "").suffix(8))
            state.raft[id] = RaftCluster(
                id: id, clusterName: clusterName, members: [ref.key], index: 30, kmsContainer: kms, unsealKeysPath: path, keys: keys)
            node.initialized = true
            node.raftID = id
            node.sealed = false
            node.activeSince = sim.now
            node.lastError = nil
            return
        }
        // Follower: find the leader by its LoadBalancer IP.
        let want = Raft.host(ref.cr[path: "spec", "raftLeaderAddress"]?.string ?? "")
        guard let leader = all.first(where: { Raft.isLeaderCR($0.cr) && Raft.lbIP(state, $0) == want }),
            let leaderNode = state.clusters[leader.cluster]?.vaults[leader.localKey], leaderNode.initialized, !leaderNode.sealed,
            let id = leaderNode.raftID, var raft = state.raft[id]
        else {
            node.lastError = "failed to join raft cluster: leader \(want) unreachable"
            return
        }
        let leaderTLS = state.clusters[leader.cluster]?.get(.secret, namespace: leader.namespace, name: "\(leader.name)-tls")
        let localTLS = c.get(.secret, namespace: ref.namespace, name: "\(leader.name)-tls")
        guard let localTLS, localTLS[path: "data", "ca.crt"] == leaderTLS?[path: "data", "ca.crt"] else {
            node.lastError = "failed to join raft cluster: x509: certificate signed by unknown authority"
            return
        }
        guard let keys = BankVaultsKeys.read(state, container: kms, path: path), keys == raft.keys else {
            node.lastError = "key not found under path: \(path)/\(BankVaultsKeys.unseal(0))"
            return
        }
        raft.members.append(ref.key)
        raft.index += 4
        state.raft[id] = raft
        node.initialized = true
        node.raftID = id
        node.sealed = false
        node.lastError = nil
    }

    /// Drops a deleted cluster's Vault servers from every Raft cluster.
    static func forget(cluster: String, in state: inout WorldState) {
        for (id, var r) in state.raft {
            r.members.removeAll { $0.hasPrefix("\(cluster)/") }
            if r.members.isEmpty { state.raft[id] = nil } else { state.raft[id] = r }
        }
    }
}
