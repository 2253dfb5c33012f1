import Foundation

/// How a child process ended.
package enum TerminationStatus: Sendable, Hashable, CustomStringConvertible {
    /// Exited with this code.
    case exited(Int32)
    /// Killed by this signal.
    case signaled(Int32)

    package var isSuccess: Bool { self == .exited(0) }

    package var description: String {
        switch self {
        case .exited(let code): return "exit status \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        }
    }
}

/// What a finished command left behind: its status and both output streams.
package struct CommandResult: Sendable, Hashable {
    package var status: TerminationStatus
    package var standardOutput: [UInt8]
    package var standardError: [UInt8]

    package init(status: TerminationStatus, standardOutput: [UInt8] = [], standardError: [UInt8] = []) {
        self.status = status
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// A result from text, for scripts and tests.
    package init(exitCode: Int32 = 0, stdout: String = "", stderr: String = "") {
        self.init(status: .exited(exitCode), standardOutput: Array(stdout.utf8), standardError: Array(stderr.utf8))
    }

    package var isSuccess: Bool { status.isSuccess }
    /// Standard output decoded as UTF-8 (invalid bytes replaced).
    package var stdout: String { String(decoding: standardOutput, as: UTF8.self) }
    /// Standard error decoded as UTF-8 (invalid bytes replaced).
    package var stderr: String { String(decoding: standardError, as: UTF8.self) }

    /// The last non-empty line of standard error: tools put their final message there
    /// (kubectl prints klog lines first, then the real error).
    package var lastErrorLine: String {
        stderr.split(whereSeparator: \.isNewline).last { !$0.allSatisfy(\.isWhitespace) }.map(String.init) ?? ""
    }
}
