import Foundation
import Testing

let operatorChart = "oci://ghcr.io/bank-vaults/helm-charts/vault-operator"
let caFlag = "-ca-cert=/vault/tls/ca.crt"

/// Vault CR templates of the classic multi-DC set-up (Bank-Vaults' multi-dc example, trimmed):
/// Raft data on a claim; a follower sends the leader's CA (the copied `<leader>-tls` secret mounted
/// into bank-vaults, VAULT_RAFT_CACERT) with its join.
func vaultCR(
    name: String, kms: String, token: String, leaderAddress: String, lbIP: String? = nil, leaderName: String? = nil,
    image: String = "vault:1.6.2", serviceType: String = "LoadBalancer", serviceAccount: String? = nil
) -> String {
    var s = """
        apiVersion: vault.banzaicloud.com/v1alpha1
        kind: Vault
        metadata:
          name: \(name)
          namespace: default
        spec:
          size: 1
          image: \(image)
          serviceType: \(serviceType)

        """
    if let serviceAccount { s += "  serviceAccount: \(serviceAccount)\n" }
    if let lbIP { s += "  serviceSpec:\n    loadBalancerIP: \(lbIP)\n" }
    s += """
          raftLeaderAddress: \(leaderAddress)
          volumeClaimTemplates:
            - metadata: {name: vault-raft}
              spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
          volumeMounts:
            - {name: vault-raft, mountPath: /vault/file}
          unsealConfig:
            vault:
              address: http://\(kms):8200
              token: \(token)
              unsealKeysPath: secret/data/vault-keys
          config:
            storage:
              raft:
                path: /vault/file

        """
    if let leaderName {
        s += """
              envsConfig:
                - {name: VAULT_RAFT_CACERT, value: /vault/raft-tls/ca.crt}
              volumes:
                - name: \(leaderName)-tls
                  secret: {secretName: \(leaderName)-tls}
              bankVaultsVolumeMounts:
                - {name: \(leaderName)-tls, mountPath: /vault/raft-tls/}

            """
    }
    return s
}

