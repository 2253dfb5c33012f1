import Foundation
import Testing

/// The real-tool behaviours issue 10's drift handling relies on, as fakeworld plays them:
/// client-side apply removes what the last-applied configuration had and the new manifest
/// lacks; annotations written by `kubectl annotate` survive a re-apply; a Vault's claims go by
/// their `vault_cr` label; bank-vaults refuses to initialise over keys the KMS still holds, and a
/// restarted dev-mode KMS holds none.
@Suite(.needsDocker, .serialized) struct DriftWorldTests {
    /// [SRC kubernetes/kubectl@dee3483a pkg/cmd/apply/patcher.go buildMergePatch;
    /// k8s.io/apimachinery@eed236ce pkg/util/jsonmergepatch/patch.go CreateThreeWayJSONMergePatch]
    @Test func applyRemovesWhatTheLastAppliedConfigurationHadAndKeepsAnnotations() throws {
        let (w, _, kms, _) = try vaultWorld("drift")
        defer { w.cleanup() }
        let cr = vaultCR(name: "vault", kms: kms, token: "t", leaderAddress: "self")
        let withField = cr.replacingOccurrences(of: "  size: 1\n", with: "  size: 1\n  veleroEnabled: true\n")
        #expect(withField != cr)
        #expect(w.kubectl("apply", "-f", "-", stdin: withField).stdout == "vault.vault.banzaicloud.com/vault created\n")
        #expect(w.kubectl("get", "vault", "vault", "-o", "jsonpath={.spec.veleroEnabled}").stdout == "true")
        #expect(w.kubectl("apply", "-f", "-", stdin: cr).stdout == "vault.vault.banzaicloud.com/vault configured\n")
        #expect(w.kubectl("get", "vault", "vault", "-o", "jsonpath={.spec.veleroEnabled}").stdout == "")
        #expect(w.kubectl("apply", "-f", "-", stdin: cr).stdout == "vault.vault.banzaicloud.com/vault unchanged\n")

        let record = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: multidc-ownership, namespace: default}\ndata: {topology: t}\n"
        _ = w.kubectl("apply", "-f", "-", stdin: record)
        let annotate = w.kubectl("-n", "default", "annotate", "configmap", "multidc-ownership", "multidc/kms-endpoint=ep1", "--overwrite")
        #expect(annotate.stdout == "configmap/multidc-ownership annotated\n", "\(annotate)")
        #expect(w.kubectl("apply", "-f", "-", stdin: record).stdout == "configmap/multidc-ownership unchanged\n")
        #expect(
            w.kubectl(
                "-n", "default", "get", "configmap", "multidc-ownership", "-o", "jsonpath={.metadata.annotations.multidc/kms-endpoint}"
            )
            .stdout == "ep1")
    }

    /// bank-vaults@bf7498d6 internal/vault/operator_client.go `Init`: every key is looked up first
    /// and an existing one refuses the init ("error before init: value for key '%s' already
    /// exists"); pkg/kv/vault/vault.go `Set` itself writes without check-and-set.
    @Test func aFreshLeaderRefusesTheKeysAKeptKMSHoldsUntilTheKMSRestarts() throws {
        let (w, _, kms, _) = try vaultWorld("keys")
        defer { w.cleanup() }
        w.env["FAKEWORLD_LATENCY"] = "crash-backoff=0s"
        let cr = vaultCR(name: "vault", kms: kms, token: "t", leaderAddress: "self")
        _ = w.kubectl("apply", "-f", "-", stdin: cr)
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-0", "--timeout=30s").code == 0)
        // The Vault cluster re-created from nothing: CR, pod and claim gone, the KMS kept.
        _ = w.kubectl("delete", "vault", "vault")
        #expect(w.kubectl("wait", "--for=delete", "pod/vault-0", "--timeout=10s").code == 0)
        let claims = w.kubectl("delete", "pvc", "-l", "vault_cr=vault", "--ignore-not-found")
        #expect(claims.stdout == "persistentvolumeclaim \"vault-raft-vault-0\" deleted\n", "\(claims)")
        _ = w.kubectl("apply", "-f", "-", stdin: cr)
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-0", "--timeout=300ms").code == 1)
        #expect(
            w.kubectl("logs", "vault-0", "-c", "bank-vaults").stdout.contains(
                "error before init: value for key 'vault-root' already exists"))
        // A restart empties the dev-mode KMS; the next attempt initialises.
        #expect(w.docker("restart", "-t", "1", kms).code == 0)
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-0", "--timeout=30s").code == 0)
    }
}
