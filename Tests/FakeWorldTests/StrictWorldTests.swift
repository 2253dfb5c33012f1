import Foundation
import Testing

/// One cluster with MetalLB v0.9.3 (pool .1.128/25 of the world's network), a KMS container and
/// the operator from its OCI chart. Leader and follower CRs can live side by side in it.
func vaultWorld(_ short: String, memberlist: Bool = true) throws -> (w: TestWorld, name: String, kms: String, leaderIP: String) {
    let (w, name) = try clusterWorld(short)
    let net = w.env["KIND_EXPERIMENTAL_DOCKER_NETWORK"]!
    let (x, y) = try #require(w.subnetPrefix(net))
    let kms = "fwkms-\(w.id)"
    w.onCleanup { _ = TestWorld.exec("/usr/bin/env", ["docker", "rm", "-f", kms], env: ProcessInfo.processInfo.environment) }
    #expect(w.docker("run", "-d", "--name", kms, "--network", net, "-e", "VAULT_DEV_ROOT_TOKEN_ID=t", "vault:1.6.2").code == 0)
    _ = w.kubectl("apply", "-f", "https://raw.githubusercontent.com/metallb/metallb/v0.9.3/manifests/namespace.yaml")
    _ = w.kubectl("apply", "-f", "https://raw.githubusercontent.com/metallb/metallb/v0.9.3/manifests/metallb.yaml")
    if memberlist { _ = w.kubectl("-n", "metallb-system", "create", "secret", "generic", "memberlist", "--from-literal=secretkey=k") }
    let cm =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: metallb-system, name: config}\ndata:\n  config: |\n    address-pools:\n    - name: default\n      protocol: layer2\n      addresses:\n      - \(x).\(y).1.128/25\n"
    _ = w.kubectl("apply", "-f", "-", stdin: cm)
    let op = w.helm("upgrade", "--install", "vault-operator", operatorChart, "--version", "1.24.0", "--wait")
    #expect(op.code == 0, "\(op)")
    return (w, name, kms, "\(x).\(y).1.128")
}

func peers(_ run: TestWorld.Run) throws -> [[String: Any]] {
    let doc = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run)")
    return try #require(((doc["data"] as? [String: Any])?["config"] as? [String: Any])?["servers"] as? [[String: Any]])
}

let operatorRBAC = """
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: vault, namespace: default}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata: {name: vault, namespace: default}
    rules:
      - apiGroups: [""]
        resources: [secrets, configmaps]
        verbs: [get, list, create, update, delete]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {name: vault, namespace: default}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: vault}
    subjects: [{kind: ServiceAccount, name: vault, namespace: default}]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: vault-auth-delegator}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:auth-delegator}
    subjects: [{kind: ServiceAccount, name: vault, namespace: default}]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: vault-reader}
    rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]

    """

