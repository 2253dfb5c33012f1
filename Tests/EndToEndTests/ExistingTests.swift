import Foundation
import Testing
import YAML

/// examples/existing end to end: provider `existing` (clusters are kubeconfig contexts such as
/// `arn:aws:eks:…` and `gke_…`), `loadBalancer: none` (the cloud gives the LoadBalancer
/// addresses), an external KMS at `kms.url` whose token multidc reads from $MULTIDC_KMS_TOKEN.
///
/// The "existing" clusters are made as a user would make them before running multidc: fakeworld's
/// `kind create cluster`, then `kubectl config rename-context kind-X <the example's context>`.
/// The clouds are fakeworld settings: `cloud-lb` (a service controller handing out ips, GKE-like)
/// and `lb-hostname` (hostnames only, EKS-like). The external KMS is a dev-mode Vault container on
/// the clusters' network reached by the example's DNS name (a network alias), labelled
/// `fakeworld.tls=public`: it answers the example's https URL as an external Vault with a trusted
/// certificate would (docs/fakeworld.md).
extension EndToEndTests {
    /// How a test cluster's cloud gives LoadBalancer addresses.
    enum CloudLB { case ip, hostname }

    /// Makes the clusters and the KMS the example expects to exist already; returns the KMS token.
    static func existingWorld(_ w: E2EWorld, clouds: [String: CloudLB] = [:]) throws -> String {
        try #require(w.existing, "the example is not provider existing")
        for cluster in w.clusterNames {
            let context = try #require(w.contexts[cluster], "no context for \(cluster) in the spec")
            let create = w.run(
                ["kind", "create", "cluster", "--name", cluster, "--image", w.nodeImage],
                env: ["KIND_EXPERIMENTAL_DOCKER_NETWORK": w.network], timeout: 300)
            try #require(create.exitCode == 0, "\(create)")
            let rename = w.run(["kubectl", "config", "rename-context", "kind-\(cluster)", context])
            try #require(rename.exitCode == 0, "\(rename)")
            #expect(rename.stdout == "Context \"kind-\(cluster)\" renamed to \"\(context)\".\n", "\(rename)")
            let setting = (clouds[cluster] ?? .ip) == .ip ? "cloud-lb" : "lb-hostname"
            let config = w.run(["fakeworld", "config", setting, cluster, "on"])
            try #require(config.exitCode == 0, "\(config)")
        }
        // The kind contexts are gone: only the example's names reach the clusters.
        let contexts = w.run(["kubectl", "config", "get-contexts", "-o", "name"]).stdout.split(separator: "\n").map(String.init)
        #expect(Set(contexts) == Set(w.contexts.values), "\(contexts)")

        // The external KMS: a dev-mode Vault reached at the host of the spec's kms.url. The token
        // goes through docker's environment (`-e NAME` copies it), never through an argv.
        let spec = try YAMLParser.parse(try String(contentsOfFile: w.specPath, encoding: .utf8), file: w.specPath)
        let url = try #require(spec?[path: "spec", "kms", "url"]?.string, "no spec.kms.url in \(w.specPath)")
        let host = try #require(URL(string: url)?.host, "kms.url \(url) has no host")
        let token = "e2e-kms-\(w.id)-" + UUID().uuidString.lowercased()
        w.extraContainers.append(w.kmsName)
        let kms = w.run(
            [
                "docker", "run", "-d", "--name", w.kmsName, "--network", w.network, "--network-alias", host, "-e",
                "VAULT_DEV_ROOT_TOKEN_ID", "--label", "fakeworld.tls=public", w.kmsImage,
            ], env: ["VAULT_DEV_ROOT_TOKEN_ID": token], timeout: 120)
        try #require(kms.exitCode == 0, "\(kms)")
        w.environment["MULTIDC_KMS_TOKEN"] = token
        return token
    }

    @Test("(existing) examples/existing: kubeconfig contexts, cloud LoadBalancers, an external KMS → healthy, then No changes.")
    func existingExampleConverges() async throws {
        try await withWorld("existing") { w in
            let token = try Self.existingWorld(w)
            let before = w.calls().count
            let r = try Self.applied(w)
            #expect(r.stdout.contains("Apply complete."), "\(r)")
            #expect(r.stdout.contains("healthy: 3 of 3 voters, leader vault-\(w.leader)-0"), "\(r)")
            #expect(!r.stdout.contains(token) && !r.stderr.contains(token), "the KMS token leaked into the output")
            try w.expectHealthy(voters: 3, leader: w.leader)
            // Nothing of the provider kind: no cluster, network or KMS made by multidc.
            let kindCalls = w.calls().dropFirst(before).filter { $0.tool == "kind" && $0.isMutating }
            #expect(kindCalls.isEmpty, "\(kindCalls.map(\.raw))")
            #expect(w.containers(["label=multidc/topology=\(w.topology)"]).isEmpty)
            // The cloud's addresses: every Vault Service has an ip from the world's cloud range.
            for c in w.clusterNames {
                let ip = w.run([
                    "kubectl", "--context", w.contexts[c] ?? "", "-n", "vault", "get", "svc", "vault-\(c)", "-o",
                    "jsonpath={.status.loadBalancer.ingress[0].ip}",
                ])
                #expect(ip.stdout.hasPrefix("203.0.113."), "\(ip)")
            }
            try Self.expectSecondApplyIsNoOp(w)
        }
    }

