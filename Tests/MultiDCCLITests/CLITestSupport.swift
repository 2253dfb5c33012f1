import ArgumentParser
import Foundation
import MultiDC
import MultiDCTestSupport
import Synchronization
import Testing

@testable import multidc

/// Runs `multidc` in-process the way swift-argument-parser tests its examples: `parseAsRoot`,
/// then the command's `run()`, with stdout and stderr captured through `Terminal.capture` and the
/// tools behind `SpecLoading.testSession` (a `ScriptedRunner` on a virtual clock).
enum CLI {
    struct Result {
        var exitCode: Int32
        var stdout: String
        var stderr: String
    }

    /// - Parameter stdin: what `-` reads as the spec (nil: the process's standard input).
    static func run(_ arguments: [String], session: Session? = nil, stdin: String? = nil) async -> Result {
        let capture = Terminal.Capture()
        var code: Int32 = 0
        do {
            var command = try Multidc.parseAsRoot(arguments)
            try await Terminal.$capture.withValue(capture) {
                try await SpecLoading.$testSession.withValue(session) {
                    try await SpecLoading.$testStandardInput.withValue(stdin) {
                        if var asyncCommand = command as? any AsyncParsableCommand {
                            try await asyncCommand.run()
                        } else {
                            try command.run()
                        }
                    }
                }
            }
        } catch {
            code = Multidc.exitCode(for: error).rawValue
            let message = Multidc.fullMessage(for: error)
            if !message.isEmpty { capture.write(err: message + "\n") }
        }
        return Result(exitCode: code, stdout: capture.out, stderr: capture.err)
    }

    /// The message argument parsing gives for `arguments` (nil when they parse).
    static func parseError(_ arguments: [String]) -> String? {
        do {
            _ = try Multidc.parseAsRoot(arguments)
            return nil
        } catch {
            return Multidc.message(for: error)
        }
    }
}

