import Foundation

/// The one seam between multidc and the tools it drives (docker, kind, kubectl, helm).
///
/// A runner returns a result for every child that ran to completion, whatever its exit status;
/// it throws only when no result exists: the executable is missing, the call timed out or was
/// cancelled, or the output passed the limit.
public protocol CommandRunner: Sendable {
    func run(_ command: Command) async throws -> CommandResult
}

/// Why a runner produced no result. Compare `code`, never the message.
public struct CommandRunnerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An open set of failure kinds (adding one breaks nobody).
    public struct Code: Sendable, Hashable {
        let rawValue: String
        /// The executable is not on `PATH` (or the path does not exist).
        public static let executableNotFound = Code(rawValue: "executableNotFound")
        /// The call ran past its timeout; the child and its process group were ended.
        public static let timedOut = Code(rawValue: "timedOut")
        /// The calling task was cancelled; the child and its process group were ended.
        public static let cancelled = Code(rawValue: "cancelled")
        /// Standard output or error grew past the runner's limit.
        public static let outputLimitExceeded = Code(rawValue: "outputLimitExceeded")
        /// Spawning or talking to the child failed for another reason.
        public static let failed = Code(rawValue: "failed")
    }

    public var code: Code
    /// The command's secret-free description.
    public var command: String
    public var message: String

    public init(code: Code, command: String, message: String) {
        self.code = code
        self.command = command
        self.message = message
    }

    public var description: String { "\(message) (\(command))" }
}
