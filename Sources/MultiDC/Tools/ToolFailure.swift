import Foundation

/// A tool call that failed: which call (argv with secrets hidden), its exit status and the
/// tool's own last error line. Transient failures (an API server still starting, a webhook
/// not ready, a CRD not yet Established) say so through `isTransient` and are retried.
package struct ToolFailure: Error, Sendable, CustomStringConvertible {
    package var command: String
    package var status: String
    package var message: String
    package var isTransient: Bool

    package init(command: String, status: String, message: String, isTransient: Bool) {
        self.command = command
        self.status = status
        self.message = message
        self.isTransient = isTransient
    }

    /// The failure of a finished call: its argv (secrets hidden), status and last error line
    /// (the last stdout line when stderr is empty).
    package init(_ command: Command, _ result: CommandResult) {
        let last = result.lastErrorLine.isEmpty ? result.stdout.split(separator: "\n").last.map(String.init) ?? "" : result.lastErrorLine
        self.init(
            command: command.description, status: result.status.description, message: last,
            isTransient: ToolFailure.isTransient(result.stderr))
    }

    package var description: String { "\(command) failed (\(status)): \(message)" }

    /// Failures worth retrying: the reference's texts for an API server not answering yet,
    /// a validating webhook without endpoints, and kinds whose CRD is not Established yet.
    package static func isTransient(_ stderr: String) -> Bool {
        // helm says "Kubernetes cluster unreachable" also for a kubeconfig context that does not
        // exist; waiting never makes a context appear, so that one fails at once.
        if isMissingContext(stderr) { return false }
        let markers = [
            "connection refused", "was refused", "Kubernetes cluster unreachable", "failed calling webhook",
            "no matches for kind", "ensure CRDs are installed first", "the server could not find the requested resource",
            "TLS handshake timeout", "i/o timeout", "etcdserver: request timed out",
        ]
        // helm 4 lower-cases "kubernetes cluster unreachable" (helm v4.0.0 pkg/kube/client.go).
        return markers.contains { stderr.range(of: $0, options: .caseInsensitive) != nil }
    }

    /// A missing kubeconfig context: helm's `Kubernetes cluster unreachable: context "kind-x" does
    /// not exist`, kubectl's `context was not found for specified context: kind-x`.
    package static func isMissingContext(_ stderr: String) -> Bool {
        if stderr.contains("context was not found for specified context") { return true }
        guard let range = stderr.firstRange(of: "context \"") else { return false }
        return stderr[range.upperBound...].prefix(300).contains("\" does not exist")
    }
}

extension ToolFailure: TransientError {}

extension CommandRunner {
    /// Runs a command and returns its result when it exits 0; otherwise throws a `ToolFailure`
    /// (transient when the tool's text says the cluster is not ready yet).
    func check(_ command: Command) async throws -> CommandResult {
        let result = try await run(command)
        guard result.isSuccess else { throw ToolFailure(command, result) }
        return result
    }
}
