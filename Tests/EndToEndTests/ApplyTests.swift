import Foundation
import Testing

/// Issue 5 end to end: apply, status, destroy and the Raft health check against fakeworld.
extension EndToEndTests {
    /// apply --yes, required to succeed.
    static func applied(_ w: E2EWorld, sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcResult {
        let r = w.multidc("apply", ["--yes"])
        try #require(r.exitCode == 0, "apply failed\n\(r)", sourceLocation: sourceLocation)
        return r
    }

    /// Waits (bounded) until a node container of the world exists: the apply is then inside
    /// `kind create cluster` (fakeworld makes the containers before its cluster-create latency).
    static func waitForNodeContainer(_ w: E2EWorld, _ running: Proc.Running) throws {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if !w.containers(["name=\(w.id)", "label=io.x-k8s.kind.role=control-plane"]).isEmpty { return }
            if !running.process.isRunning { break }
            usleep(100_000)
        }
        let r = running.wait(timeout: 5)
        throw HarnessFailure("the apply never reached kind create cluster:\n\(r)")
    }

    /// The job line of the closing summary table for `label` (e.g. "+ kind cluster X").
    static func jobLine(_ output: String, _ label: String) -> String? {
        output.split(separator: "\n").map(String.init).first { $0.hasPrefix(label + " ") }
    }

