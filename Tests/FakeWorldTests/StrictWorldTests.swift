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
        // Flags before the id: Go's flag package stops at the first positional argument.
        let removed = vaultWithToken(w, nil, "vault-l-0", "operator raft remove-peer \(caFlag) \(oldID)", token: token)
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

    // MARK: One process in the vault container: sh, base64, kv get, raft

    /// The world's sh: `$(…)` holding pipelines and quotes (also inside "…"), `|`, `&&`, `||`, `;`,
    /// one reader of stdin, POSIX statuses, ash's syntax errors (2) and `not found` (127).
    @Test func shInTheVaultContainer() throws {
        let (w, _, kms, _) = try vaultWorld("sh")
        defer { w.cleanup() }
        _ = w.kubectl("apply", "-f", "-", stdin: vaultCR(name: "vault", kms: kms, token: "t", leaderAddress: "self"))
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-0", "--timeout=30s").code == 0)
        let nested = shInPod(
            w, "vault-0", #"A=$(cat) && B="$(echo "<$A>" | cat)" && C=$(cat) && echo "$B[$C]" | cat"#, stdin: "se cret\n")
        #expect(nested.stdout == "<se cret>[]\n", "\(nested)")
        #expect(nested.code == 0)
        // `VAR=$(failing) && next`: the assignment has the substitution's status; next does not run.
        let stop = shInPod(w, "vault-0", "RT=$(cat /nosuch) && echo next")
        #expect(stop.stdout == "")
        #expect(stop.stderr == "cat: can't open '/nosuch': No such file or directory\ncommand terminated with exit code 1\n", "\(stop)")
        #expect(shInPod(w, "vault-0", "RT=$(cat /nosuch) || echo fallback").stdout == "fallback\n")
        // A pipeline ends with its last command's status (no pipefail) …
        #expect(shInPod(w, "vault-0", "cat /nosuch | true").code == 0)
        #expect(shInPod(w, "vault-0", "true | false").code == 1)
        // … unless `set -o pipefail`.
        #expect(shInPod(w, "vault-0", "set -o pipefail; cat /nosuch | true").code == 1)
        #expect(shInPod(w, "vault-0", #"echo 'it'\''s' "a  b" a  b; echo two"#).stdout == "it's a  b a b\ntwo\n")
        let syntax = shInPod(w, "vault-0", "echo one\nRT=$(echo a | ) && echo two")
        #expect(syntax.code == 2)
        #expect(syntax.stdout == "one\n")
        #expect(syntax.stderr == "sh: syntax error: unexpected \")\"\ncommand terminated with exit code 2\n", "\(syntax)")
        let redirect = shInPod(w, "vault-0", "vault status > /tmp/x")
        #expect(redirect.code == 2)
        #expect(redirect.stderr.hasPrefix("sh: syntax error: unsupported construct in the world's sh: redirection >\n"))
        let missing = shInPod(w, "vault-0", "jq .")
        #expect(missing.code == 127)
        #expect(missing.stderr == "sh: jq: not found\ncommand terminated with exit code 127\n")
        // The script can come on stdin too.
        #expect(w.kubectl("exec", "-i", "vault-0", "-c", "vault", "--", "sh", stdin: "echo from-stdin").stdout == "from-stdin\n")
    }

    /// busybox base64 in the vault container: encode wraps at 76, `-d` skips characters outside the
    /// alphabet and fails `truncated input` (1) on a cut group, after writing what it decoded.
    @Test func busyboxBase64InTheVaultContainer() throws {
        let (w, _, kms, _) = try vaultWorld("b64")
        defer { w.cleanup() }
        _ = w.kubectl("apply", "-f", "-", stdin: vaultCR(name: "vault", kms: kms, token: "t", leaderAddress: "self"))
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-0", "--timeout=30s").code == 0)
        #expect(shInPod(w, "vault-0", "echo -n hello | base64").stdout == "aGVsbG8=\n")
        #expect(w.kubectl("exec", "-i", "vault-0", "-c", "vault", "--", "base64", "-d", stdin: "aGVs\nbG8=\n").stdout == "hello")
        #expect(shInPod(w, "vault-0", "echo 'a!G-V.s bG8=' | base64 -d").stdout == "hello")
        let cut = shInPod(w, "vault-0", "echo -n aGVsbG8 | base64 -d")
        #expect(cut.stdout == "hel")
        #expect(cut.stderr == "base64: truncated input\ncommand terminated with exit code 1\n", "\(cut)")
        // The mounted CA round-trips: base64 FILE | base64 -d.
        let ca = w.kubectl("get", "secret", "vault-tls", "-o", "jsonpath={.data.ca\\.crt}").stdout
        let pem = try #require(Data(base64Encoded: ca))
        let round = shInPod(w, "vault-0", "base64 /vault/tls/ca.crt | base64 -d")
        #expect(Data(round.stdout.utf8) == pem, "\(round)")
        #expect(shInPod(w, "vault-0", "base64 -w 0 /vault/tls/ca.crt").stdout == pem.base64EncodedString())
        #expect(shInPod(w, "vault-0", "base64 -q").stderr.hasPrefix("base64: unrecognized option: q\nBusyBox v1.36.1 multi-call binary.\n"))
    }

    /// `vault kv get` in the pod against the dev-mode KMS: the preflight and KV v2 read of
    /// hashicorp/vault command/kv_get.go, -field printed raw (no newline), real failures and exit codes.
    @Test func kvGetReadsBankVaultsKeysFromTheKMS() throws {
        let (w, _, kms, _) = try vaultWorld("kv")
        defer { w.cleanup() }
        _ = w.kubectl("apply", "-f", "-", stdin: vaultCR(name: "vault", kms: kms, token: "t", leaderAddress: "self", image: vault2))
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-0", "--timeout=30s").code == 0)
        let ip = kmsIP(w, kms)
        let stored = try kmsValue(w, "secret/data/vault-keys/vault-root", "vault-root")
        func kv(_ flags: String, token: String = "t") -> TestWorld.Run {
            shInPod(w, "vault-0", "VAULT_TOKEN=$(cat) vault kv get \(flags)", stdin: token + "\n")
        }
        let field = kv("-address=http://\(ip):8200 -mount=secret -field=vault-root vault-keys/vault-root")
        #expect(field.stdout == stored, "\(field)")
        #expect(field.code == 0)
        #expect(kv("-address=http://\(kms):8200 -field=vault-root secret/vault-keys/vault-root").stdout == stored)
        #expect(
            shInPod(
                w, "vault-0",
                "VAULT_ADDR='http://\(ip):8200' VAULT_TOKEN=$(cat) vault kv get -mount=secret -field=vault-root vault-keys/vault-root",
                stdin: "t"
            ).stdout == stored)
        let json = kv("-address=http://\(ip):8200 -mount=secret -format=json vault-keys/vault-root")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json)")
        let data = try #require(doc["data"] as? [String: Any])
        #expect((data["data"] as? [String: String])?["vault-root"] == stored)
        #expect((data["metadata"] as? [String: Any])?["version"] as? Int == 1)
        let none = kv("-address=http://\(ip):8200 -mount=secret vault-keys/nosuch")
        #expect(none.stderr == "No value found at secret/data/vault-keys/nosuch\ncommand terminated with exit code 2\n", "\(none)")
        let noField = kv("-address=http://\(ip):8200 -mount=secret -field=nosuch vault-keys/vault-root")
        #expect(noField.stderr == "Field \"nosuch\" not present in secret\ncommand terminated with exit code 1\n", "\(noField)")
        let tls = kv("-address=https://\(ip):8200 -mount=secret -field=vault-root vault-keys/vault-root")
        #expect(
            tls.stderr
                == "Get \"https://\(ip):8200/v1/sys/internal/ui/mounts/secret\": http: server gave HTTP response to HTTPS client\ncommand terminated with exit code 2\n",
            "\(tls)")
        let denied = kv("-address=http://\(ip):8200 -mount=secret -field=vault-root vault-keys/vault-root", token: "wrong")
        #expect(
            denied.stderr
                == "Error making API request.\n\nURL: GET http://\(ip):8200/v1/sys/internal/ui/mounts/secret\nCode: 403. Errors:\n\n* permission denied\ncommand terminated with exit code 2\n",
            "\(denied)")
        let noMount = kv("-address=http://\(ip):8200 -mount=kv vault-keys/vault-root")
        #expect(
            noMount.stderr.contains(
                "* preflight capability check returned 403, please ensure client's policies grant access to path \"kv/\"\n"))
        // A flag after the path is a second argument (Go's flag package); Vault ≥ 1.12 warns.
        let late = kv("-address=http://\(ip):8200 vault-keys/vault-root -mount=secret")
        #expect(
            late.stderr
                == "Command flags must be provided before positional arguments. The following arguments will not be parsed as flags: [-mount=secret]\nToo many arguments (expected 1, got 2)\ncommand terminated with exit code 1\n",
            "\(late)")
        // vault 1.6 has no -mount.
        _ = w.kubectl("apply", "-f", "-", stdin: vaultCR(name: "vault-old", kms: kms, token: "t", leaderAddress: "self"))
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-old-0", "--timeout=300ms").code == 1)
        let old = shInPod(
            w, "vault-old-0", "VAULT_TOKEN=$(cat) vault kv get -address=http://\(ip):8200 -mount=secret vault-keys/vault-root", stdin: "t")
        #expect(old.stderr == "flag provided but not defined: -mount\ncommand terminated with exit code 1\n", "\(old)")
        // A stopped KMS: its ip answers nobody, its name resolves to nothing.
        #expect(w.docker("stop", "-t", "1", kms).code == 0)
        let byIP = kv("-address=http://\(ip):8200 -mount=secret -field=vault-root vault-keys/vault-root")
        #expect(
            byIP.stderr
                == "Get \"http://\(ip):8200/v1/sys/internal/ui/mounts/secret\": dial tcp \(ip):8200: connect: no route to host\ncommand terminated with exit code 2\n",
            "\(byIP)")
        let byName = kv("-address=http://\(kms):8200 -mount=secret -field=vault-root vault-keys/vault-root")
        #expect(
            byName.stderr.hasPrefix(
                "Get \"http://\(kms):8200/v1/sys/internal/ui/mounts/secret\": dial tcp: lookup \(kms) on 10.96.0.10:53: no such host\n"))
        // Started again, the dev-mode KMS has forgotten everything.
        #expect(w.docker("start", kms).code == 0)
        let forgotten = kv("-address=http://\(kms):8200 -mount=secret -field=vault-root vault-keys/vault-root")
        #expect(
            forgotten.stderr == "No value found at secret/data/vault-keys/vault-root\ncommand terminated with exit code 2\n", "\(forgotten)"
        )
    }

    /// THE observation: one process reads the KMS token on stdin, the root token from the KMS
    /// (`kv get … | base64 -d`) and lists the Raft peers; remove-peer the same way.
    @Test func oneProcessReadsTheRootTokenAndListsPeers() throws {
        let (w, _, kms, leaderIP) = try vaultWorld("one")
        defer { w.cleanup() }
        w.env["FAKEWORLD_LATENCY"] = "crash-backoff=0s"
        _ = w.kubectl("apply", "-f", "-", stdin: vaultCR(name: "vault-l", kms: kms, token: "t", leaderAddress: "self", image: vault2))
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-l-0", "--timeout=30s").code == 0)
        let f = vaultCR(name: "vault-f", kms: kms, token: "t", leaderAddress: leaderIP, leaderName: "vault-l", image: vault2)
        _ = w.kubectl("apply", "-f", "-", stdin: f)
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-f-0", "--timeout=30s").code == 0)
        let ip = kmsIP(w, kms)
        let list = observe(
            w, nil, "default", "vault-l-0", kmsIP: ip, keysPath: "vault-keys", "operator raft list-peers -format=json \(caFlag)")
        #expect(list.code == 0, "\(list)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any], "\(list)")
        // api.Secret (request_id … warnings, mount_type) around sys/storage/raft/configuration.
        #expect(Set(doc.keys) == ["request_id", "lease_id", "lease_duration", "renewable", "data", "warnings", "mount_type"])
        let servers = try peers(list)
        #expect(servers.count == 2)
        for s in servers {
            #expect(Set(s.keys) == ["node_id", "address", "leader", "protocol_version", "voter"])
            #expect(s["protocol_version"] as? String == "3")
            #expect(s["voter"] as? Bool == true)
        }
        #expect(servers.first?["leader"] as? Bool == true)
        #expect(servers.first?["address"] as? String == "\(leaderIP):8201")
        // Without pipefail a failed KMS read is hidden by `base64 -d` (status 0, empty RT): list-peers
        // runs without a token. With pipefail the chain stops at the read.
        let wrong = observe(
            w, nil, "default", "vault-l-0", kmsIP: ip, keysPath: "vault-keys", "operator raft list-peers -format=json \(caFlag)",
            kmsToken: "wrong")
        #expect(wrong.code == 2)
        #expect(
            wrong.stderr.hasPrefix("Error making API request.\n\nURL: GET http://\(ip):8200/v1/sys/internal/ui/mounts/secret\nCode: 403."),
            "\(wrong)")
        #expect(
            wrong.stderr.contains(
                "Error reading the raft cluster configuration: Error making API request.\n\nURL: GET https://127.0.0.1:8200/v1/sys/storage/raft/configuration\nCode: 403."
            ))
        let strict = shInPod(
            w, "vault-l-0", "set -o pipefail; " + observeScript(kmsIP: ip, keysPath: "vault-keys", "operator raft list-peers \(caFlag)"),
            stdin: "wrong\n")
        #expect(strict.code == 2)
        #expect(!strict.stderr.contains("Error reading the raft cluster configuration"), "\(strict)")
        // remove-peer: flags before the id; an unknown id is no error (raft-autopilot RemoveServer).
        let late = observe(w, nil, "default", "vault-l-0", kmsIP: ip, keysPath: "vault-keys", "operator raft remove-peer nosuch \(caFlag)")
        #expect(late.code == 1)
        #expect(late.stderr.hasSuffix("Incorrect arguments (expected 1, got 2)\ncommand terminated with exit code 1\n"), "\(late)")
        let unknown = observe(
            w, nil, "default", "vault-l-0", kmsIP: ip, keysPath: "vault-keys", "operator raft remove-peer \(caFlag) nosuch")
        #expect(unknown.stdout == "Peer removed successfully!\n", "\(unknown)")
        let fID = try #require(servers.last?["node_id"] as? String)
        let removed = observe(
            w, nil, "default", "vault-l-0", kmsIP: ip, keysPath: "vault-keys", "operator raft remove-peer \(caFlag) \(fID)")
        #expect(removed.stdout == "Peer removed successfully!\n", "\(removed)")
        let after = try peers(
            observe(w, nil, "default", "vault-l-0", kmsIP: ip, keysPath: "vault-keys", "operator raft list-peers -format=json \(caFlag)"))
        #expect(after.count == 1)
    }

    /// A Vault whose kind cluster is deleted stays a (dead) voter until remove-peer, and counts
    /// against the quorum meanwhile.
    @Test func aDeletedClustersVaultStaysAStaleVoter() throws {
        let (w, a, kms, leaderIP) = try vaultWorld("sv")
        defer { w.cleanup() }
        w.env["FAKEWORLD_LATENCY"] = "crash-backoff=0s"
        let ctxA = "kind-\(a)"
        let b = w.cluster("sv2")
        try #require(w.createCluster(b).code == 0)
        let ctxB = "kind-\(b)"
        func kA(_ args: String..., stdin: String? = nil) -> TestWorld.Run { w.run("kubectl", ["--context", ctxA] + args, stdin: stdin) }
        func kB(_ args: String..., stdin: String? = nil) -> TestWorld.Run { w.run("kubectl", ["--context", ctxB] + args, stdin: stdin) }
        _ = kA("apply", "-f", "-", stdin: vaultCR(name: "vault-l", kms: kms, token: "t", leaderAddress: "self", image: vault2))
        #expect(kA("wait", "--for=condition=ready", "pod/vault-l-0", "--timeout=30s").code == 0)
        let f1 = vaultCR(name: "vault-f", kms: kms, token: "t", leaderAddress: leaderIP, leaderName: "vault-l", image: vault2)
        _ = kA("apply", "-f", "-", stdin: f1)
        #expect(kA("wait", "--for=condition=ready", "pod/vault-f-0", "--timeout=30s").code == 0)
        // The second follower lives in cluster B: operator, the leader's CA, a ClusterIP Service.
        #expect(
            w.run(
                "helm", ["upgrade", "--install", "vault-operator", operatorChart, "--version", "1.24.0", "--kube-context", ctxB, "--wait"]
            ).code == 0)
        #expect(kB("apply", "-f", "-", stdin: try stripped(kA("get", "secret", "vault-l-tls", "-o", "json").stdout)).code == 0)
        _ = kB(
            "apply", "-f", "-",
            stdin: vaultCR(
                name: "vault-g", kms: kms, token: "t", leaderAddress: leaderIP, leaderName: "vault-l", image: vault2,
                serviceType: "ClusterIP"))
        #expect(kB("wait", "--for=condition=ready", "pod/vault-g-0", "--timeout=30s").code == 0)
        let ip = kmsIP(w, kms)
        func list() -> TestWorld.Run {
            observe(w, ctxA, "default", "vault-l-0", kmsIP: ip, keysPath: "vault-keys", "operator raft list-peers -format=json \(caFlag)")
        }
        let three = try peers(list())
        #expect(three.count == 3)
        let gID = try #require(three.last?["node_id"] as? String)
        // Cluster B goes: vault-g stays a member (a voter, not the leader); 2 of 3 live keep a leader.
        #expect(w.kind("delete", "cluster", "--name", b).code == 0)
        let stale = try peers(list())
        #expect(stale.count == 3)
        #expect(stale.last?["node_id"] as? String == gID)
        #expect(stale.last?["voter"] as? Bool == true)
        #expect(stale.last?["leader"] as? Bool == false)
        // The stale voter counts: with vault-f gone too, 1 live of 3 is no quorum.
        _ = kA("delete", "vault", "vault-f")
        let noQuorum = list()
        #expect(noQuorum.code == 2)
        #expect(
            noQuorum.stderr.contains("Code: 500. Errors:\n\n* local node not active but active cluster node not found\n"), "\(noQuorum)")
        _ = kA("apply", "-f", "-", stdin: f1)
        #expect(kA("wait", "--for=condition=ready", "pod/vault-f-0", "--timeout=30s").code == 0)
        let removed = observe(
            w, ctxA, "default", "vault-l-0", kmsIP: ip, keysPath: "vault-keys", "operator raft remove-peer \(caFlag) \(gID)")
        #expect(removed.stdout == "Peer removed successfully!\n", "\(removed)")
        let two = try peers(list())
        #expect(two.count == 2)
        #expect(!two.contains { $0["node_id"] as? String == gID })
    }
}