@Suite(.needsDocker, .serialized) struct StrictWorldTests {
    /// Point 1: the operator only names the ServiceAccount; admission refuses the pod until it exists.
    @Test func serviceAccountAdmissionHoldsTheVaultPod() throws {
        let (w, _, kms, _) = try vaultWorld("sa")
        defer { w.cleanup() }
        _ = w.kubectl(
            "apply", "-f", "-",
            stdin: vaultCR(name: "vault-a", kms: kms, token: "t", leaderAddress: "self", serviceType: "ClusterIP", serviceAccount: "vault"))
        #expect(w.kubectl("get", "statefulset", "vault-a", "-o", "name").stdout == "statefulset.apps/vault-a\n")
        #expect(w.kubectl("get", "pods", "-l", "vault_cr=vault-a", "-o", "name").stdout == "")
        let events = w.kubectl("get", "events", "-o", "jsonpath={.items[*].message}")
        #expect(
            events.stdout.contains(
                "create Pod vault-a-0 in StatefulSet vault-a failed error: pods \"vault-a-0\" is forbidden: error looking up service account default/vault: serviceaccount \"vault\" not found"
            ))
        let table = w.kubectl("get", "events").stdout
        #expect(table.hasPrefix("LAST SEEN   TYPE      REASON         OBJECT                "), "\(table)")
        #expect(table.contains("Warning   FailedCreate   statefulset/vault-a   create Pod vault-a-0 in StatefulSet vault-a failed error:"))
        let rbac = w.kubectl("apply", "-f", "-", stdin: operatorRBAC)
        #expect(
            rbac.stdout
                == "serviceaccount/vault created\nrole.rbac.authorization.k8s.io/vault created\nrolebinding.rbac.authorization.k8s.io/vault created\nclusterrolebinding.rbac.authorization.k8s.io/vault-auth-delegator created\nclusterrole.rbac.authorization.k8s.io/vault-reader created\n",
            "\(rbac)")
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-a-0", "--timeout=30s").code == 0)
        #expect(w.kubectl("get", "pod", "vault-a-0", "-o", "jsonpath={.spec.serviceAccountName}").stdout == "vault")
    }

    /// Point 2: the vault container has no CA and no token; -ca-cert and VAULT_TOKEN on stdin do.
    @Test func vaultCLIInThePodNeedsTheCAAndATokenFromStdin() throws {
        let (w, _, kms, _) = try vaultWorld("cli")
        defer { w.cleanup() }
        _ = w.kubectl("apply", "-f", "-", stdin: vaultCR(name: "vault", kms: kms, token: "t", leaderAddress: "self"))
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-0", "--timeout=30s").code == 0)
        let noCA = w.kubectl("exec", "vault-0", "-c", "vault", "--", "vault", "status", "-format=json")
        #expect(noCA.code == 1)
        #expect(
            noCA.stderr
                == "Error checking seal status: Get \"https://127.0.0.1:8200/v1/sys/seal-status\": tls: failed to verify certificate: x509: certificate signed by unknown authority\ncommand terminated with exit code 1\n"
        )
        #expect(w.kubectl("exec", "vault-0", "-c", "vault", "--", "vault", "status", "-format=json", caFlag).code == 0)
        let noToken = w.kubectl("exec", "vault-0", "-c", "vault", "--", "vault", "operator", "raft", "list-peers", caFlag)
        #expect(noToken.code == 2)
        #expect(
            noToken.stderr.hasPrefix(
                "Error reading the raft cluster configuration: Error making API request.\n\nURL: GET https://127.0.0.1:8200/v1/sys/storage/raft/configuration\nCode: 403. Errors:\n\n* permission denied\n"
            ))
        let noCAPeers = vaultWithToken(w, nil, "vault-0", "operator raft list-peers", token: try rootToken(w))
        #expect(noCAPeers.code == 2)
        #expect(noCAPeers.stderr.contains("x509: certificate signed by unknown authority"))
        let list = vaultWithToken(w, nil, "vault-0", "operator raft list-peers -format=json \(caFlag)", token: try rootToken(w))
        let servers = try peers(list)
        #expect(servers.count == 1)
        let id = try #require(servers.first?["node_id"] as? String)
        #expect(UUID(uuidString: id) != nil, "node ids are UUIDs, not pod names")
        // The bank-vaults container has VAULT_ADDR and VAULT_CACERT; the vault container neither.
        #expect(!w.kubectl("get", "pod", "vault-0", "-o", "jsonpath={.spec.containers[0].env[*].name}").stdout.contains("VAULT_CACERT"))
        #expect(w.kubectl("get", "pod", "vault-0", "-o", "jsonpath={.spec.containers[1].env[*].name}").stdout.contains("VAULT_CACERT"))
    }

    /// Points 9 and 11: the join is one shot; a follower whose leader cannot take it crash-loops
    /// with the kubelet's back-off; MetalLB's address answers only with a Ready speaker.
    @Test func raftJoinIsOneShotAndCrashLoops() throws {
        let (w, _, kms, leaderIP) = try vaultWorld("join", memberlist: false)
        defer { w.cleanup() }
        _ = w.kubectl("apply", "-f", "-", stdin: vaultCR(name: "vault-l", kms: kms, token: "t", leaderAddress: "self"))
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-l-0", "--timeout=30s").code == 0)
        #expect(w.kubectl("get", "svc", "vault-l", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").stdout == leaderIP)
        // The speaker cannot start (no memberlist secret): the leader's address does not answer.
        #expect(w.kubectl("rollout", "status", "daemonset/speaker", "-n", "metallb-system", "--timeout=1s").code == 1)
        let cr = vaultCR(name: "vault-f", kms: kms, token: "t", leaderAddress: leaderIP, leaderName: "vault-l")
        _ = w.kubectl("apply", "-f", "-", stdin: cr)
        let waiting = w.kubectl("get", "pod", "vault-f-0", "-o", "jsonpath={.status.containerStatuses[1].state.waiting}")
        #expect(waiting.stdout.contains("\"reason\":\"CrashLoopBackOff\""), "\(waiting)")
        #expect(waiting.stdout.contains("back-off 10s restarting failed container=bank-vaults pod=vault-f-0_default("))
        #expect(w.kubectl("get", "pod", "vault-f-0", "-o", "jsonpath={.status.containerStatuses[1].restartCount}").stdout == "1")
        #expect(
            w.kubectl("get", "events", "-o", "jsonpath={.items[*].message}").stdout.contains(
                "Back-off restarting failed container bank-vaults in pod vault-f-0_default("))
        let logs = w.kubectl("logs", "vault-f-0", "-c", "bank-vaults", "--tail", "1")
        #expect(logs.stdout.contains("level=ERROR msg=\"error joining leader vault: error joining raft cluster: "), "\(logs)")
        // The speaker comes up; the follower still waits out its back-off (10s)…
        _ = w.kubectl("-n", "metallb-system", "create", "secret", "generic", "memberlist", "--from-literal=secretkey=k")
        #expect(w.kubectl("rollout", "status", "daemonset/speaker", "-n", "metallb-system", "--timeout=30s").code == 0)
        #expect(w.kubectl("exec", "vault-f-0", "-c", "vault", "--", "vault", "status", caFlag).code == 2)
        // …and joins at its next start (the back-off scaled to 0 here).
        w.env["FAKEWORLD_LATENCY"] = "crash-backoff=0s"
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-f-0", "--timeout=30s").code == 0)
        #expect(
            try peers(vaultWithToken(w, nil, "vault-l-0", "operator raft list-peers -format=json \(caFlag)", token: try rootToken(w))).count
                == 2)
        // Without VAULT_RAFT_CACERT bank-vaults sends its own CA (VAULT_CACERT): the leader's certificate fails.
        let noCA = vaultCR(name: "vault-g", kms: kms, token: "t", leaderAddress: leaderIP)
        _ = w.kubectl("apply", "-f", "-", stdin: noCA)
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-g-0", "--timeout=300ms").code == 1)
        #expect(w.kubectl("logs", "vault-g-0", "-c", "bank-vaults").stdout.contains("x509: certificate signed by unknown authority"))
    }

    /// Points 6 and 10: claims outlive the CR; a node with new storage is a new member; stale
    /// voters stay until remove-peer (and count against the quorum); Vault < 1.7 refuses a second
    /// node at a known address.
    @Test func claimsOutliveTheCRAndStaleVotersStay() throws {
        let (w, _, kms, leaderIP) = try vaultWorld("pvc")
        defer { w.cleanup() }
        w.env["FAKEWORLD_LATENCY"] = "crash-backoff=0s"
        _ = w.kubectl("apply", "-f", "-", stdin: vaultCR(name: "vault-l", kms: kms, token: "t", leaderAddress: "self"))
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-l-0", "--timeout=30s").code == 0)
        let follower = vaultCR(name: "vault-f", kms: kms, token: "t", leaderAddress: leaderIP, leaderName: "vault-l")
        let second = vaultCR(name: "vault-g", kms: kms, token: "t", leaderAddress: leaderIP, leaderName: "vault-l")
        _ = w.kubectl("apply", "-f", "-", stdin: follower)
        _ = w.kubectl("apply", "-f", "-", stdin: second)
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-f-0", "pod/vault-g-0", "--timeout=30s").code == 0)
        let token = try rootToken(w)
        func list() -> TestWorld.Run {
            vaultWithToken(w, nil, "vault-l-0", "operator raft list-peers -format=json \(caFlag)", token: token)
        }
        #expect(try peers(list()).count == 3)
        // Delete and re-create a follower CR: same claim, same node id, "already initialized".
        _ = w.kubectl("delete", "vault", "vault-f")
        #expect(w.kubectl("get", "pvc", "vault-raft-vault-f-0", "-o", "name").stdout == "persistentvolumeclaim/vault-raft-vault-f-0\n")
        let pvcs = w.kubectl("get", "pvc").stdout
        #expect(pvcs.hasPrefix("NAME                   STATUS   VOLUME"), "\(pvcs)")
        #expect(pvcs.contains("Bound    pvc-"))
        #expect(pvcs.contains("1Gi        RWO            standard       <unset>"), "\(pvcs)")
        _ = w.kubectl("apply", "-f", "-", stdin: follower)
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-f-0", "--timeout=30s").code == 0)
        #expect(
            w.kubectl("logs", "vault-f-0", "-c", "bank-vaults").stdout.contains("vault is already initialized, skipping raft join"))
        #expect(try peers(list()).count == 3)
        // Delete CR and claim: empty storage, a new UUID at the same address; vault:1.6.2 refuses it.
        _ = w.kubectl("delete", "vault", "vault-f")
        #expect(w.kubectl("delete", "pvc", "vault-raft-vault-f-0").code == 0)
        _ = w.kubectl("apply", "-f", "-", stdin: follower)
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-f-0", "--timeout=300ms").code == 1)
        #expect(w.kubectl("logs", "vault-f-0", "-c", "bank-vaults").stdout.contains("found duplicate address in configuration"))
        let stale = try peers(list())
        #expect(stale.count == 3)
        let fAddress = try #require(stale.dropFirst().first?["address"] as? String)
        let oldID = try #require(stale.first { $0["address"] as? String == fAddress }?["node_id"] as? String)
        let removed = vaultWithToken(w, nil, "vault-l-0", "operator raft remove-peer \(oldID) \(caFlag)", token: token)
        #expect(removed.stdout == "Peer removed successfully!\n", "\(removed)")
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-f-0", "--timeout=30s").code == 0)
        let after = try peers(list())
        #expect(after.count == 3)
        #expect(!after.contains { $0["node_id"] as? String == oldID })
        // Followers that are gone stay (dead) voters: nothing removes them, and 1 live voter of 3
        // is no quorum, so the leader steps down.
        _ = w.kubectl("delete", "vault", "vault-f", "vault-g")
        let noQuorum = list()
        #expect(noQuorum.code == 2)
        #expect(
            noQuorum.stderr.hasPrefix(
                "Error reading the raft cluster configuration: Error making API request.\n\nURL: GET https://127.0.0.1:8200/v1/sys/storage/raft/configuration\nCode: 500. Errors:\n\n* local node not active but active cluster node not found\n"
            ), "\(noQuorum)")
        let standby = w.kubectl("exec", "vault-l-0", "-c", "vault", "--", "vault", "status", "-format=json", caFlag)
        #expect(!standby.stdout.contains("\"is_self\""))
        // One follower back (its claim kept its data): 2 of 3, quorum again.
        _ = w.kubectl("apply", "-f", "-", stdin: follower)
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-f-0", "--timeout=30s").code == 0)
        #expect(try peers(list()).count == 3)
    }

    /// Point 5: the dev-mode KMS forgets everything when its container restarts.
    @Test func kmsRestartLosesTheKeys() throws {
        let (w, _, kms, _) = try vaultWorld("kms")
        defer { w.cleanup() }
        _ = w.kubectl("apply", "-f", "-", stdin: vaultCR(name: "vault", kms: kms, token: "t", leaderAddress: "self"))
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-0", "--timeout=30s").code == 0)
        #expect(w.docker("restart", "-t", "1", kms).code == 0)
        _ = w.kubectl("delete", "pod", "vault-0")
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-0", "--timeout=300ms").code == 1)
        #expect(w.kubectl("exec", "vault-0", "-c", "vault", "--", "vault", "status", caFlag).code == 2)
        #expect(!w.run("fakeworld", ["state"]).stdout.contains("vault-keys/vault-root"))
        // helm get values: what multidc compares to detect values drift.
        #expect(w.helm("get", "values", "vault-operator", "-o", "json").stdout == "null\n")
        _ = w.helm("upgrade", "--install", "vault-operator", operatorChart, "--version", "1.24.0", "--set", "image.tag=v1.24.0")
        #expect(w.helm("get", "values", "vault-operator", "-o", "json").stdout == "{\"image\":{\"tag\":\"v1.24.0\"}}\n")
    }

    /// Point 7: a cloud LB reports a hostname and no ip.
    @Test func lbHostnameSetting() throws {
        let (w, name) = try clusterWorld("lbh")
        defer { w.cleanup() }
        #expect(w.run("fakeworld", ["config", "lb-hostname", name, "on"]).code == 0)
        _ = w.kubectl("apply", "-f", "-", stdin: lbService("s"))
        #expect(w.kubectl("get", "svc", "s", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").stdout == "")
        #expect(
            w.kubectl("get", "svc", "s", "-o", "jsonpath={.status.loadBalancer.ingress[0].hostname}").stdout.hasSuffix(
                ".elb.amazonaws.com"))
        #expect(w.kubectl("get", "svc", "s").stdout.contains(".eu-west-1.elb.amazonaws.com   80:"))
    }

    /// A cloud's service controller without MetalLB (`cloud-lb`): ips from 203.0.113.0/24, unique,
    /// spec.loadBalancerIP honoured, a Service with spec.loadBalancerClass left to its own controller.
    @Test func cloudLBSetting() throws {
        let (w, name) = try clusterWorld("clb")
        defer { w.cleanup() }
        let ip = { (svc: String) in w.kubectl("get", "svc", svc, "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").stdout }
        _ = w.kubectl("apply", "-f", "-", stdin: lbService("a"))
        #expect(ip("a") == "", "no MetalLB, no cloud: pending")
        #expect(w.run("fakeworld", ["config", "cloud-lb", name, "on"]).stdout == "cloud-lb/\(name)=on\n")
        #expect(w.run("fakeworld", ["config", "cloud-lb", name]).code == 1)
        _ = w.kubectl("apply", "-f", "-", stdin: lbService("b"))
        _ = w.kubectl("apply", "-f", "-", stdin: lbService("c", ip: "203.0.113.77"))
        let classed =
            "apiVersion: v1\nkind: Service\nmetadata: {name: d, namespace: default}\nspec:\n  type: LoadBalancer\n  loadBalancerClass: example.com/other\n  ports: [{port: 80}]\n"
        _ = w.kubectl("apply", "-f", "-", stdin: classed)
        let (a, b) = (ip("a"), ip("b"))
        #expect(a.hasPrefix("203.0.113.") && b.hasPrefix("203.0.113.") && a != b, "\(a) \(b)")
        #expect(ip("c") == "203.0.113.77")
        #expect(ip("d") == "")
        #expect(w.kubectl("get", "svc", "a", "-o", "jsonpath={.status.loadBalancer.ingress[0].hostname}").stdout == "")
        #expect(ip("a") == a, "an assigned address stays")
    }

    /// `kubectl config rename-context` (kubectl/pkg/cmd/config/rename_context.go): the context keeps
    /// its cluster and user, current-context follows, and kubectl reaches the cluster by the new name.
    @Test func renameContext() throws {
        let (w, name) = try clusterWorld("rc")
        defer { w.cleanup() }
        let kubeconfig = try #require(w.env["KUBECONFIG"])
        let new = "arn:aws:eks:eu-west-1:123456789012:cluster/\(name)"
        let r = w.kubectl("config", "rename-context", "kind-\(name)", new)
        #expect(r.code == 0 && r.stdout == "Context \"kind-\(name)\" renamed to \"\(new)\".\n", "\(r)")
        #expect(w.kubectl("config", "current-context").stdout == new + "\n")
        #expect(w.kubectl("config", "get-contexts", "-o", "name").stdout.split(separator: "\n").contains { $0 == new })
        #expect(w.kubectl("--context", new, "get", "ns", "default", "-o", "name").stdout == "namespace/default\n")
        #expect(
            w.kubectl("--context", new, "config", "view", "--minify", "-o", "jsonpath={.contexts[0].context.cluster}").stdout
                == "kind-\(name)")
        let missing = w.kubectl("config", "rename-context", "kind-\(name)", "x")
        #expect(missing.code == 1)
        #expect(missing.stderr == "error: cannot rename the context \"kind-\(name)\", it's not in \(kubeconfig)\n", "\(missing)")
        let taken = w.kubectl("config", "rename-context", new, new)
        #expect(taken.stderr == "error: cannot rename the context \"\(new)\", the context \"\(new)\" already exists in \(kubeconfig)\n")
        let args = w.kubectl("config", "rename-context", new)
        #expect(args.code == 1)
        #expect(
            args.stderr == "error: Unexpected args: [\(new)]\nSee 'kubectl config rename-context -h' for help and examples\n", "\(args)")
    }

    /// An external KMS reached by DNS name: a dev-mode Vault container with that network alias.
    @Test func kmsByNetworkAlias() throws {
        let (w, name) = try clusterWorld("kal")
        defer { w.cleanup() }
        let net = try #require(w.env["KIND_EXPERIMENTAL_DOCKER_NETWORK"])
        let kms = "fwkms-\(w.id)"
        w.onCleanup { _ = TestWorld.exec("/usr/bin/env", ["docker", "rm", "-f", kms], env: ProcessInfo.processInfo.environment) }
        #expect(w.run("fakeworld", ["config", "cloud-lb", name, "on"]).code == 0)
        #expect(w.helm("upgrade", "--install", "vault-operator", operatorChart, "--version", "1.24.0", "--wait").code == 0)
        _ = w.kubectl("apply", "-f", "-", stdin: vaultCR(name: "vault", kms: "kms.example.test", token: "t", leaderAddress: "self"))
        // No container answers to the name yet.
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-0", "--timeout=300ms").code == 1)
        let run = w.docker(
            "run", "-d", "--name", kms, "--network", net, "--network-alias", "kms.example.test", "-e", "VAULT_DEV_ROOT_TOKEN_ID=t",
            "vault:1.6.2")
        #expect(run.code == 0, "\(run)")
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-0", "--timeout=30s").code == 0)
        #expect(w.run("fakeworld", ["state"]).stdout.contains("vault-keys/vault-root"))
    }

    /// Point 4: helm 4 as the world's helm, switched between two runs.
    @Test func helmFourHasNoListAll() throws {
        let (w, _) = try clusterWorld("h4")
        defer { w.cleanup() }
        #expect(w.helm("version", "--short").stdout == "v3.21.4+g813176c\n")
        #expect(
            w.helm("upgrade", "--install", "x", operatorChart, "--wait=watcher").stderr
                == "Error: invalid argument \"watcher\" for \"--wait\" flag: strconv.ParseBool: parsing \"watcher\": invalid syntax\n")
        #expect(w.helm("list", "-a", "-o", "json").code == 0)
        w.env["FAKEWORLD_FAULTS"] = "helm-pending:vault-operator"
        _ = w.helm("upgrade", "--install", "vault-operator", operatorChart, "--version", "1.24.0")
        w.env["FAKEWORLD_FAULTS"] = nil
        #expect(w.helm("list", "-o", "json").stdout == "[]\n")
        // Naming every state works on helm 3 (cmd/helm/list.go has --uninstalling too) …
        let everyState = ["list", "--deployed", "--failed", "--pending", "--superseded", "--uninstalling", "--uninstalled", "-o", "json"]
        #expect(w.run("helm", everyState).stdout.contains("\"status\":\"pending-install\""))
        #expect(w.run("fakeworld", ["config", "helm-major", "4"]).stdout == "helm-major=4\n")
        // … and on helm 4.
        #expect(w.run("helm", everyState).stdout.contains("\"status\":\"pending-install\""))
        #expect(w.helm("version", "--short").stdout == "v4.2.4+g3900f43\n")
        #expect(w.helm("version", "--template", "{{.Version}}").stdout == "v4.2.4")
        let all = w.helm("list", "-a")
        #expect(all.code == 1)
        #expect(all.stderr == "Error: unknown shorthand flag: 'a' in -a\n")
        #expect(w.helm("list", "--all").stderr == "Error: unknown flag: --all\n")
        // helm 4 lists every state by default.
        #expect(w.helm("list", "-o", "json").stdout.contains("\"status\":\"pending-install\""))
        let atomic = w.helm("uninstall", "vault-operator")
        #expect(atomic.code == 0)
        #expect(w.helm("upgrade", "--install", "vault-operator", operatorChart, "--version", "1.24.0", "--wait=watcher").code == 0)
        let dep = w.helm("upgrade", "--install", "vault-operator", operatorChart, "--version", "1.24.0", "--atomic")
        #expect(dep.stderr.hasPrefix("Flag --atomic has been deprecated, use --rollback-on-failure instead\n"))
    }

    /// Point 3: OCI charts need no repo; unknown tags fail.
    @Test func ociChartVersions() throws {
        let (w, _) = try clusterWorld("oci")
        defer { w.cleanup() }
        let bad = w.helm("upgrade", "--install", "vault-operator", operatorChart, "--version", "9.9.9")
        #expect(bad.code == 1)
        #expect(
            bad.stderr
                == "Error: failed to perform \"FetchReference\" on source: ghcr.io/bank-vaults/helm-charts/vault-operator:9.9.9: not found\n"
        )
        let ok = w.helm("upgrade", "--install", "vault-operator", operatorChart, "--version", "1.22.0")
        #expect(ok.code == 0)
        #expect(ok.stderr.hasPrefix("Pulled: ghcr.io/bank-vaults/helm-charts/vault-operator:1.22.0\nDigest: sha256:"))
    }

    /// Point 8: kind's O_EXCL kubeconfig lock and its 4 tries; export repairs the missing context.
    @Test func kubeconfigLockBusy() throws {
        try Engine.requireEngine()
        #expect(Engine.images)
        let w = try TestWorld()
        defer { w.cleanup() }
        w.useNetwork()
        let name = w.cluster("lk")
        let kubeconfig = w.env["KUBECONFIG"]!
        w.env["FAKEWORLD_FAULTS"] = "kubeconfig-lock-busy:\(name):once"
        let r = w.createCluster(name)
        #expect(r.code == 1)
        #expect(
            r.stderr.hasSuffix("ERROR: failed to create cluster: failed to lock config file: open \(kubeconfig).lock: file exists\n"),
            "\(r)")
        #expect(!FileManager.default.fileExists(atPath: kubeconfig + ".lock"))
        #expect(w.kind("get", "nodes", "--name", name).stdout == "\(name)-control-plane\n")
        #expect(!w.kubectl("config", "get-contexts", "-o", "name").stdout.contains("kind-\(name)"))
        #expect(w.kind("export", "kubeconfig", "--name", name).stderr == "Set kubectl context to \"kind-\(name)\"\n")
        #expect(w.kubectl("config", "get-contexts", "-o", "name").stdout.contains("kind-\(name)"))
        // Another holder of the lock (the natural race): delete deletes the nodes, keeps the context, fails.
        FileManager.default.createFile(atPath: kubeconfig + ".lock", contents: Data())
        let d = w.kind("delete", "cluster", "--name", name)
        try? FileManager.default.removeItem(atPath: kubeconfig + ".lock")
        #expect(d.code == 1)
        #expect(
            d.stderr
                == "Deleting cluster \"\(name)\" ...\nfailed to update kubeconfig: failed to lock config file: open \(kubeconfig).lock: file exists\nDeleted nodes: [\"\(name)-control-plane\"]\nERROR: failed to delete cluster \"\(name)\": failed to lock config file: open \(kubeconfig).lock: file exists\n"
        )
        #expect(w.kubectl("config", "get-contexts", "-o", "name").stdout.contains("kind-\(name)"))
    }

    /// Today's node images (Kubernetes ≥ 1.25) serve no PodSecurityPolicy: MetalLB v0.9.3's manifest fails there.
    @Test func metallbLegacyManifestFailsOnCurrentKubernetes() throws {
        try Engine.requireEngine()
        let w = try TestWorld()
        defer { w.cleanup() }
        w.useNetwork()
        let image = "fwtest/kindest-node:v1.36.1"
        #expect(w.run("fakeworld", ["image", "--node", image]).code == 0)
        let name = w.cluster("psp")
        try #require(w.createCluster(name, extra: ["--image", image]).code == 0)
        _ = w.kubectl("apply", "-f", "https://raw.githubusercontent.com/metallb/metallb/v0.9.3/manifests/namespace.yaml")
        let r = w.kubectl("apply", "-f", "https://raw.githubusercontent.com/metallb/metallb/v0.9.3/manifests/metallb.yaml")
        #expect(r.code == 1)
        #expect(
            r.stderr.contains(
                "no matches for kind \"PodSecurityPolicy\" in version \"policy/v1beta1\"\nensure CRDs are installed first\n"))
    }

    /// The examples' RBAC manifests apply (ServiceAccount, Role, RoleBinding, ClusterRoleBinding; Namespace first for `existing`).
    @Test func examplesRBACApplies() throws {
        let (w, _) = try clusterWorld("rb")
        defer { w.cleanup() }
        let root = FileManager.default.currentDirectoryPath
        for example in ["vault-raft", "five-dc", "existing"] {
            let r = w.kubectl("apply", "-f", "\(root)/examples/\(example)/rbac.yaml")
            #expect(r.code == 0, "\(example): \(r)")
        }
        #expect(w.kubectl("get", "serviceaccount", "vault", "-n", "vault", "-o", "name").stdout == "serviceaccount/vault\n")
        #expect(w.kubectl("get", "sa", "vault", "-o", "name").stdout == "serviceaccount/vault\n")
    }
}
