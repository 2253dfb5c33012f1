/// argv of the `vault` CLI run inside a Vault pod (through `kubectl exec`). See docs/tools.md
/// "Vault" for the flags and outputs.
package enum VaultCLI {
    /// Where the Bank-Vaults operator mounts the Vault's TLS secret: the `vault` container has no
    /// VAULT_ADDR/VAULT_CACERT (the operator gives TLS env to its sidecar only), so every call
    /// names the CA (docs/tools.md#vault-cli-tls).
    package static let caCert = "/vault/tls/ca.crt"

    /// `vault status -format=json -ca-cert=/vault/tls/ca.crt`: seal status, HA and Raft fields;
    /// exit 0 unsealed, 2 sealed, 1 on an error (no JSON then).
    package static func status() -> [String] { ["vault", "status", "-format=json", "-ca-cert=\(caCert)"] }
}
