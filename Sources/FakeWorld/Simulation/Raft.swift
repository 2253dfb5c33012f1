import Foundation

/// Initialising, unsealing and joining the simulated Vault servers into Raft clusters, as the
/// bank-vaults sidecar drives them [SRC bank-vaults cmd/bank-vaults/unseal.go and
/// internal/vault/operator_client.go v1.33.1]:
/// * the leader CR (raftLeaderAddress "self" or unset) initialises once and writes Bank-Vaults'
///   keys to the KMS; a pod whose storage is already initialised logs "vault is already initialized";
/// * a follower calls `sys/storage/raft/join` ONCE and exits 1 on failure (the kubelet restarts it
///   with CrashLoopBackOff); the join needs the leader Service's LB address, the leader unsealed,
///   its LB announced (MetalLB speaker Ready), and the leader's CA at VAULT_RAFT_CACERT (else
///   VAULT_CACERT, the pod's own CA) in the bank-vaults container;
/// * every server unseals with the keys it reads from the KMS at its unsealKeysPath.
/// Members are never dropped by the world: a node with new storage is a new member (new UUID);
/// stale members stay until `vault operator raft remove-peer`.
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

    static func lbAddress(_ state: WorldState, _ ref: CRRef) -> String? {
        VaultOperator.lbAddress(state.clusters[ref.cluster]?.get(.service, namespace: ref.namespace, name: ref.name))
    }

    /// The host in raftLeaderAddress (it may be written as a URL or host:port).
    static func host(_ address: String) -> String {
        var a = address
        if let r = a.range(of: "://") { a = String(a[r.upperBound...]) }
        a = String(a.prefix { $0 != "/" })
        if a.filter({ $0 == ":" }).count == 1 { a = String(a.prefix { $0 != ":" }) }
        return a
    }

    /// major*100+minor of a Vault image tag ("hashicorp/vault:1.6.2" → 106); "latest"/unknown → 9999.
    static func version(image: String) -> Int {
        let tag = image.split(separator: ":").last.map(String.init) ?? ""
        let parts = tag.split(separator: ".").compactMap { Int($0.prefix { $0.isNumber }) }
        guard parts.count >= 2, image.contains(":") else { return 9999 }
        return parts[0] * 100 + parts[1]
    }

    /// The storage a node's pod has mounted at its Raft path.
    static func storage(_ c: ClusterState, _ node: VaultNode) -> RaftStorage? { c.volumes[node.storageKey] }

    /// Whether the member's server runs unsealed somewhere in the world.
    static func alive(_ state: WorldState, raftID: String, _ m: RaftMember) -> Bool {
        for c in state.clusters.values {
            for node in c.vaults.values where !node.sealed {
                if let s = c.volumes[node.storageKey], s.raftID == raftID, s.nodeID == m.nodeID { return true }
            }
        }
        return false
    }

    /// The active node: only while the live voters are a quorum of the configuration (stale
    /// voters count against it; a leader without quorum steps down) [SRC hashicorp/raft raft.go
    /// v1.7.3 checkLeaderLease]; the recorded leader while alive, else the first live voter.
    static func leader(_ state: WorldState, _ r: RaftCluster) -> RaftMember? {
        let live = r.members.filter { alive(state, raftID: r.id, $0) }
        guard live.count >= r.members.count / 2 + 1 else { return nil }
        if let id = r.leaderID, let m = live.first(where: { $0.nodeID == id }) { return m }
        return live.first
    }

    func reconcile(_ state: inout WorldState) {
        // Volumes whose claim (or pod) is gone are gone.
        for (name, var c) in state.clusters {
            let pvcs = Set(c.list(Workloads.pvcType, namespace: nil).compactMap(\.uid))
            let pods = Set(c.list(.pod, namespace: nil).compactMap { $0.uid.map { "pod:\($0)" } })
            c.volumes = c.volumes.filter { pvcs.contains($0.key) || pods.contains($0.key) }
            state.clusters[name] = c
        }
        let refs = Raft.crs(state)
        // Leaders first, so followers in the same pass can join.
        for ref in refs.sorted(by: { Raft.isLeaderCR($0.cr) && !Raft.isLeaderCR($1.cr) }) {
            step(&state, ref, all: refs)
        }
        var active: [String: String] = [:]  // raft id → active node id
        for (id, var r) in state.raft {
            let l = Raft.leader(state, r)
            if let l, l.nodeID != r.leaderID { r.leaderID = l.nodeID }
            if let l { active[id] = l.nodeID }
            state.raft[id] = r
        }
        // Active since: set when a node becomes the active one, cleared when it is not.
        for (name, var c) in state.clusters {
            for (key, var node) in c.vaults {
                let s = c.volumes[node.storageKey]
                let isActive = !node.sealed && s?.raftID.flatMap { active[$0] } == s?.nodeID && s?.nodeID != nil
                node.activeSince = isActive ? (node.activeSince ?? sim.now) : nil
                c.vaults[key] = node
            }
            state.clusters[name] = c
        }
    }

    func log(_ node: inout VaultNode, _ level: String, _ msg: String) {
        let line = "time=\(rfc3339nano(sim.now)) level=\(level) msg=\(JSON.quote(msg, htmlSafe: false))"
        if node.bankVaultsLog.last?.hasSuffix("msg=\(JSON.quote(msg, htmlSafe: false))") != true { node.bankVaultsLog.append(line) }
        if node.bankVaultsLog.count > 50 { node.bankVaultsLog.removeFirst(node.bankVaultsLog.count - 50) }
    }

    /// bank-vaults exits 1: the kubelet restarts it after its back-off.
    func crash(_ node: inout VaultNode, _ msg: String) {
        log(&node, "ERROR", msg)
        node.lastError = msg
        node.bankVaultsRestarts += 1
        node.bankVaultsLastExit = sim.now
    }

    func step(_ state: inout WorldState, _ ref: CRRef, all: [CRRef]) {
        guard var c = state.clusters[ref.cluster], var node = c.vaults[ref.localKey], node.sealed,
            let pod = c.get(.pod, namespace: ref.namespace, name: "\(ref.name)-0"), pod.uid == node.podUID
        else { return }
        let workloads = Workloads(sim: sim)
        guard workloads.started(c, pod), workloads.blocker(c, pod) == nil,
            !sim.world.settings.crashloop(ref.cluster, pod: pod.name ?? "")
        else { return }
        // The bank-vaults container is waiting out its back-off [SRC kubernetes
        // pkg/kubelet/kuberuntime/kuberuntime_manager.go: event BackOff "Back-off restarting failed container"].
        if let next = Workloads.nextStart(node, base: sim.latency[.crashBackoff]), sim.now < next {
            Workloads(sim: sim).event(
                &c, owner: pod, reason: "BackOff",
                message:
                    "Back-off restarting failed container bank-vaults in pod \(pod.name ?? "")_\(pod.namespace ?? "")(\(pod.uid ?? ""))",
                component: "kubelet")
            state.clusters[ref.cluster] = c
            return
        }
        var storage = c.volumes[node.storageKey] ?? RaftStorage()
        defer {
            c.volumes[node.storageKey] = storage
            c.vaults[ref.localKey] = node
            state.clusters[ref.cluster] = c
        }
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
        KMS.forgetIfRestarted(&state, kms)
        func unsealWithKMS(_ raft: RaftCluster) {
            guard let keys = BankVaultsKeys.read(state, container: kms.id, path: path), keys == raft.keys else {
                node.lastError =
                    "error unsealing vault: unable to get key '\(BankVaultsKeys.unseal(0))': key not found under path: \(path)/\(BankVaultsKeys.unseal(0))"
                log(&node, "ERROR", node.lastError!)
                return
            }
            node.sealed = false
            node.lastError = nil
            log(&node, "INFO", "successfully unsealed vault")
            if raft.leaderID == storage.nodeID { node.activeSince = sim.now }
        }
        if storage.initialized, let id = storage.raftID, let raft = state.raft[id] {
            // Data on the volume: Init/RaftJoin see an initialised Vault and skip.
            log(
                &node, "INFO", Raft.isLeaderCR(ref.cr) ? "vault is already initialized" : "vault is already initialized, skipping raft join"
            )
            unsealWithKMS(raft)
            return
        }
        if Raft.isLeaderCR(ref.cr) {
            // [SRC bank-vaults/bank-vaults@bf7498d6 internal/vault/operator_client.go `Init`]: each
            // key is looked up first (`keyStoreNotFound`) and one that exists refuses the init;
            // nothing overwrites it (pkg/kv/vault/vault.go `Set` is a plain KV write, but the
            // operator client never reaches it for an existing key). Only an emptied KMS (a
            // restarted dev-mode container) lets a fresh leader initialise.
            if let existing = BankVaultsKeys.anyExists(state, container: kms.id, path: path) {
                crash(&node, "error initializing vault: error before init: value for key '\(existing)' already exists")
                return
            }
            let keys = BankVaultsKeys.generate(seed: ref.key)
            BankVaultsKeys.write(&state, container: kms.id, path: path, keys: keys)
            let id = newUID()
            let clusterName = "vault-cluster-" + String(id.replacingOccurrences(of: "-", with: "").suffix(8))
            let me = RaftMember(nodeID: storage.nodeID, address: advertised(state, ref), owner: ref.key)
            state.raft[id] = RaftCluster(
                id: id, clusterName: clusterName, members: [me], leaderID: me.nodeID, index: 30, kmsContainer: kms.id,
                unsealKeysPath: path, keys: keys)
            storage.initialized = true
            storage.raftID = id
            node.sealed = false
            node.activeSince = sim.now
            node.lastError = nil
            log(&node, "INFO", "vault initialized")
            return
        }
        // Follower: one `sys/storage/raft/join` to the leader's LoadBalancer address.
        log(&node, "INFO", "joining raft cluster...")
        let want = Raft.host(ref.cr[path: "spec", "raftLeaderAddress"]?.string ?? "")
        let joinFailed =
            "error joining leader vault: error joining raft cluster: Error making API request.\n\nURL: POST https://127.0.0.1:8200/v1/sys/storage/raft/join\nCode: 500. Errors:\n\n* failed to join raft cluster: failed to join any raft leader node"
        guard let leader = all.first(where: { Raft.isLeaderCR($0.cr) && Raft.lbAddress(state, $0) == want }),
            let lc = state.clusters[leader.cluster], let leaderNode = lc.vaults[leader.localKey], !leaderNode.sealed,
            let leaderStorage = lc.volumes[leaderNode.storageKey], leaderStorage.initialized,
            let id = leaderStorage.raftID, var raft = state.raft[id],
            Raft.leader(state, raft)?.nodeID == leaderStorage.nodeID,
            MetalLB.announces(lc, state: state)
        else {
            crash(&node, joinFailed)
            return
        }
        // The join's TLS: the leader's certificate must verify against the CA file bank-vaults sends.
        guard let ca = caFile(c, pod: pod, container: "bank-vaults"),
            ca == lc.get(.secret, namespace: leader.namespace, name: "\(leader.name)-tls")?[path: "data", "ca.crt"]?.string
        else {
            crash(&node, joinFailed + " (x509: certificate signed by unknown authority)")
            return
        }
        let myAddress = advertised(state, ref)
        if let dup = raft.members.first(where: { $0.address == myAddress && $0.nodeID != storage.nodeID }) {
            let leaderImage =
                lc.get(.pod, namespace: leader.namespace, name: "\(leader.name)-0")?[path: "spec", "containers"]?.array?.first?["image"]?
                .string ?? ""
            if Raft.version(image: leaderImage) < 107 {
                // [SRC hashicorp/raft configuration.go v1.1.2 checkConfiguration] (Vault < 1.7).
                crash(&node, joinFailed + " (found duplicate address in configuration: \(myAddress))")
                return
            }
            // Vault ≥ 1.7 joins through raft-autopilot, whose AddServer removes a server with the same
            // address first [SRC hashicorp/raft-autopilot raft.go AddServer: "removed server with
            // duplicate address"]; dead-server cleanup stays off (stale voters at other addresses stay).
            raft.members.removeAll { $0.nodeID == dup.nodeID }
        }
        guard let keys = BankVaultsKeys.read(state, container: kms.id, path: path), keys == raft.keys else {
            node.lastError = "error unsealing vault: key not found under path: \(path)/\(BankVaultsKeys.unseal(0))"
            return
        }
        raft.members.append(RaftMember(nodeID: storage.nodeID, address: myAddress, owner: ref.key))
        raft.index += 4
        state.raft[id] = raft
        storage.initialized = true
        storage.raftID = id
        node.sealed = false
        node.lastError = nil
        log(&node, "INFO", "vault joined raft cluster")
    }

    /// The cluster address the node advertises: its Service's LB address, else the pod's DNS name.
    func advertised(_ state: WorldState, _ ref: CRRef) -> String {
        "\(Raft.lbAddress(state, ref) ?? "\(ref.name)-0.\(ref.name)"):8201"
    }

    /// The base64 ca.crt the container reads at VAULT_RAFT_CACERT (else VAULT_CACERT), through the
    /// secret volume mounted over that path; nil when the file is absent.
    func caFile(_ c: ClusterState, pod: JSON, container: String) -> String? {
        guard let ct = (pod[path: "spec", "containers"]?.array ?? []).first(where: { $0["name"]?.string == container }) else { return nil }
        let env = ct["env"]?.array ?? []
        func value(_ n: String) -> String? { env.last { $0["name"]?.string == n }?["value"]?.string }
        guard let file = value("VAULT_RAFT_CACERT") ?? value("VAULT_CACERT") else { return nil }
        return Raft.secretFile(c, pod: pod, container: ct, path: file)
    }

    /// The base64 content of `path` inside a container when a secret volume provides it.
    static func secretFile(_ c: ClusterState, pod: JSON, container ct: JSON, path: String) -> String? {
        for m in ct["volumeMounts"]?.array ?? [] {
            guard var mp = m["mountPath"]?.string, let vn = m["name"]?.string else { continue }
            while mp.hasSuffix("/") { mp.removeLast() }
            guard path.hasPrefix(mp + "/") else { continue }
            let file = String(path.dropFirst(mp.count + 1))
            guard let vol = (pod[path: "spec", "volumes"]?.array ?? []).first(where: { $0["name"]?.string == vn }),
                let secret = vol[path: "secret", "secretName"]?.string
            else { continue }
            return c.get(.secret, namespace: pod.namespace, name: secret)?[path: "data", file]?.string
        }
        return nil
    }
}
