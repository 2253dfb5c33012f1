import Foundation
import MultiDC
import Testing

/// Issue 4 end to end: `multidc diff` against fakeworld on the Docker engine.
extension EndToEndTests {
    /// The ids of every action of the vault-raft example on an empty world.
    static func expectedIDs(_ w: E2EWorld) -> Set<String> {
        // The example's chart is an OCI reference: no helm repository to add. Its images
        // (spec.images) are checked on the host once and loaded into each cluster.
        var ids: Set<String> = ["network", "kms", "images"]
        for c in w.clusterNames {
            ids.formUnion([
                "cluster/\(c)", "ownership/\(c)", "metallb/\(c)", "pool/\(c)", "operator/\(c)", "manifests/\(c)", "vault/\(c)",
                "vault-ready/\(c)", "images/\(c)",
            ])
            if c != w.leader { ids.insert("secret/vault-\(w.leader)-tls/\(c)") }
        }
        return ids
    }

    @Test("diff on an empty world lists every action of the example and changes nothing")
    func diffEmptyWorld() async throws {
        try await withWorld { w in
            let text = w.multidc("diff", ["--detailed-exitcode"])
            #expect(text.exitCode == 2, "\(text)")
            #expect(text.stdout.contains("Plan: 29 to add, 0 to change, 0 to destroy."), "\(text)")
            for c in w.clusterNames {
                #expect(text.stdout.contains("cluster \(c)\n"), "no group for \(c)\n\(text)")
                #expect(text.stdout.contains("+   kind cluster \(c) — no node containers labelled io.x-k8s.kind.cluster=\(c)"), "\(text)")
            }
            #expect(text.stdout.contains("+   KMS container \(w.kmsName)"), "\(text)")

            let (r, plan) = try w.planJSON()
            #expect(r.exitCode == 2, "\(r)")
            #expect(plan.formatVersion == "multidc.plan/v1")
            #expect(plan.json["topology"] as? String == w.topology)
            #expect(plan.problems.isEmpty, "\(plan.problems)")
            #expect(plan.ids(plan.actions) == Self.expectedIDs(w))
            // Every action creates, except the Vault pods' readiness waits, which are steps of their own.
            #expect(
                plan.actions.allSatisfy {
                    let wait = ($0["id"] as? String)?.hasPrefix("vault-ready/") == true
                    return wait
                        ? $0["change"] as? String == "wait" && $0["symbol"] as? String == "…"
                        : $0["change"] as? String == "create" && $0["symbol"] as? String == "+"
                }, "\(r.stdout)")
            #expect(plan.summary["wait"] as? Int == 3, "\(plan.summary)")
            #expect(
                plan.summary["add"] as? Int == 29 && plan.summary["change"] as? Int == 0 && plan.summary["destroy"] as? Int == 0,
                "\(plan.summary)")
            // Every per-cluster action names its cluster; global ones name none.
            for action in plan.actions {
                let id = action["id"] as? String ?? ""
                let cluster = action["cluster"] as? String
                if ["network", "kms", "helm-repo", "images"].contains(id) {
                    #expect(cluster == nil, "\(id) names cluster \(cluster ?? "")")
                } else {
                    #expect(cluster.map { id.hasSuffix("/\($0)") } == true, "\(id) names cluster \(cluster ?? "nil")")
                }
            }
            // Dependencies of the classic chain are in the plan.
            let byID = Dictionary(uniqueKeysWithValues: plan.actions.map { ($0["id"] as? String ?? "", $0) })
            let follower = try #require(w.clusterNames.first { $0 != w.leader })
            let followerVaultDeps = Set(byID["vault/\(follower)"]?["dependsOn"] as? [String] ?? [])
            #expect(
                followerVaultDeps.isSuperset(of: [
                    "kms", "vault/\(w.leader)", "secret/vault-\(w.leader)-tls/\(follower)", "operator/\(follower)",
                ]),
                "\(followerVaultDeps)")

            // diff is read-only: nothing was created, no tool call changed anything.
            #expect(w.containers(["label=multidc/topology=\(w.topology)"]).isEmpty)
            #expect(w.containers(["name=\(w.id)"]).isEmpty)
            #expect(!w.networkExists(w.network))
            let mutating = w.calls().filter(\.isMutating)
            #expect(mutating.isEmpty, "diff made mutating calls: \(mutating.map(\.raw))")
        }
    }

    @Test("diff on the world built by hand the classic way reports No changes")
    func diffHandBuiltWorld() async throws {
        try await withWorld { w in
            try Self.buildByHand(w)
            // The classic way lets every node pull its images: no load recorded, so the spec says so too.
            try Self.setImages(w, nil)
            let (r, plan) = try w.planJSON()
            let changed = plan.changes.map { "\($0["id"] ?? "") \($0["change"] ?? ""): \($0["reason"] ?? "") \($0["fields"] ?? "")" }
            #expect(r.exitCode == 0, "\(changed)\n\(r)")
            #expect(plan.problems.isEmpty, "\(plan.problems)")
            #expect(changed.isEmpty, "\(changed)")
            let text = w.multidc("diff", ["--detailed-exitcode"])
            #expect(text.exitCode == 0, "\(text)")
            #expect(text.stdout.contains("No changes."), "\(text)")
            // The hand-built world is the same healthy Raft multidc would have made.
            try w.expectHealthy(voters: 3, leader: w.leader)
        }
    }

    /// The classic set-up, step by step, with kind/kubectl/helm/docker only (docs: the
    /// three-cluster world by hand), plus the ownership marks multidc records.
    static func buildByHand(_ w: E2EWorld) throws {
        func must(_ argv: [String], env: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcResult {
            let r = w.run(argv, env: env)
            guard r.exitCode == 0 else {
                Issue.record("hand-built step failed:\n\(r)", sourceLocation: sourceLocation)
                throw HarnessFailure("hand-built step failed: \(argv.joined(separator: " "))")
            }
            return r
        }
        let spec = try String(contentsOfFile: w.specPath, encoding: .utf8)
        let nodeImage = try #require(
            spec.split(separator: "\n").first { $0.contains("nodeImage:") }?.split(separator: " ").last.map(String.init))
        let kmsImage = try #require(
            spec.split(separator: "\n").first { $0.contains("\(Images.prefix)/vault:") }?.split(separator: " ").last.map(String.init))
        let labels = "app.kubernetes.io/managed-by: multidc\n    multidc/topology: \(w.topology)"

        // 2. Three kind clusters on one network.
        for c in w.clusterNames {
            _ = try must(
                ["kind", "create", "cluster", "--name", c, "--image", nodeImage], env: ["KIND_EXPERIMENTAL_DOCKER_NETWORK": w.network])
        }
        let subnets = try must(["docker", "network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{end}}", w.network]).stdout
        let v4 = try #require(subnets.split(separator: " ").first { $0.contains(".") })
        // The classic scripts' $XY.i.128/25 on a /16; docker may also hand out e.g. a /20 of
        // 192.168.0.0/16, so cut the same way in general: the last /25 of the i-th /24 block.
        let (networkAddress, _) = try #require(E2EWorld.ipv4Range(String(v4)))
        func address(_ value: UInt32) -> String { [24, 16, 8, 0].map { String((value >> $0) & 0xff) }.joined(separator: ".") }
        func poolStart(_ i: Int) -> String { address(networkAddress + UInt32(i + 1) * 256 + 128) }

        // 3. MetalLB v0.14.9 (CRD mode), one IPAddressPool + L2Advertisement per cluster
        // (X.i.128/25), both awaited (controller and speakers); the RBAC manifests the example
        // ships (the Vault pods' ServiceAccount); the ownership record multidc keeps, with the
        // digest of the manifests it applied.
        let specDir = URL(fileURLWithPath: w.specPath).deletingLastPathComponent()
        let rbac = specDir.appendingPathComponent("rbac.yaml")
        let digest = SHA256.hex(Array("rbac.yaml".utf8) + [0] + Array(try Data(contentsOf: rbac)) + [0])
        for (i, c) in w.clusterNames.enumerated() {
            let ctx = "kind-\(c)"
            _ = try must([
                "kubectl", "--context", ctx, "apply", "-f",
                "https://raw.githubusercontent.com/metallb/metallb/v0.14.9/config/manifests/metallb-native.yaml",
            ])
            _ = try must([
                "kubectl", "--context", ctx, "wait", "-n", "metallb-system", "--for=condition=ready", "pod",
                "--selector=app=metallb", "--timeout=90s",
            ])
            let pool = w.dir.appendingPathComponent("pool-\(c).yaml")
            try """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {namespace: metallb-system, name: multidc-pool}
            spec:
              addresses: [\(poolStart(i))/25]
            ---
            apiVersion: metallb.io/v1beta1
            kind: L2Advertisement
            metadata: {namespace: metallb-system, name: multidc-l2}
            spec:
              ipAddressPools: [multidc-pool]

            """.write(to: pool, atomically: true, encoding: .utf8)
            // The webhook answers once the controller is Ready (waited above).
            _ = try must(["kubectl", "--context", ctx, "apply", "-f", pool.path])
            _ = try must(["kubectl", "--context", ctx, "apply", "-f", rbac.path])
            let ownership = w.dir.appendingPathComponent("ownership-\(c).yaml")
            try """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: multidc-ownership
              namespace: default
              labels:
                \(labels)
            data:
              topology: \(w.topology)
              manifests-sha256: \(digest)

            """.write(to: ownership, atomically: true, encoding: .utf8)
            _ = try must(["kubectl", "--context", ctx, "apply", "-f", ownership.path])
        }

        // 4. The KMS: a dev-mode Vault with the ownership labels (and the token fingerprint).
        let token = "handmade-\(w.id)"
        let envFile = w.dir.appendingPathComponent("kms.env")
        try "VAULT_DEV_ROOT_TOKEN_ID=\(token)\n".write(to: envFile, atomically: true, encoding: .utf8)
        _ = try must([
            "docker", "run", "-d", "--name", w.kmsName, "--network", w.network,
            "--label", "app.kubernetes.io/managed-by=multidc", "--label", "multidc/topology=\(w.topology)",
            "--label", "multidc/kms-token-sha256=\(SHA256.hex(token))", "--env-file", envFile.path, kmsImage,
        ])
        let kmsIP = try must(["docker", "inspect", "-f", "{{(index .NetworkSettings.Networks \"\(w.network)\").IPAddress}}", w.kmsName])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        // 5. The operator by helm.
        // The chart from its OCI home (the banzaicloud repository is gone; no `helm repo add`).
        for c in w.clusterNames {
            _ = try must([
                "helm", "upgrade", "--install", "vault-operator", "oci://ghcr.io/bank-vaults/helm-charts/vault-operator", "--version",
                "1.24.0", "--kube-context", "kind-\(c)", "--wait",
            ])
            _ = try must([
                "kubectl", "--context", "kind-\(c)", "wait", "--for=condition=established", "crd/vaults.vault.banzaicloud.com",
                "--timeout=60s",
            ])
            // What multidc records after an install: the values' digest (the example gives none)
            // and the release's revision.
            _ = try must([
                "kubectl", "--context", "kind-\(c)", "-n", "default", "annotate", "configmap", "multidc-ownership", "--overwrite",
                "multidc/operator-values-sha256=\(SHA256.hex(""))", "multidc/operator-revision=1",
            ])
        }

        // 6./7. The CRs from the example's templates, placeholders filled by hand (sed-style),
        // the ownership labels added; the leader's TLS secret copied before the followers.
        let leaderIP = poolStart(0)
        func cr(_ template: String, cluster c: String, index: Int) throws -> URL {
            var t = try String(contentsOf: specDir.appendingPathComponent(template), encoding: .utf8)
            let values = [
                "cluster.name": c, "cluster.loadBalancerIP": poolStart(index), "kms.address": kmsIP, "kms.token": token,
                "cluster.raftLeaderAddress": c == w.leader ? "self" : leaderIP, "leader.name": w.leader,
            ]
            for (k, v) in values { t = t.replacingOccurrences(of: "${{ \(k) }}", with: v) }
            t = t.replacingOccurrences(of: "\nmetadata:\n", with: "\nmetadata:\n  labels:\n    \(labels)\n")
            let url = w.dir.appendingPathComponent("cr-\(c).yaml")
            try t.write(to: url, atomically: true, encoding: .utf8)
            return url
        }
        _ = try must(["kubectl", "--context", "kind-\(w.leader)", "apply", "-f", try cr("vault-cr.yaml", cluster: w.leader, index: 0).path])
        _ = try must([
            "kubectl", "--context", "kind-\(w.leader)", "wait", "--for=condition=ready", "pod/vault-\(w.leader)-0", "--timeout=120s",
        ])
        let secret = try must(["kubectl", "--context", "kind-\(w.leader)", "get", "secret", "vault-\(w.leader)-tls", "-o", "json"]).stdout
        var object = try #require(try JSONSerialization.jsonObject(with: Data(secret.utf8)) as? [String: Any])
        var metadata = object["metadata"] as? [String: Any] ?? [:]
        for k in ["resourceVersion", "uid", "creationTimestamp", "ownerReferences", "managedFields", "generation"] { metadata[k] = nil }
        if var annotations = metadata["annotations"] as? [String: Any] {
            annotations["kubectl.kubernetes.io/last-applied-configuration"] = nil
            metadata["annotations"] = annotations.isEmpty ? nil : annotations
        }
        object["metadata"] = metadata
        object["status"] = nil
        let secretFile = w.dir.appendingPathComponent("leader-tls.json")
        try JSONSerialization.data(withJSONObject: object).write(to: secretFile)
        for (i, c) in w.clusterNames.enumerated() where c != w.leader {
            _ = try must(["kubectl", "--context", "kind-\(c)", "apply", "-f", secretFile.path])
            _ = try must(["kubectl", "--context", "kind-\(c)", "apply", "-f", try cr("vault-follower.yaml", cluster: c, index: i).path])
            _ = try must(["kubectl", "--context", "kind-\(c)", "wait", "--for=condition=ready", "pod/vault-\(c)-0", "--timeout=120s"])
        }
    }

    @Test("the KMS token is in the KMS container's env and in no argv of the call log, nor in multidc's output")
    func tokenNeverOnArgv() async throws {
        try await withWorld { w in
            // docker is the real client (fakeworld logs only kind/kubectl/helm): a logging shim
            // first on PATH records every docker argv multidc runs.
            let shimDir = w.dir.appendingPathComponent("docker-shim")
            try FileManager.default.createDirectory(at: shimDir, withIntermediateDirectories: true)
            let realDocker = try #require(w.run(["which", "docker"]).stdout.split(separator: "\n").first.map(String.init))
            let dockerLog = w.dir.appendingPathComponent("docker-argv.log")
            let shim = shimDir.appendingPathComponent("docker")
            try "#!/bin/sh\nprintf '%s\\n' \"$@\" --- >> '\(dockerLog.path)'\nexec '\(realDocker)' \"$@\"\n"
                .write(to: shim, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: shim.path)
            let apply = w.multidc("apply", ["--yes"], env: ["PATH": "\(shimDir.path):\(w.environment["PATH"] ?? "")"])
            try #require(apply.exitCode == 0, "\(apply)")
            let env = w.docker(["inspect", "-f", "{{json .Config.Env}}", w.kmsName])
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(env.stdout.utf8)) as? [String], "\(env)")
            let token = try #require(
                entries.first { $0.hasPrefix("VAULT_DEV_ROOT_TOKEN_ID=") }?.dropFirst("VAULT_DEV_ROOT_TOKEN_ID=".count))
            #expect(token.count >= 16, "a generated token, not a placeholder: \(token.count) characters")
            // The token really is used: the Vault CRs carry it (read back from the cluster).
            let cr = w.run([
                "kubectl", "--context", "kind-\(w.leader)", "get", "vault", "vault-\(w.leader)", "-o",
                "jsonpath={.spec.unsealConfig.vault.token}",
            ])
            #expect(cr.stdout == String(token), "the leader's CR does not carry the KMS token")

            let calls = w.calls()
            #expect(calls.count > 20, "calls.log holds the apply's calls (\(calls.count))")
            #expect(calls.contains { $0.tool == "kubectl" && $0.argv.contains("apply") }, "the apply's kubectl calls are logged")
            #expect(!w.callsLogText.contains(token), "the KMS token appears in calls.log")
            #expect(calls.allSatisfy { call in !call.argv.contains { $0.contains(token) } })
            #expect(!apply.stdout.contains(token) && !apply.stderr.contains(token), "the token appears in multidc's output")
            let dockerArgv = (try? String(contentsOf: dockerLog, encoding: .utf8)) ?? ""
            #expect(dockerArgv.contains("run\n-d\n--name\n\(w.kmsName)\n"), "the shim saw multidc's docker run of the KMS")
            #expect(dockerArgv.contains("--env-file\n"), "the KMS token travels in an env file")
            #expect(!dockerArgv.contains(token), "the KMS token appears on a docker argv")
            let status = w.multidc("status")
            #expect(!status.stdout.contains(token))
            let diff = w.multidc("diff", ["-o", "json"])
            #expect(!diff.stdout.contains(token))
        }
    }
}
