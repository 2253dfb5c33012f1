import Foundation

/// argv builders and parsers for `helm` 3 and 4 (docs/tools.md#helm-errors and the helm sections after it), bound to one
/// kube context (and optionally one kubeconfig file).
package struct Helm: Sendable, Hashable {
    package static let executable = "helm"

    package var kubeContext: String
    package var kubeconfig: String?

    package init(kubeContext: String, kubeconfig: String? = nil) {
        self.kubeContext = kubeContext
        self.kubeconfig = kubeconfig
    }

    /// `helm ARGS… --kube-context C [--kubeconfig K]`.
    package func command(_ arguments: [String], standardInput: Command.Input? = nil, timeout: Duration? = nil) -> Command {
        var args = arguments + ["--kube-context", kubeContext]
        if let kubeconfig { args += ["--kubeconfig", kubeconfig] }
        return Command(Self.executable, args, standardInput: standardInput, timeout: timeout)
    }

    /// `helm list -A --deployed --failed --pending --superseded --uninstalling --uninstalled -o json`:
    /// every release in every namespace, whatever its status (the plan must see an interrupted
    /// install). Naming every state works on helm 3 and helm 4 alike: helm 4 removed `-a/--all`
    /// (helm `pkg/cmd/list.go` v4.0.0; docs/tools.md#helm-list), and helm 3 without it shows only
    /// deployed and failed releases. One flag set for both majors: no `helm version` call.
    package func list() -> Command {
        command(["list", "-A", "--deployed", "--failed", "--pending", "--superseded", "--uninstalling", "--uninstalled", "-o", "json"])
    }

    /// `helm upgrade --install R CHART -n NS --create-namespace [--version V] [--repo URL]
    /// [-f -] [--wait --timeout T]`; values go on stdin as YAML, never as `--set` on argv.
    package func upgradeInstall(
        release: String, chart: String, namespace: String, version: String? = nil, repo: String? = nil,
        values: String? = nil, wait: Bool = true, timeout: String = "5m"
    ) -> Command {
        var args = ["upgrade", "--install", release, chart, "--namespace", namespace, "--create-namespace"]
        if let version { args += ["--version", version] }
        if let repo { args += ["--repo", repo] }
        if values != nil { args += ["-f", "-"] }
        if wait { args += ["--wait", "--timeout", timeout] }
        return command(args, standardInput: values.map { .init($0, sensitive: true) })
    }

    /// `helm version --short`: `v3.x.y+g<sha>` or `v4.x.y+g<sha>` (docs/tools.md#helm-version).
    package static func version() -> Command { Command(executable, ["version", "--short"]) }

    /// `helm repo add NAME URL --force-update` (idempotent; not bound to a cluster).
    package static func repoAdd(name: String, url: String) -> Command {
        Command(executable, ["repo", "add", name, url, "--force-update"])
    }

    /// A Go duration for helm's `--timeout` (whole seconds, at least 1s).
    package static func duration(_ duration: Duration) -> String { "\(max(1, duration.components.seconds))s" }

    /// `helm uninstall R -n NS`.
    package func uninstall(release: String, namespace: String) -> Command {
        command(["uninstall", release, "--namespace", namespace])
    }

    /// The message when helm could not reach the cluster (`Kubernetes cluster unreachable`,
    /// connection refused); nil otherwise.
    package static func unreachableMessage(_ result: CommandResult) -> String? {
        guard !result.isSuccess else { return nil }
        let text = result.stderr
        // helm 4 writes "kubernetes cluster unreachable" in lower case (helm v4.0.0 pkg/kube/client.go).
        if text.localizedCaseInsensitiveContains("kubernetes cluster unreachable") || text.contains("connection refused")
            || text.contains("was refused")
        {
            return result.lastErrorLine
        }
        return nil
    }

    private struct Element: Decodable {
        var name: String
        var namespace: String
        var revision: String
        var updated: String?
        var status: String
        var chart: String
        var app_version: String?
    }

    /// Releases from `helm list -o json` (one JSON array; `[]` when none). Revision is a string
    /// in helm's output; when the same release shows more than once, the highest revision wins.
    /// Sorted by namespace, then name.
    package static func parseList(_ result: CommandResult) throws(ToolOutputError) -> [HelmRelease] {
        guard result.isSuccess else { throw ToolOutputError(tool: "helm list", message: result.lastErrorLine) }
        let trimmed = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [] }
        let elements: [Element]
        do {
            elements = try JSONDecoder().decode([Element].self, from: Data(trimmed.utf8))
        } catch {
            throw ToolOutputError(tool: "helm list", message: "\(error)")
        }
        var byKey: [String: HelmRelease] = [:]
        for e in elements {
            let release = HelmRelease(
                name: e.name, namespace: e.namespace, revision: Int(e.revision), status: .init(e.status), chart: e.chart,
                appVersion: e.app_version ?? "", updated: e.updated ?? "")
            let key = e.namespace + "/" + e.name
            if let existing = byKey[key], (existing.revision ?? 0) >= (release.revision ?? 0) { continue }
            byKey[key] = release
        }
        return byKey.values.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
    }
}