    @Test("(existing) EKS-like hostnames for the two EKS contexts, an ip for the GKE one → healthy, then No changes.")
    func existingExampleWithEKSHostnames() async throws {
        try await withWorld("existing") { w in
            var clouds: [String: CloudLB] = [:]
            for c in w.clusterNames { clouds[c] = (w.contexts[c] ?? "").hasPrefix("arn:aws:eks:") ? .hostname : .ip }
            #expect(clouds.values.filter { $0 == .hostname }.count == 2, "\(clouds)")
            #expect(clouds[w.leader] == .hostname, "the leader is an EKS cluster")
            _ = try Self.existingWorld(w, clouds: clouds)
            // Bounded: multidc waits for the leader's address up to --wait-timeout.
            let r = w.multidc("apply", ["--yes", "--wait-timeout", "90s"])
            // The followers' step reads the leader Service's ingress[0].ip, else its hostname.
            try #require(r.exitCode == 0, "apply failed\n\(r)")
            #expect(r.stdout.contains("healthy: 3 of 3 voters, leader vault-\(w.leader)-0"), "\(r)")
            try w.expectHealthy(voters: 3, leader: w.leader)
            let hostname = w.run([
                "kubectl", "--context", w.contexts[w.leader] ?? "", "-n", "vault", "get", "svc", "vault-\(w.leader)", "-o",
                "jsonpath={.status.loadBalancer.ingress[0].hostname}",
            ]).stdout
            #expect(hostname.hasSuffix(".elb.amazonaws.com"), "\(hostname)")
            // The followers joined the leader at its hostname.
            for c in w.clusterNames where c != w.leader {
                let address = w.run([
                    "kubectl", "--context", w.contexts[c] ?? "", "-n", "vault", "get", "vault", "vault-\(c)", "-o",
                    "jsonpath={.spec.raftLeaderAddress}",
                ]).stdout
                #expect(address == hostname, "\(c): raftLeaderAddress \(address)")
            }
            try Self.expectSecondApplyIsNoOp(w)
        }
    }

    @Test("(existing) one follower behind an EKS-like hostname → healthy, then No changes.")
    func existingExampleWithOneHostnameFollower() async throws {
        try await withWorld("existing") { w in
            let follower = try #require(w.clusterNames.first { $0 != w.leader })
            _ = try Self.existingWorld(w, clouds: [follower: .hostname])
            let r = try Self.applied(w)
            #expect(r.stdout.contains("healthy: 3 of 3 voters, leader vault-\(w.leader)-0"), "\(r)")
            try w.expectHealthy(voters: 3, leader: w.leader)
            let hostname = w.run([
                "kubectl", "--context", w.contexts[follower] ?? "", "-n", "vault", "get", "svc", "vault-\(follower)", "-o",
                "jsonpath={.status.loadBalancer.ingress[0].hostname}",
            ]).stdout
            #expect(hostname.hasSuffix(".elb.amazonaws.com"), "\(hostname)")
            try Self.expectSecondApplyIsNoOp(w)
        }
    }

    /// A second `apply --yes`: exit 0, `No changes.`, healthy, and no mutating tool call.
    static func expectSecondApplyIsNoOp(_ w: E2EWorld, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = w.calls().count
        let r = w.multidc("apply", ["--yes"])
        #expect(r.exitCode == 0, "\(r)", sourceLocation: sourceLocation)
        #expect(r.stdout.contains("No changes. The world already matches \(w.specPath)."), "\(r)", sourceLocation: sourceLocation)
        #expect(!r.stdout.contains("Apply complete."), "\(r)", sourceLocation: sourceLocation)
        #expect(r.stdout.contains("healthy: 3 of 3 voters"), "\(r)", sourceLocation: sourceLocation)
        let mutating = w.calls().dropFirst(before).filter(\.isMutating)
        #expect(mutating.isEmpty, "the second apply changed something: \(mutating.map(\.raw))", sourceLocation: sourceLocation)
    }
}