/// Spec files in a fresh directory, next to copies of examples/vault-raft's templates.
enum CLIFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let token = "s3cr3t-KMS-root-token-0123456789"
    static let environment = ["MULTIDC_KMS_TOKEN": token]

    /// The classic three clusters on network multidc-test (172.30.0.0/16, pinned). The name is
    /// unique per call so that concurrent tests never share a topology lock.
    static func specText(name: String) -> String {
        """
        apiVersion: multidc/v1alpha1
        kind: Topology
        metadata:
          name: \(name)
        spec:
          provider: kind
          nodeImage: kindest/node:v1.19.1
          network:
            name: multidc-test
            subnet: 172.30.0.0/16
          loadBalancer:
            metallb:
              version: v0.9.3
          kms:
            name: central-vault
            image: vault:1.6.2
            rootToken: { fromEnv: MULTIDC_KMS_TOKEN }
          operator:
            release: vault-operator
            chart: banzaicloud-stable/vault-operator
            version: 1.12.0
            repo:
              name: banzaicloud-stable
              url: https://kubernetes-charts.banzaicloud.com
            namespace: default
          vault:
            template: vault-cr.yaml
            namespace: default
            leader: primary
            shareSecrets: [vault-primary-tls]
          clusters:
            - name: primary
            - name: secondary
              vault: { template: vault-follower.yaml }
            - name: tertiary
              vault: { template: vault-follower.yaml }

        """
    }

    /// Writes `text` (default: `specText`) as spec.yaml in a new directory; returns its path.
    static func write(_ text: String? = nil) throws -> (path: String, name: String) {
        let name = "cli-" + UUID().uuidString.prefix(8).lowercased()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("multidc-cli-tests-\(name)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for template in ["vault-cr.yaml", "vault-follower.yaml"] {
            try FileManager.default.copyItem(
                at: root.appendingPathComponent("examples/vault-raft/\(template)"), to: directory.appendingPathComponent(template))
        }
        let path = directory.appendingPathComponent("spec.yaml").path
        try (text ?? specText(name: name)).write(toFile: path, atomically: true, encoding: .utf8)
        return (path, name)
    }

    static let networkJSON = """
        [{"Name":"multidc-test","Id":"1234567890ab","Driver":"bridge","EnableIPv6":true,
          "IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"172.30.0.0/16","Gateway":"172.30.0.1"},{"Subnet":"fc00:1::/64"}]},
          "Containers":{},"Options":{},"Labels":{}}]
        """

    /// `vault operator raft list-peers -format=json` of the three clusters' nodes at their pools'
    /// first addresses (172.30.1.128, .2.128, .3.128), primary leading.
    static let peersJSON = """
        {"request_id":"r","lease_id":"","lease_duration":0,"renewable":false,"data":{"config":{"index":120,"servers":[
         {"address":"172.30.1.128:8201","leader":true,"node_id":"a1","protocol_version":"3","voter":true},
         {"address":"172.30.2.128:8201","leader":false,"node_id":"b2","protocol_version":"3","voter":true},
         {"address":"172.30.3.128:8201","leader":false,"node_id":"c3","protocol_version":"3","voter":true}]}},"warnings":null}
        """

    /// What `vault status -format=json` prints on an unsealed Raft node.
    static func vaultStatus(leader: Bool) -> String {
        """
        {"type":"shamir","initialized":true,"sealed":false,"t":3,"n":5,"progress":0,"version":"1.14.8",
         "cluster_name":"vault-cluster-1e76691a","cluster_id":"c4ca5956-383b-20cc-7a7d-494e0b01f045","storage_type":"raft",
         "ha_enabled":true,\(leader ? "\"is_self\":true," : "")
         "leader_address":"https://vault-primary.vault.svc.cluster.local:8200","raft_committed_index":120,"raft_applied_index":120}
        """
    }

    static let sealedStatus = """
        {"type":"shamir","initialized":true,"sealed":true,"t":3,"n":5,"progress":1,"storage_type":"raft","ha_enabled":true}
        """

    /// A world where nothing of the topology exists yet (the engine answers, no network, no
    /// containers, no contexts) and every write succeeds; `sealed` clusters' Vault pods answer
    /// sealed. `overrides` are tried first.
    static func emptyWorld(sealed: [String] = [], overrides: (ScriptedRunner) -> Void = { _ in }) -> ScriptedRunner {
        let runner = ScriptedRunner()
        overrides(runner)
        runner.answerToolProbes()
        let created = Mutex(false)
        runner.on(where: { $0.argv.starts(with: ["docker", "network", "inspect", "multidc-test"]) && $0.argv.count == 4 }) { _ in
            created.withLock { $0 }
                ? .result(CommandResult(stdout: networkJSON))
                : .result(CommandResult(exitCode: 1, stderr: "Error response from daemon: network multidc-test not found\n"))
        }
        runner.on(["docker", "ps"], stdout: "")
        runner.on(where: { $0.executable == "kubectl" && $0.arguments.contains("-A") && $0.arguments.contains("get") }) { command in
            let context = command.arguments.firstIndex(of: "--context").map { command.arguments[$0 + 1] } ?? ""
            return .result(CommandResult(exitCode: 1, stderr: "error: context was not found for specified context: \(context)\n"))
        }
        runner.on(["helm", "list"], exitCode: 1, stderr: "Error: Kubernetes cluster unreachable: context does not exist\n")
        runner.on(where: { $0.executable == "kubectl" && $0.arguments.contains("exec") && $0.arguments.contains("-format=json") }) {
            command in
            let pod = command.arguments[command.arguments.firstIndex(of: "exec")! + 1]
            if sealed.contains(where: { pod.contains($0) }) { return .result(CommandResult(exitCode: 2, stdout: sealedStatus)) }
            return .result(CommandResult(stdout: vaultStatus(leader: pod.contains("primary"))))
        }
        // The Raft peers (list-peers as root) and the Vault CR it reads the key store from.
        runner.on(where: { $0.executable == "kubectl" && $0.arguments.last?.contains("list-peers") == true }) { _ in
            .result(CommandResult(stdout: peersJSON))
        }
        runner.on(where: { $0.executable == "kubectl" && $0.arguments.contains("vaults.vault.banzaicloud.com") }) { _ in
            .result(
                CommandResult(
                    stdout: """
                        {"apiVersion":"vault.banzaicloud.com/v1alpha1","kind":"Vault","metadata":{"name":"vault-primary"},
                         "spec":{"unsealConfig":{"vault":{"address":"http://172.30.0.100:8200","token":"\(token)",
                         "unsealKeysPath":"secret/data/vault-unseal-keys"}}}}
                        """))
        }
        // Writes, as ActionRunnerTests.happyRunner answers them.
        runner.on(["docker", "network", "inspect", "bridge"], stdout: "1500\n")
        runner.on(["docker", "network", "create"]) { _ in
            created.withLock { $0 = true }
            return CommandResult(stdout: "1234567890ab" + String(repeating: "0", count: 52) + "\n")
        }
        runner.on(["docker", "network", "inspect"], stdout: networkJSON)
        runner.on(["docker", "run"], stdout: "6b0e2a4f301cc3991c0afa3aa0453a6adb3881f8e8c21c2acd279e8206733733\n")
        runner.on(["docker", "inspect", "-f", "{{json .Config.Env}}"], stdout: "[\"VAULT_DEV_ROOT_TOKEN_ID=\(token)\",\"PATH=/bin\"]\n")
        runner.on(["docker", "inspect", "-f"], stdout: "172.30.0.100\n")
        runner.on(["kind", "create", "cluster"], stderr: "Creating cluster ...\n")
        runner.on(
            where: {
                $0.executable == "kubectl" && $0.arguments.contains("get") && $0.arguments.contains("secret")
                    && $0.arguments.contains("json")
            },
            answer: { command in
                let name = command.arguments[command.arguments.firstIndex(of: "secret")! + 1]
                return .result(
                    CommandResult(
                        stdout: """
                            {"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/tls",
                             "metadata":{"name":"\(name)","namespace":"default","resourceVersion":"812","uid":"0b1c-leader"},
                             "data":{"ca.crt":"Y2EtY2VydA==","tls.crt":"dGxzLWNlcnQ=","tls.key":"dGxzLWtleQ=="}}
                            """))
            })
        runner.on(["kubectl"], stdout: "ok\n")
        runner.on(["helm"], stdout: "Release \"vault-operator\" does not exist. Installing it now.\n")
        return runner
    }

    static func session(_ runner: ScriptedRunner) -> Session {
        Session(runner: runner, environment: environment, clock: ManualClock())
    }
}
