import Foundation

/// The one seam between multidc and the tools it drives (docker, kind, kubectl, helm).
///
/// A runner returns a result for every child that ran to completion, whatever its exit status;
/// it throws only when no result exists: the executable is missing, the call timed out or was
/// cancelled, or the output passed the limit.
package protocol CommandRunner: Sendable {
    func run(_ command: Command) async throws -> CommandResult
}

/// Why a runner produced no result. Compare `code`, never the message.
package struct CommandRunnerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An open set of failure kinds (adding one breaks nobody).
    package struct Code: Sendable, Hashable {
        let rawValue: String
        /// The executable is not on `PATH` (or the path does not exist).
        package static let executableNotFound = Code(rawValue: "executableNotFound")
        /// The call ran past its timeout; the child and its process group were ended.
        package static let timedOut = Code(rawValue: "timedOut")
        /// The calling task was cancelled; the child and its process group were ended.
        package static let cancelled = Code(rawValue: "cancelled")
        /// Standard output or error grew past the runner's limit.
        package static let outputLimitExceeded = Code(rawValue: "outputLimitExceeded")
        /// Spawning or talking to the child failed for another reason.
        package static let failed = Code(rawValue: "failed")
    }

    package var code: Code
    /// The command's secret-free description.
    package var command: String
    package var message: String

    package init(code: Code, command: String, message: String) {
        self.code = code
        self.command = command
        self.message = message
    }

    package var description: String { "\(message) (\(command))" }
}
