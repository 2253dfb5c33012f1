import Foundation
import MultiDCTestSupport
import Testing
import YAML

@testable import MultiDC

/// The steps behind issue 10's plans, on a ScriptedRunner: a Vault re-initialisation deletes
/// the CRs, waits for their pods, deletes their claims, applies and records the KMS endpoint;
/// the operator install records its values' digest; a new leader restarts the kept KMS first.
@Suite struct DriftStepTests {
    static let kmsEndpoint = "a1b2c3d4e5f6" + String(repeating: "0", count: 52)

    /// `docker network inspect kind` with the KMS attached (its EndpointID).
    static func networkWithKMS() -> String {
        """
        [{"Name":"kind","Id":"1234567890ab","Driver":"bridge","EnableIPv6":false,
          "IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"}]},
          "Containers":{"kms0000000000\(String(repeating: "0", count: 51))":{"Name":"central-vault","EndpointID":"\(kmsEndpoint)",
             "MacAddress":"02:42:ac:12:00:64","IPv4Address":"172.18.0.100/16","IPv6Address":""}},
          "Options":{},"Labels":{}}]
        """
    }

    @Test func networkInspectGivesEachAttachmentsEndpointID() throws {
        let network = try #require(try Docker.parseNetworkInspect(CommandResult(stdout: Self.networkWithKMS())))
        #expect(network.attachment(for: "central-vault")?.endpointID == Self.kmsEndpoint)
    }

    static func runner() -> ScriptedRunner {
        let runner = ScriptedRunner()
        runner.on(["docker", "network", "inspect", "kind"], stdout: networkWithKMS())
        runner.on(["docker", "restart"], stdout: "central-vault\n")
        return ActionRunnerTests.happyRunner(files: ActionRunnerTests.FileLog(), into: runner)
    }

    static func argv(_ runner: ScriptedRunner) -> [[String]] { runner.calls.map(\.argv) }

    @Test func reinitialisingDeletesTheCRsPodsAndClaimsThenRecordsTheKMSEndpoint() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = PlanDriftTests.restartedKMS(try WorldBuilder(loaded).converged())
        let runner = Self.runner()
        let report = try await ActionRunnerTests.performAlone("vault/primary", loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded)
        let calls = Self.argv(runner)
        let kubectl = ["kubectl", "--context", "kind-primary"]
        let delete = try #require(
            calls.firstIndex(of: kubectl + ["-n", "default", "delete", "vault", "vault-primary", "--ignore-not-found"]))
        let wait = try #require(
            calls.firstIndex(of: kubectl + ["-n", "default", "wait", "--for=delete", "pod/vault-primary-0", "--timeout=10s"]))
        let claims = try #require(
            calls.firstIndex(of: kubectl + ["-n", "default", "delete", "pvc", "-l", "vault_cr=vault-primary", "--ignore-not-found"]))
        let apply = try #require(calls.firstIndex(of: kubectl + ["apply", "-f", "-"]))
        let record = try #require(
            calls.firstIndex(
                of: kubectl + [
                    "-n", "default", "annotate", "configmap", "multidc-ownership", "multidc/kms-endpoint=\(Self.kmsEndpoint)",
                    "--overwrite",
                ]))
        #expect(delete < wait && wait < claims && claims < apply && apply < record, "\(calls)")
    }

    @Test func aRecreatedVaultClusterRestartsTheKeptKMSBeforeItsCR() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try PlanDriftTests.everyClusterRecreated(loaded)
        let runner = Self.runner()
        let report = try await ActionRunnerTests.performAlone("vault/primary", loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded)
        let calls = Self.argv(runner)
        let restart = try #require(calls.firstIndex(of: ["docker", "restart", "central-vault"]))
        let apply = try #require(calls.firstIndex(of: ["kubectl", "--context", "kind-primary", "apply", "-f", "-"]))
        #expect(restart < apply)
        // The address is read again after the restart (it may have changed).
        #expect(calls[restart...].contains(Docker.containerAddress("central-vault", network: "kind").argv))
    }

    @Test func theOperatorInstallRecordsItsValuesDigest() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().editing("secondary") { $0.helmReleases = [] }
        let runner = Self.runner()
        let report = try await ActionRunnerTests.performAlone("operator/secondary", loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded)
        let digest = OperatorResource.valuesDigest(loaded.topology.vaultOperator)
        #expect(
            Self.argv(runner).last == [
                "kubectl", "--context", "kind-secondary", "-n", "default", "annotate", "configmap", "multidc-ownership",
                "multidc/operator-values-sha256=\(digest)", "--overwrite",
            ])
    }

    @Test func annotatingWaitsForARecordNotYetWritten() async throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged().editing("secondary") { $0.helmReleases = [] }
        let runner = ScriptedRunner()
        let notFound = ActionRunnerTests.flaky(
            runner, where: { $0.arguments.contains("annotate") }, failures: 2,
            stderr: "Error from server (NotFound): configmaps \"multidc-ownership\" not found")
        _ = ActionRunnerTests.happyRunner(files: ActionRunnerTests.FileLog(), into: runner)
        let report = try await ActionRunnerTests.performAlone("operator/secondary", loaded: loaded, world: world, runner: runner)
        #expect(report.succeeded)
        #expect(notFound.count == 3)
    }
}
