import Foundation
import YAML

/// argv builders and parsers for `kubectl` (docs/tools.md#kubectl-errors and the kubectl sections after it), bound to one
/// kubeconfig context (and optionally one kubeconfig file).
package struct Kubectl: Sendable, Hashable {
    package static let executable = "kubectl"

    package var context: String
    package var kubeconfig: String?

    package init(context: String, kubeconfig: String? = nil) {
        self.context = context
        self.kubeconfig = kubeconfig
    }

    /// `kubectl [--kubeconfig K] --context C ARGS…`.
    package func command(_ arguments: [String], standardInput: Command.Input? = nil, timeout: Duration? = nil) -> Command {
        var args: [String] = []
        if let kubeconfig { args += ["--kubeconfig", kubeconfig] }
        args += ["--context", context]
        return Command(Self.executable, args + arguments, standardInput: standardInput, timeout: timeout)
    }

    /// `get KIND1,KIND2,… -A -o json` (one `List` of every object of those kinds), or `-n NS`.
    package func get(_ kinds: [String], namespace: String? = nil, selector: String? = nil) -> Command {
        var args = ["get", kinds.joined(separator: ",")]
        if let namespace { args += ["-n", namespace] } else { args.append("-A") }
        if let selector { args += ["-l", selector] }
        args += ["-o", "json"]
        return command(args)
    }

    /// `apply -f -` with the manifest on stdin (never on argv); `serverSide` adds `--server-side`.
    package func apply(manifest: String, sensitive: Bool = false, serverSide: Bool = false) -> Command {
        command(["apply"] + (serverSide ? ["--server-side"] : []) + ["-f", "-"], standardInput: .init(manifest, sensitive: sensitive))
    }

    /// `[-n NS] delete KIND NAME --ignore-not-found`.
    package func delete(_ kind: String, _ name: String, namespace: String? = nil) -> Command {
        command((namespace.map { ["-n", $0] } ?? []) + ["delete", kind, name, "--ignore-not-found"])
    }

    /// `kubectl version --client`: the client runs (no cluster needed).
    package static func clientVersion() -> Command { Command(executable, ["version", "--client"]) }

    /// `get namespaces -o name`: the cheapest call that proves the API server answers.
    package func apiServerProbe() -> Command { command(["get", "namespaces", "-o", "name"]) }

    /// `-n NS get KIND NAME -o name`: whether one object exists (exit 0) or not.
    package func exists(_ kind: String, _ name: String, namespace: String) -> Command {
        command(["-n", namespace, "get", kind, name, "-o", "name"])
    }

    /// `-n NS get KIND NAME -o json`: one object.
    package func getObject(_ kind: String, _ name: String, namespace: String) -> Command {
        command(["-n", namespace, "get", kind, name, "-o", "json"])
    }

    /// `apply -f FILE_OR_URL…` (manifests the spec names; URLs are fetched by kubectl).
    package func apply(files: [String]) -> Command { command(["apply"] + files.flatMap { ["-f", $0] }) }

    /// `apply -f - -f URL…` with `inline` on stdin: manifests whose text is in memory (a git
    /// revision's files, not on disk), then those kubectl fetches.
    package func apply(inline: String, files: [String]) -> Command {
        command(["apply", "-f", "-"] + files.flatMap { ["-f", $0] }, standardInput: .init(inline))
    }

    /// `-n NS delete KIND NAME… --ignore-not-found`.
    package func delete(_ kind: String, _ names: [String], namespace: String) -> Command {
        command(["-n", namespace, "delete", kind] + names + ["--ignore-not-found"])
    }

    /// `-n NS delete KIND -l SELECTOR --ignore-not-found`: every object the selector matches.
    package func delete(_ kind: String, selector: String, namespace: String) -> Command {
        command(["-n", namespace, "delete", kind, "-l", selector, "--ignore-not-found"])
    }

    /// `-n NS annotate KIND NAME k=v… --overwrite`: a merge patch of the annotations only (the
    /// last-applied configuration is left alone, so a later `apply` does not remove them).
    package func annotate(_ kind: String, _ name: String, namespace: String, _ annotations: [(key: String, value: String)]) -> Command {
        command(["-n", namespace, "annotate", kind, name] + annotations.map { "\($0.key)=\($0.value)" } + ["--overwrite"])
    }

    /// `-n NS rollout status KIND/NAME --timeout=T`: waits for a Deployment or DaemonSet rollout.
    package func rolloutStatus(_ target: String, namespace: String, timeout: String) -> Command {
        command(["-n", namespace, "rollout", "status", target, "--timeout=\(timeout)"])
    }

    /// `[-n NS] wait --for=COND TARGET --timeout=T`.
    package func wait(for condition: String, _ target: String, namespace: String? = nil, timeout: String) -> Command {
        command((namespace.map { ["-n", $0] } ?? []) + ["wait", "--for=\(condition)", target, "--timeout=\(timeout)"])
    }

    /// `-n NS exec [-i] POD [-c C] -- ARGS…` (`-i` passes the command's standard input on).
    package func exec(pod: String, namespace: String, container: String? = nil, stdin: Bool = false, _ arguments: [String]) -> Command {
        command(["-n", namespace, "exec"] + (stdin ? ["-i"] : []) + [pod] + (container.map { ["-c", $0] } ?? []) + ["--"] + arguments)
    }

    // MARK: failures

    /// What a failed kubectl call says about the cluster.
    package enum Failure: Sendable, Hashable {
        /// The API server did not answer (connection refused, no route, TLS/timeout).
        case unreachable(String)
        /// The context (or the kubeconfig holding it) does not exist.
        case contextMissing(String)
        /// The resource type is not served (its CRD is not installed): the type's name.
        case unknownResourceType(String)
        /// `Error from server (NotFound): …`.
        case notFound(String)
        /// Anything else: the last stderr line.
        case other(String)
    }

    /// Classifies a failed result by its stderr (klog lines come first: read the last line,
    /// and look for `was refused` / `connection refused` anywhere).
    package static func failure(of result: CommandResult) -> Failure {
        let last = result.lastErrorLine
        let text = result.stderr
        if text.contains("context was not found") || last.contains("no context exists with the name") {
            return .contextMissing(last)
        }
        if last.contains("was refused") || text.contains("connection refused") || last.hasPrefix("Unable to connect to the server")
            || text.contains("no route to host") || text.contains("i/o timeout")
        {
            return .unreachable(last)
        }
        if let range = last.range(of: "the server doesn't have a resource type \"") {
            let rest = last[range.upperBound...]
            return .unknownResourceType(String(rest.prefix { $0 != "\"" }))
        }
        if last.hasPrefix("Error from server (NotFound)") { return .notFound(last) }
        return .other(last.isEmpty ? "\(result.status)" : last)
    }

    // MARK: output

    /// The items of `get -o json`: a `List`'s items, or the single object itself.
    package static func parseObjects(_ result: CommandResult) throws(ToolOutputError) -> [YAML.Node] {
        guard result.isSuccess else { throw ToolOutputError(tool: "kubectl get", message: result.lastErrorLine) }
        let node: YAML.Node
        do {
            node = try YAML.Node(json: Data(result.standardOutput))
        } catch {
            throw ToolOutputError(tool: "kubectl get", message: "\(error)")
        }
        if node["kind"]?.string == "List" || node["items"]?.sequence != nil {
            return node["items"]?.sequence ?? []
        }
        guard node.mapping != nil else { throw ToolOutputError(tool: "kubectl get", message: "expected a JSON object") }
        return [node]
    }
}
