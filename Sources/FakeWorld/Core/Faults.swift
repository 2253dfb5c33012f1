import Foundation

/// Injected faults, from `FAKEWORLD_FAULTS` (comma-separated).
package enum Fault: Sendable, Hashable {
    /// The next `kind create cluster` of NAME fails like a kubeadm init failure; once (consumption
    /// is recorded in the state), then creates succeed.
    case createClusterOnce(cluster: String)
    /// Every kubectl/helm call to cluster NAME is refused, as when its API server is down.
    case apiserverDown(cluster: String)
    /// MetalLB's webhook in cluster NAME never becomes ready: pools are always rejected.
    case webhookNeverReady(cluster: String)
    /// Pod POD in cluster CLUSTER crash-loops: never Ready.
    case podCrashloop(cluster: String, pod: String)
    /// Helm release NAME is left pending-install: the next upgrade fails with "another operation".
    case helmPending(release: String)
    /// The next kind create/delete/export of cluster NAME finds `<kubeconfig>.lock` held (once).
    case kubeconfigLockBusy(cluster: String)

    package static let help: [(String, String)] = [
        ("create-cluster:NAME:once", "the next `kind create cluster` of NAME fails at kubeadm init (once; then creates succeed)"),
        ("apiserver-down:NAME", "kubectl and helm calls to cluster NAME get connection refused"),
        (
            "webhook-never-ready:NAME",
            "MetalLB's validating webhook in cluster NAME never answers: IPAddressPool/L2Advertisement are rejected"
        ),
        (
            "pod-crashloop:CLUSTER/POD",
            "pod POD (or every pod of workload POD) in cluster CLUSTER crash-loops: never Ready; a Vault inside stays sealed"
        ),
        ("helm-pending:NAME", "helm release NAME is left in pending-install: later upgrades fail with another operation in progress"),
        (
            "kubeconfig-lock-busy:NAME:once",
            "the next kind create/delete/export kubeconfig of NAME finds <kubeconfig>.lock held by another process (once)"
        ),
    ]

    package static func parseList(_ text: String?) throws(ConfigError) -> [Fault] {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return [] }
        var faults: [Fault] = []
        for raw in text.split(separator: ",") {
            let item = raw.trimmingCharacters(in: .whitespaces)
            let parts = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            func need(_ n: Int) throws(ConfigError) {
                if parts.count != n || parts.contains(where: \.isEmpty) {
                    throw ConfigError("FAKEWORLD_FAULTS: malformed fault \"\(item)\"")
                }
            }
            switch parts[0] {
            case "create-cluster":
                try need(3)
                guard parts[2] == "once" else {
                    throw ConfigError("FAKEWORLD_FAULTS: \"\(item)\": only create-cluster:NAME:once is supported")
                }
                faults.append(.createClusterOnce(cluster: parts[1]))
            case "apiserver-down": try need(2); faults.append(.apiserverDown(cluster: parts[1]))
            case "webhook-never-ready": try need(2); faults.append(.webhookNeverReady(cluster: parts[1]))
            case "helm-pending": try need(2); faults.append(.helmPending(release: parts[1]))
            case "kubeconfig-lock-busy":
                try need(3)
                guard parts[2] == "once" else {
                    throw ConfigError("FAKEWORLD_FAULTS: \"\(item)\": only kubeconfig-lock-busy:NAME:once is supported")
                }
                faults.append(.kubeconfigLockBusy(cluster: parts[1]))
            case "pod-crashloop":
                try need(2)
                let cp = parts[1].split(separator: "/", maxSplits: 1).map(String.init)
                guard cp.count == 2, !cp[0].isEmpty, !cp[1].isEmpty else {
                    throw ConfigError("FAKEWORLD_FAULTS: \"\(item)\": expected pod-crashloop:CLUSTER/POD")
                }
                faults.append(.podCrashloop(cluster: cp[0], pod: cp[1]))
            default:
                throw ConfigError("FAKEWORLD_FAULTS: unknown fault \"\(parts[0])\"; known: \(help.map(\.0).joined(separator: ", "))")
            }
        }
        return faults
    }
}

/// The per-invocation settings read from the environment.
struct Settings {
    var latency: Latencies
    var faults: [Fault]

    static func from(_ env: [String: String]) throws(ToolFailure) -> Settings {
        do {
            return Settings(latency: try Latencies.parse(env["FAKEWORLD_LATENCY"]), faults: try Fault.parseList(env["FAKEWORLD_FAULTS"]))
        } catch {
            throw ToolFailure(stderr: "fakeworld: \(error.description)", code: 1)
        }
    }

    func apiserverDown(_ cluster: String) -> Bool { faults.contains(.apiserverDown(cluster: cluster)) }
    func webhookNeverReady(_ cluster: String) -> Bool { faults.contains(.webhookNeverReady(cluster: cluster)) }
    /// POD names a pod, or the workload whose pods it makes (`vault-operator` matches `vault-operator-5f…-x2k`).
    func crashloop(_ cluster: String, pod: String) -> Bool {
        faults.contains { f in
            if case .podCrashloop(let c, let p) = f { return c == cluster && (pod == p || pod.hasPrefix(p + "-")) }
            return false
        }
    }
    func helmPending(_ release: String) -> Bool { faults.contains(.helmPending(release: release)) }
    func lockBusy(_ cluster: String) -> Bool { faults.contains(.kubeconfigLockBusy(cluster: cluster)) }
    func createFails(_ cluster: String) -> Bool { faults.contains(.createClusterOnce(cluster: cluster)) }
}