    @Test("(a) empty → apply → healthy Raft with three voters")
    func applyFromEmpty() async throws {
        try await withWorld { w in
            let r = try Self.applied(w)
            #expect(r.stdout.contains("Plan: 29 to add, 0 to change, 0 to destroy."), "\(r)")
            #expect(r.stdout.contains("Runs as 32 steps, 3 of them readiness waits."), "\(r)")
            #expect(r.stdout.contains("Apply complete."), "\(r)")
            #expect(r.stdout.contains("healthy: 3 of 3 voters, leader vault-\(w.leader)-0"), "\(r)")
            // 29 changes (the RBAC manifests and the image loads in each cluster, and the host's
            // images, included) and 3 readiness waits: 32 jobs.
            #expect(r.stdout.contains("32 succeeded"), "\(r)")
            try w.expectHealthy(voters: 3, leader: w.leader)
            for c in w.clusterNames {
                #expect(w.containers(["label=io.x-k8s.kind.cluster=\(c)"]) == ["\(c)-control-plane"])
            }
            #expect(w.containers(["label=multidc/topology=\(w.topology)"]) == [w.kmsName])
            let clusters = w.run(["kind", "get", "clusters"]).stdout.split(separator: "\n").map(String.init)
            #expect(Set(w.clusterNames).isSubset(of: Set(clusters)), "\(clusters)")
            // The Raft peers as Vault reports them: three voters.
            // The vault CLI in the pod needs the pod's CA and a token (the root token Bank-Vaults
            // stored in the KMS), which travels on stdin.
            let peers = w.run(
                [
                    "bash", "-c",
                    "printf %s \"$ROOT\" | kubectl --context kind-\(w.leader) exec -i vault-\(w.leader)-0 -c vault -- "
                        + "sh -c 'VAULT_TOKEN=$(cat) vault operator raft list-peers -format=json -ca-cert=/vault/tls/ca.crt'",
                ], env: ["ROOT": try w.vaultRootToken()])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(peers.stdout.utf8)) as? [String: Any], "\(peers)")
            let servers = ((json["data"] as? [String: Any])?["config"] as? [String: Any])?["servers"] as? [[String: Any]] ?? []
            #expect(servers.count == 3, "\(peers.stdout)")
            #expect(servers.allSatisfy { $0["voter"] as? Bool == true }, "\(peers.stdout)")
        }
    }

    @Test("(b) a second apply does nothing and says so")
    func secondApplyIsNoOp() async throws {
        try await withWorld { w in
            _ = try Self.applied(w)
            let before = w.calls().count
            let ids = w.docker(["ps", "-aq", "--no-trunc", "--filter", "name=\(w.id)"]).stdout
            let r = w.multidc("apply", ["--yes"])
            #expect(r.exitCode == 0, "\(r)")
            #expect(r.stdout.contains("No changes. The world already matches \(w.specPath)."), "\(r)")
            #expect(!r.stdout.contains("Apply complete."), "\(r)")
            #expect(r.stdout.contains("healthy: 3 of 3 voters"), "\(r)")
            let calls = w.calls().dropFirst(before)
            #expect(!calls.isEmpty, "the second apply observed through kind/kubectl/helm")
            let mutating = calls.filter(\.isMutating)
            #expect(mutating.isEmpty, "the second apply changed something: \(mutating.map(\.raw))")
            #expect(
                !calls.contains { $0.argv.contains { ["apply", "create", "upgrade", "install", "delete"].contains($0) } },
                "\(calls.map(\.raw))")
            #expect(w.docker(["ps", "-aq", "--no-trunc", "--filter", "name=\(w.id)"]).stdout == ids, "containers changed")
        }
    }

    @Test("(c) a removed control-plane container: diff shows only that cluster's chain, apply restores it and it rejoins")
    func lostControlPlane() async throws {
        try await withWorld { w in
            _ = try Self.applied(w)
            let secondary = w.cluster("secondary")
            #expect(w.docker(["rm", "-f", "\(secondary)-control-plane"]).exitCode == 0)

            let (r, plan) = try w.planJSON()
            #expect(r.exitCode == 2, "\(r)")
            #expect(plan.problems.isEmpty, "\(plan.problems)")
            let changes = plan.changes
            let byID = Dictionary(uniqueKeysWithValues: plan.actions.map { ($0["id"] as? String ?? "", $0) })
            let chain: Set<String> = [
                "cluster/\(secondary)", "ownership/\(secondary)", "metallb/\(secondary)", "pool/\(secondary)",
                "operator/\(secondary)", "secret/vault-\(w.leader)-tls/\(secondary)", "vault/\(secondary)",
            ]
            #expect(plan.ids(changes).isSuperset(of: chain), "\(plan.ids(changes))")
            for change in changes {
                let id = change["id"] as? String ?? ""
                if change["cluster"] as? String == secondary { continue }
                // The only global steps: `helm repo add`, which the operator install of secondary
                // depends on, and the host's images, which its image load depends on.
                #expect(["helm-repo", "images"].contains(id), "\(id) changes outside cluster \(secondary): \(change)")
                let dependent = id == "images" ? "images/\(secondary)" : "operator/\(secondary)"
                let deps = byID[dependent]?["dependsOn"] as? [String] ?? []
                #expect(deps.contains(id), "\(id) is not part of secondary's chain")
            }
            #expect(byID["cluster/\(secondary)"]?["change"] as? String == "create")
            for c in w.clusterNames where c != secondary {
                #expect(!plan.actions.contains { $0["cluster"] as? String == c && $0["change"] as? String != "in-sync" })
            }
            #expect(byID["kms"]?["change"] as? String == "in-sync")
            #expect(plan.actions.allSatisfy { $0["dataLoss"] is NSNull || $0["dataLoss"] == nil }, "nothing here loses data")

            let apply = w.multidc("apply", ["--yes"])
            #expect(apply.exitCode == 0, "\(apply)")
            #expect(Self.jobLine(apply.stdout, "+ kind cluster \(secondary)")?.contains("succeeded") == true, "\(apply)")
            #expect(Self.jobLine(apply.stdout, "+ kind cluster \(w.cluster("primary"))") == nil, "primary was not touched\n\(apply)")
            #expect(w.containers(["label=io.x-k8s.kind.cluster=\(secondary)"]) == ["\(secondary)-control-plane"])
            try w.expectHealthy(voters: 3, leader: w.leader)
            let after = w.multidc("diff", ["--detailed-exitcode"])
            #expect(after.exitCode == 0, "\(after)")
        }
    }

    @Test("(d) an injected create failure: apply fails naming the cluster after the others finished; a rerun converges")
    func createFailure() async throws {
        try await withWorld { w in
            let tertiary = w.cluster("tertiary")
            let r = w.multidc("apply", ["--yes"], env: ["FAKEWORLD_FAULTS": "create-cluster:\(tertiary):once"])
            #expect(r.exitCode == 1, "\(r)")
            #expect(r.stderr.contains("error: + kind cluster \(tertiary): "), "\(r)")
            #expect(r.stderr.contains("kind create cluster --name \(tertiary)"), "\(r)")
            #expect(r.stderr.contains("apply failed; what finished is kept"), "\(r)")
            #expect(Self.jobLine(r.stdout, "+ kind cluster \(tertiary)")?.contains("failed") == true, "\(r)")
            // The other clusters' jobs ran to the end.
            for c in w.clusterNames where c != tertiary {
                for label in ["+ kind cluster \(c)", "+ MetalLB v0.14.9", "+ Vault CR vault-\(c)"] {
                    let line = r.stdout.split(separator: "\n").first { $0.hasPrefix(label + " ") && $0.contains(" \(c) ") }
                    #expect(line?.contains("succeeded") == true, "\(label) in \(c): \(line ?? "missing")\n\(r)")
                }
            }
            #expect(!r.stderr.contains("error: + kind cluster \(w.cluster("primary"))"))

            let rerun = w.multidc("apply", ["--yes"])
            #expect(rerun.exitCode == 0, "\(rerun)")
            #expect(Self.jobLine(rerun.stdout, "+ kind cluster \(tertiary)")?.contains("succeeded") == true, "\(rerun)")
            #expect(Self.jobLine(rerun.stdout, "+ kind cluster \(w.cluster("primary"))") == nil, "\(rerun)")
            try w.expectHealthy(voters: 3, leader: w.leader)
        }
    }

    @Test("(e) the KMS removed while Vault clusters exist: refused without --allow-data-loss, re-created and re-initialised with it")
    func lostKMS() async throws {
        try await withWorld { w in
            _ = try Self.applied(w)
            let oldEnv = w.docker(["inspect", "-f", "{{json .Config.Env}}", w.kmsName]).stdout
            #expect(w.docker(["rm", "-f", w.kmsName]).exitCode == 0)

            let refused = w.multidc("apply", ["--yes"])
            #expect(refused.exitCode == 1, "\(refused)")
            #expect(
                refused.stderr.contains("error: refusing to create KMS container \(w.kmsName): the unseal keys of the Vault clusters in"),
                "\(refused)")
            #expect(
                refused.stderr.contains("a new KMS has none, so those Vault clusters are re-initialised and their data is lost"),
                "\(refused)")
            #expect(refused.stderr.contains("rerun with --allow-data-loss to accept this loss"), "\(refused)")
            #expect(w.containers(["name=\(w.kmsName)"]).isEmpty, "a refused apply changed nothing")
            #expect(!refused.stdout.contains("Apply complete."))

            let r = w.multidc("apply", ["--yes", "--allow-data-loss"])
            #expect(r.exitCode == 0, "\(r)")
            #expect(Self.jobLine(r.stdout, "+ KMS container \(w.kmsName)")?.contains("succeeded") == true, "\(r)")
            for c in w.clusterNames {
                #expect(r.stdout.contains("-/+ Vault CR vault-\(c)"), "vault CR of \(c) re-created\n\(r)")
            }
            let newEnv = w.docker(["inspect", "-f", "{{json .Config.Env}}", w.kmsName]).stdout
            #expect(newEnv.contains("VAULT_DEV_ROOT_TOKEN_ID=") && newEnv != oldEnv, "a new KMS with a new token")
            try w.expectHealthy(voters: 3, leader: w.leader)
        }
    }

    @Test("(f) SIGINT during apply: exit 130, then a rerun converges")
    func interruptedApply() async throws {
        try await withWorld { w in
            let running = try w.startMultidc("apply", ["--yes"], env: ["FAKEWORLD_LATENCY": "cluster-create=4s"])
            try Self.waitForNodeContainer(w, running)
            kill(running.pid, SIGINT)
            let r = running.wait(timeout: 120)
            #expect(r.exitCode == 130 && !r.signalled, "\(r)")
            #expect(r.stderr.contains("interrupted: stopped running tools; rerun `multidc apply \(w.specPath)` to finish"), "\(r)")
            #expect(!r.stdout.contains("Apply complete."))

            let rerun = w.multidc("apply", ["--yes"])
            #expect(rerun.exitCode == 0, "\(rerun)")
            try w.expectHealthy(voters: 3, leader: w.leader)
        }
    }

    @Test("(g) two concurrent applies: the second refuses, naming the lock holder")
    func concurrentApplies() async throws {
        try await withWorld { w in
            let first = try w.startMultidc("apply", ["--yes"], env: ["FAKEWORLD_LATENCY": "cluster-create=3s"])
            try Self.waitForNodeContainer(w, first)
            let second = w.multidc("apply", ["--yes"])
            #expect(second.exitCode == 1, "\(second)")
            #expect(second.stderr.contains("holds the lock"), "\(second)")
            #expect(second.stderr.contains("\(first.pid)"), "the message names the holder's pid \(first.pid)\n\(second)")
            #expect(!second.stdout.contains("Plan:"), "the refused apply did not even plan\n\(second)")
            let r = first.wait(timeout: 300)
            #expect(r.exitCode == 0, "\(r)")
            try w.expectHealthy(voters: 3, leader: w.leader)
        }
    }

    @Test("(h) destroy removes everything owned and nothing else; the network goes once multidc's and empty")
    func destroyKeepsForeign() async throws {
        try await withWorld { w in
            _ = try Self.applied(w)
            let foreign = "e2e-\(w.id)-foreign"
            w.extraContainers.append(foreign)
            let run = w.docker(["run", "-d", "--name", foreign, "--network", w.network, Images.vault("1.6.2")])
            try #require(run.exitCode == 0, "\(run)")
            // A kind cluster of someone else on the same network.
            let foreignCluster = "e\(w.id)-foreign"
            let kind = w.run(
                ["kind", "create", "cluster", "--name", foreignCluster, "--image", Images.node("v1.19.1")],
                env: ["KIND_EXPERIMENTAL_DOCKER_NETWORK": w.network])
            try #require(kind.exitCode == 0, "\(kind)")

            let r = w.multidc("destroy", ["--yes"])
            #expect(r.exitCode == 0, "\(r)")
            #expect(r.stdout.contains("Destroy complete."), "\(r)")
            #expect(w.containers(["label=multidc/topology=\(w.topology)"]).isEmpty)
            for c in w.clusterNames {
                #expect(w.containers(["label=io.x-k8s.kind.cluster=\(c)"]).isEmpty, "nodes of \(c) remain")
            }
            let clusters = w.run(["kind", "get", "clusters"]).stdout.split(separator: "\n").map(String.init)
            #expect(Set(clusters).isDisjoint(with: w.clusterNames), "\(clusters)")
            #expect(clusters.contains(foreignCluster), "the foreign kind cluster survives: \(clusters)")
            #expect(
                w.containers(["name=\(w.id)", "status=running"]) == [foreign, "\(foreignCluster)-control-plane"].sorted(),
                "the foreign container and kind node survive")
            #expect(w.networkExists(w.network), "the network still has the foreign containers")

            // Once the foreign containers are gone, the network multidc created goes too.
            #expect(w.run(["kind", "delete", "cluster", "--name", foreignCluster]).exitCode == 0)
            #expect(w.docker(["rm", "-f", foreign]).exitCode == 0)
            let again = w.multidc("destroy", ["--yes"])
            #expect(again.exitCode == 0, "\(again)")
            #expect(again.stdout.contains("-   docker network \(w.network) — created by topology \(w.topology) and left empty"), "\(again)")
            #expect(!w.networkExists(w.network))
            let third = w.multidc("destroy", ["--yes"])
            #expect(third.exitCode == 0, "\(third)")
            #expect(third.stdout.contains("Nothing to destroy: topology \(w.topology) owns nothing here."), "\(third)")
        }
    }

    @Test("(i) the five-cluster example (pinned subnet, MetalLB CRD mode, leader dc-3) converges")
    func fiveClusters() async throws {
        try await withWorld("five-dc") { w in
            let subnet = try #require(w.subnet)
            let r = w.multidc("apply", ["--yes"], timeout: 600)
            #expect(r.exitCode == 0, "\(r)")
            #expect(r.stdout.contains("healthy: 5 of 5 voters, leader vault-\(w.cluster("dc-3"))-0"), "\(r)")
            try w.expectHealthy(voters: 5, leader: w.cluster("dc-3"))
            let inspected = w.docker(["network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{end}}", w.network]).stdout
            #expect(inspected.split(separator: " ").map(String.init).contains(subnet), "\(inspected)")
            let xy = subnet.split(separator: ".").prefix(2).joined(separator: ".")
            let (_, status) = try w.statusJSON()
            let pools = Dictionary(
                uniqueKeysWithValues: (status["clusters"] as? [[String: Any]] ?? []).map {
                    ($0["cluster"] as? String ?? "", $0["pool"] as? String ?? "")
                })
            #expect(pools[w.cluster("dc-1")] == "\(xy).1.128/25", "\(pools)")
            #expect(pools[w.cluster("dc-5")] == "\(xy).9.128/25", "the pinned pool\n\(pools)")
            let pool = w.run([
                "kubectl", "--context", "kind-\(w.cluster("dc-5"))", "-n", "metallb-system", "get", "ipaddresspools.metallb.io",
                "multidc-pool", "-o", "jsonpath={.spec.addresses[0]}",
            ])
            #expect(pool.stdout == "\(xy).9.128-\(xy).9.255", "\(pool)")
            #expect(
                w.containers(["label=io.x-k8s.kind.cluster=\(w.cluster("dc-4"))"])
                    == ["\(w.cluster("dc-4"))-control-plane", "\(w.cluster("dc-4"))-worker"])
            let again = w.multidc("diff", ["--detailed-exitcode"])
            #expect(again.exitCode == 0, "\(again)")
        }
    }

    @Test("(j) a MetalLB webhook that is never ready: apply fails naming the webhook and the pool wait")
    func webhookNeverReady() async throws {
        try await withWorld(metalLBVersion: "v0.13.10") { w in
            let secondary = w.cluster("secondary")
            let faults = ["FAKEWORLD_FAULTS": "webhook-never-ready:\(secondary)"]
            // The readiness bound: the wait for the pool ends and says what it awaited and saw.
            let r = w.multidc("apply", ["--yes", "--wait-timeout", "5s"], env: faults)
            #expect(r.exitCode == 1, "\(r)")
            let error = try #require(
                r.stderr.split(separator: "\n").first { $0.hasPrefix("error: + IPAddressPool") || $0.hasPrefix("error: + MetalLB pool") }
                    .map(String.init), "\(r)")
            #expect(error.contains("timed out after 5s waiting for MetalLB in cluster \(secondary) to accept the pool"), "\(error)")
            #expect(error.contains("failed calling webhook"), "\(error)")
            #expect(r.stderr.contains("apply failed; what finished is kept"), "\(r)")
            // Only secondary's pool (and what needs it) is stuck; primary's chain finished.
            #expect(!r.stderr.contains("error: + kind cluster"), "\(r)")
            let primaryVault = r.stdout.split(separator: "\n").first { $0.hasPrefix("+ Vault CR vault-\(w.leader) ") }
            #expect(primaryVault?.contains("succeeded") == true, "\(r)")

            // The overall --timeout: ends the same wait, says the timeout ran out.
            let t = w.multidc("apply", ["--yes", "--timeout", "8s"], env: faults)
            #expect(t.exitCode == 1, "\(t)")
            #expect(t.stderr.contains("error: the overall --timeout ran out"), "\(t)")
            #expect(t.stdout.contains("waiting for MetalLB in cluster \(secondary) to accept the pool"), "\(t)")
            #expect(t.stdout.contains("failed calling webhook"), "\(t)")
        }
    }
}