/// A Vault image with `kv get -mount` (≥ 1.11) and the flag-order warning (≥ 1.12).
let vault2 = "hashicorp/vault:2.0.1"

/// `kubectl exec [-i] POD -c vault -- sh -c SCRIPT` (stdin only when given).
func shInPod(_ w: TestWorld, _ pod: String, _ script: String, stdin: String? = nil, context: String? = nil) -> TestWorld.Run {
    var args = context.map { ["--context", $0] } ?? []
    args += ["exec"] + (stdin == nil ? [] : ["-i"]) + [pod, "-c", "vault", "--", "sh", "-c", script]
    return w.run("kubectl", args, stdin: stdin)
}

/// The KMS container's ip on the world's network.
func kmsIP(_ w: TestWorld, _ kms: String) -> String {
    w.docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", kms).stdout.trimmingCharacters(
        in: .whitespacesAndNewlines)
}

/// A value Bank-Vaults wrote to the KMS (the world's state).
func kmsValue(_ w: TestWorld, _ path: String, _ field: String) throws -> String {
    let state = try #require(try JSONSerialization.jsonObject(with: Data(w.run("fakeworld", ["state"]).stdout.utf8)) as? [String: Any])
    for (_, data) in state["kms"] as? [String: [String: [String: String]]] ?? [:] {
        if let v = data[path]?[field] { return v }
    }
    throw TestFailure("no \(path) in the KMS")
}

/// multidc's observation script: the KMS token on stdin, the root token from the KMS, then `vault CMD`.
func observeScript(kmsIP: String, keysPath: String, _ cmd: String) -> String {
    "KT=$(cat) && RT=$(VAULT_TOKEN=\"$KT\" vault kv get -address=http://\(kmsIP):8200 -mount=secret -field=vault-root \(keysPath)/vault-root | base64 -d) && VAULT_TOKEN=\"$RT\" vault \(cmd)"
}

/// `kubectl --context C exec -i -n NS POD -c vault -- sh -c '<observeScript>'` with the KMS token on stdin.
func observe(
    _ w: TestWorld, _ context: String?, _ namespace: String, _ pod: String, kmsIP: String, keysPath: String, _ cmd: String,
    kmsToken: String = "t"
) -> TestWorld.Run {
    var args = context.map { ["--context", $0] } ?? []
    args += ["exec", "-i", "-n", namespace, pod, "-c", "vault", "--", "sh", "-c", observeScript(kmsIP: kmsIP, keysPath: keysPath, cmd)]
    return w.run("kubectl", args, stdin: kmsToken + "\n")
}