/// The root token Bank-Vaults wrote to the KMS (from the world's state).
func rootToken(_ w: TestWorld) throws -> String {
    let state = try #require(try JSONSerialization.jsonObject(with: Data(w.run("fakeworld", ["state"]).stdout.utf8)) as? [String: Any])
    for (_, data) in state["kms"] as? [String: [String: [String: String]]] ?? [:] {
        for (path, fields) in data where path.hasSuffix("/vault-root") {
            if let b64 = fields["vault-root"], let d = Data(base64Encoded: b64) { return String(decoding: d, as: UTF8.self) }
        }
    }
    throw TestFailure("no vault-root in the KMS")
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A vault CLI call in the pod's vault container with the token on stdin (never on argv).
func vaultWithToken(_ w: TestWorld, _ ctx: String?, _ pod: String, _ cmd: String, token: String) -> TestWorld.Run {
    var args = ctx.map { ["--context", $0] } ?? []
    args += ["exec", "-i", pod, "-c", "vault", "--", "sh", "-c", "VAULT_TOKEN=$(cat) vault \(cmd)"]
    return w.run("kubectl", args, stdin: token + "\n")
}

/// `kubectl get secret -o json` → a manifest another cluster accepts (server fields stripped).
func stripped(_ json: String) throws -> String {
    var obj = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    var meta = obj["metadata"] as? [String: Any] ?? [:]
    for k in ["resourceVersion", "uid", "creationTimestamp", "managedFields", "generation", "selfLink", "ownerReferences"] { meta[k] = nil }
    if var ann = meta["annotations"] as? [String: Any] {
        ann["kubectl.kubernetes.io/last-applied-configuration"] = nil
        meta["annotations"] = ann
    }
    obj["metadata"] = meta
    obj["status"] = nil
    return String(decoding: try JSONSerialization.data(withJSONObject: obj), as: UTF8.self)
}

@Suite(.needsDocker, .serialized) struct ScenarioTests {
    /// THE classic sequence, by hand: three clusters, MetalLB v0.9.3 pools cut from the network's
    /// real subnet, the KMS by docker run, the operator by helm, the leader CR, the TLS secret copied,
    /// the follower CRs — ending with one leader and two followers.
    @Test func threeClusterVaultRaft() throws {
        try Engine.requireEngine()
        #expect(Engine.images)
        let w = try TestWorld()
        defer { w.cleanup() }
        let net = w.useNetwork()
        w.env["FAKEWORLD_LATENCY"] = "cluster-create=200ms,metallb-ready=300ms,crd-established=300ms,pod-ready=300ms"
        let names = ["a", "b", "c"].map(w.cluster)
        for n in names { try #require(w.createCluster(n).code == 0) }
        let (x, y) = try #require(w.subnetPrefix(net))
        let kms = "fwkms-\(w.id)"
        let token = "root-\(w.id)"
        w.onCleanup { _ = TestWorld.exec("/usr/bin/env", ["docker", "rm", "-f", kms], env: ProcessInfo.processInfo.environment) }
        let run = w.docker("run", "-d", "--name", kms, "--network", net, "-e", "VAULT_DEV_ROOT_TOKEN_ID=\(token)", "vault:1.6.2")
        try #require(run.code == 0, "\(run)")
        for (i, n) in names.enumerated() {
            let ctx = "kind-\(n)"
            #expect(
                w.kubectl(
                    "--context", ctx, "apply", "-f", "https://raw.githubusercontent.com/metallb/metallb/v0.9.3/manifests/namespace.yaml"
                ).code == 0)
            #expect(
                w.kubectl(
                    "--context", ctx, "apply", "-f", "https://raw.githubusercontent.com/metallb/metallb/v0.9.3/manifests/metallb.yaml"
                ).code == 0)
            #expect(
                w.kubectl(
                    "--context", ctx, "-n", "metallb-system", "create", "secret", "generic", "memberlist",
                    "--from-literal=secretkey=\(w.id)"
                ).code == 0)
            let pool = "\(x).\(y).\(i + 1).128/25"
            let cm =
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: metallb-system, name: config}\ndata:\n  config: |\n    address-pools:\n    - name: default\n      protocol: layer2\n      addresses:\n      - \(pool)\n"
            #expect(w.kubectl("--context", ctx, "apply", "-f", "-", stdin: cm).stdout == "configmap/config created\n")
            let ready = w.kubectl(
                "--context", ctx, "wait", "--namespace", "metallb-system", "--for=condition=ready", "pod", "--selector=app=metallb",
                "--timeout=90s")
            #expect(ready.code == 0, "\(ready)")
            let op = w.helm("upgrade", "--install", "vault-operator", operatorChart, "--kube-context", ctx, "--wait")
            #expect(op.code == 0, "\(op)")
            #expect(
                w.kubectl("--context", ctx, "wait", "--for=condition=established", "crd/vaults.vault.banzaicloud.com", "--timeout=60s").code
                    == 0)
        }
        let leaderIP = "\(x).\(y).1.128"
        let ctxs = names.map { "kind-\($0)" }
        #expect(
            w.kubectl(
                "--context", ctxs[0], "apply", "-f", "-",
                stdin: vaultCR(name: "vault-primary", kms: kms, token: token, leaderAddress: "self")
            ).stdout
                == "vault.vault.banzaicloud.com/vault-primary created\n")
        let leaderReady = w.kubectl("--context", ctxs[0], "wait", "--for=condition=ready", "pod/vault-primary-0", "--timeout=60s")
        #expect(leaderReady.code == 0, "\(leaderReady)")
        #expect(
            w.kubectl("--context", ctxs[0], "get", "svc", "vault-primary", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").stdout
                == leaderIP)
        // The KMS holds Bank-Vaults' keys for the leader.
        let state = w.run("fakeworld", ["state"]).stdout
        #expect(state.contains("secret/data/vault-keys/vault-root"))
        #expect(state.contains("secret/data/vault-keys/vault-unseal-4"))
        // A follower without the leader's TLS secret cannot mount it: ContainerCreating.
        let secret = w.kubectl("--context", ctxs[0], "get", "secret", "vault-primary-tls", "-o", "json")
        let manifest = try stripped(secret.stdout)
        for (i, ctx) in ctxs.enumerated().dropFirst() {
            let follower = i == 1 ? "vault-secondary" : "vault-tertiary"
            let cr = vaultCR(name: follower, kms: kms, token: token, leaderAddress: leaderIP, leaderName: "vault-primary")
            if i == 1 {
                _ = w.kubectl("--context", ctx, "apply", "-f", "-", stdin: cr)
                #expect(
                    w.kubectl(
                        "--context", ctx, "get", "pod", "\(follower)-0", "-o",
                        "jsonpath={.status.containerStatuses[0].state.waiting.reason}"
                    ).stdout == "ContainerCreating")
                let sealed = w.kubectl("--context", ctx, "exec", "\(follower)-0", "-c", "vault", "--", "vault", "status", caFlag)
                #expect(sealed.stderr == "error: unable to upgrade connection: container not found (\"vault\")\n")
                #expect(w.kubectl("--context", ctx, "apply", "-f", "-", stdin: manifest).stdout == "secret/vault-primary-tls created\n")
            } else {
                #expect(w.kubectl("--context", ctx, "apply", "-f", "-", stdin: manifest).stdout == "secret/vault-primary-tls created\n")
                _ = w.kubectl("--context", ctx, "apply", "-f", "-", stdin: cr)
            }
            let ready = w.kubectl("--context", ctx, "wait", "--for=condition=ready", "pod/\(follower)-0", "--timeout=60s")
            #expect(ready.code == 0, "\(ready)")
            #expect(
                w.kubectl("--context", ctx, "get", "svc", follower, "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").stdout
                    == "\(x).\(y).\(i + 1).128")
        }
        // One leader, two followers.
        let root = try rootToken(w)
        let peers = vaultWithToken(w, ctxs[0], "vault-primary-0", "operator raft list-peers -format=json \(caFlag)", token: root)
        #expect(peers.code == 0, "\(peers)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(peers.stdout.utf8)) as? [String: Any])
        let servers = try #require((doc["data"] as? [String: Any])?["config"] as? [String: Any])["servers"] as? [[String: Any]]
        #expect(servers?.count == 3)
        #expect(servers?.filter { $0["leader"] as? Bool == true }.count == 1)
        #expect(servers?.compactMap { $0["address"] as? String } == ["\(leaderIP):8201", "\(x).\(y).2.128:8201", "\(x).\(y).3.128:8201"])
        for (ctx, pod, leader) in [
            (ctxs[0], "vault-primary-0", true), (ctxs[1], "vault-secondary-0", false), (ctxs[2], "vault-tertiary-0", false),
        ] {
            let st = w.kubectl("--context", ctx, "exec", pod, "-c", "vault", "--", "vault", "status", "-format=json", caFlag)
            #expect(st.code == 0, "\(st)")
            let s = try #require(try JSONSerialization.jsonObject(with: Data(st.stdout.utf8)) as? [String: Any])
            #expect(s["sealed"] as? Bool == false)
            #expect(s["initialized"] as? Bool == true)
            #expect(s["storage_type"] as? String == "raft")
            #expect(s["ha_enabled"] as? Bool == true)
            #expect((s["is_self"] as? Bool ?? false) == leader)
            #expect(s["leader_address"] as? String == "https://\(leaderIP):8200")
            #expect(s["raft_committed_index"] as? Int != nil)
        }
        // A replaced KMS has lost the keys: a restarted Vault pod stays sealed.
        _ = w.docker("rm", "-f", kms)
        #expect(w.docker("run", "-d", "--name", kms, "--network", net, "-e", "VAULT_DEV_ROOT_TOKEN_ID=\(token)", "vault:1.6.2").code == 0)
        #expect(w.kubectl("--context", ctxs[1], "delete", "pod", "vault-secondary-0").stdout == "pod \"vault-secondary-0\" deleted\n")
        let restarted = w.kubectl("--context", ctxs[1], "wait", "--for=condition=ready", "pod/vault-secondary-0", "--timeout=1s")
        #expect(restarted.code == 1)
        let sealed = w.kubectl(
            "--context", ctxs[1], "exec", "vault-secondary-0", "-c", "vault", "--", "vault", "status", "-format=json", caFlag)
        #expect(sealed.code == 2)
        // Its Raft data is on its claim: bank-vaults skipped the join.
        #expect(
            w.kubectl("--context", ctxs[1], "logs", "vault-secondary-0", "-c", "bank-vaults").stdout.contains(
                "vault is already initialized, skipping raft join"))
    }
}
