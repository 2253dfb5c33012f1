import Foundation
import MultiDCTestSupport
import Testing
import YAML

@testable import MultiDC

/// Issue 12, point 6: `multidc output NAME` reads each value from the world with one tool call,
/// refuses the token without `--sensitive`, and lists the names it knows.
@Suite struct OutputsTests {
    /// A converged world whose clusters answer `kubectl get services -n default -o json` with their objects.
    static func outputSession(_ overrides: (ScriptedRunner) -> Void = { _ in }) throws -> (Session, LoadedTopology, ScriptedRunner) {
        let loaded = try SessionFixture.loaded()
        let world = try SessionFixture.builder(loaded).converged()
        let script = ScriptedWorld(loaded, world: world) { runner in
            overrides(runner)
            runner.on(where: { $0.executable == "kubectl" && $0.arguments.contains("services") }) { command in
                let objects =
                    world.cluster(named: String(ProvenanceTests.context(command).dropFirst("kind-".count)))?.objects ?? ClusterObjects()
                return .result(CommandResult(stdout: ScriptedWorld.kubectlList(objects, topology: loaded.topology)))
            }
        }
        return (SessionFixture.session(script), loaded, script.runner)
    }

    @Test func outputsAreReadFromTheWorldWithOneCallEach() async throws {
        let (session, loaded, runner) = try Self.outputSession { runner in
            runner.on(
                ["docker", "inspect", "-f", "{{json .Config.Env}}"],
                stdout: "[\"VAULT_DEV_ROOT_TOKEN_ID=\(ActionRunnerTests.token)\",\"PATH=/bin\"]\n")
            runner.on(["docker", "inspect", "-f"], stdout: "172.30.0.100\n")
        }
        #expect(try await session.output("kms.address", loaded: loaded, sensitive: false) == "172.30.0.100")
        #expect(try await session.output("kms.url", loaded: loaded, sensitive: false) == "http://172.30.0.100:8200")
        #expect(try await session.output("kms.token", loaded: loaded, sensitive: true) == ActionRunnerTests.token)
        #expect(try await session.output("cluster.secondary.loadBalancerIP", loaded: loaded, sensitive: false) == "172.30.2.128")
        let calls = runner.calls
        #expect(calls.count == 4, "\(calls)")
        let services = try #require(calls.last)
        #expect(services.argv == ["kubectl", "--context", "kind-secondary", "get", "services", "-n", "default", "-o", "json"])
        // The token never reached an argv.
        #expect(!calls.contains { $0.argv.contains { $0.contains(ActionRunnerTests.token) } })
    }

    @Test func unknownNamesListTheValidOnesAndTheTokenNeedsSensitive() async throws {
        let (session, loaded, runner) = try Self.outputSession()
        do {
            _ = try await session.output("kms.adress", loaded: loaded, sensitive: false)
            Issue.record("an unknown name printed")
        } catch {
            #expect(error.code == .unknownName)
            #expect(
                error.message
                    == "unknown output 'kms.adress'; did you mean 'kms.address'? The outputs of topology vault-raft are: kms.address, kms.url, kms.token (with --sensitive), cluster.primary.loadBalancerIP, cluster.secondary.loadBalancerIP, cluster.tertiary.loadBalancerIP"
            )
        }
        do {
            _ = try await session.output("vault.url", loaded: loaded, sensitive: false)
            Issue.record("an unknown name printed")
        } catch {
            #expect(error.message.hasPrefix("unknown output 'vault.url'. The outputs of topology vault-raft are: kms.address, "))
        }
        do {
            _ = try await session.output("kms.token", loaded: loaded, sensitive: false)
            Issue.record("the token printed without --sensitive")
        } catch {
            #expect(error.code == .sensitive)
            #expect(error.message.contains("only with --sensitive"))
        }
        #expect(runner.calls.isEmpty, "refused before any tool runs")
    }

    @Test func valuesTheWorldDoesNotHaveAreErrors() async throws {
        let (session, loaded, _) = try Self.outputSession { runner in
            runner.on(["docker", "inspect"], exitCode: 1, stderr: "Error response from daemon: No such container: central-vault\n")
            runner.on(["kubectl", "--context", "kind-primary", "get", "services"], stdout: #"{"kind":"List","items":[]}"#)
        }
        for (name, expected) in [
            ("kms.url", "KMS container central-vault does not exist; run multidc apply"),
            ("kms.token", "KMS container central-vault does not exist; run multidc apply"),
            ("cluster.primary.loadBalancerIP", "cluster primary has no Vault LoadBalancer Service in namespace default; run multidc apply"),
        ] {
            do {
                _ = try await session.output(name, loaded: loaded, sensitive: true)
                Issue.record("\(name) printed")
            } catch {
                #expect(error.code == .notKnown && error.message == expected, "\(name): \(error)")
            }
        }
    }
}
