/// argv of the `vault` CLI run inside a Vault pod (through `kubectl exec`). See docs/tools.md
/// "Vault" for the flags and outputs.
public enum VaultCLI {
    /// `vault status -format=json`: seal status, HA and Raft fields; exit 0 unsealed, 2 sealed,
    /// 1 on an error (no JSON then).
    public static func status() -> [String] { ["vault", "status", "-format=json"] }
}
