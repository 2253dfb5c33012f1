import Foundation

/// One invocation of an external tool: an executable and its argv, never a shell command line.
///
/// Secrets never travel on `arguments`. Pass them on `standardInput` or in `environment` and mark
/// them sensitive, so `description` (and any log built from it) prints `(sensitive)` instead.
package struct Command: Sendable, Hashable, CustomStringConvertible {
    /// Bytes handed to the child's standard input, optionally marked sensitive.
    package struct Input: Sendable, Hashable {
        package var bytes: [UInt8]
        package var isSensitive: Bool

        package init(_ bytes: [UInt8], sensitive: Bool = false) {
            self.bytes = bytes
            self.isSensitive = sensitive
        }

        package init(_ text: String, sensitive: Bool = false) {
            self.init(Array(text.utf8), sensitive: sensitive)
        }
    }

    /// A value for one environment variable of the child, optionally marked sensitive.
    package struct EnvironmentValue: Sendable, Hashable, ExpressibleByStringLiteral {
        package var value: String
        package var isSensitive: Bool

        package init(_ value: String, sensitive: Bool = false) {
            self.value = value
            self.isSensitive = sensitive
        }

        package init(stringLiteral value: String) { self.init(value) }

        /// A value that must never appear in a description or log.
        package static func sensitive(_ value: String) -> Self { Self(value, sensitive: true) }
    }

    /// A bare name (looked up on `PATH`) or a path containing `/`.
    package var executable: String
    /// The arguments after the executable name (argv[1...]).
    package var arguments: [String]
    /// Variables set (or overridden) on top of the inherited environment.
    package var environment: [String: EnvironmentValue]
    /// Standard input; `nil` gives the child no input.
    package var standardInput: Input?
    /// Wall-clock limit for this call; `nil` uses the runner's default.
    package var timeout: Duration?

    package init(
        _ executable: String,
        _ arguments: [String] = [],
        environment: [String: EnvironmentValue] = [:],
        standardInput: Input? = nil,
        timeout: Duration? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.standardInput = standardInput
        self.timeout = timeout
    }

    /// The full argv, executable first.
    package var argv: [String] { [executable] + arguments }

    /// A readable, secret-free rendering: `K=V … exe arg…`, sensitive values as `(sensitive)`,
    /// arguments with spaces or quotes single-quoted for reading (this is never executed).
    package var description: String {
        var parts: [String] = environment.keys.sorted().map { key in
            let value = environment[key]!
            return "\(key)=\(value.isSensitive ? "(sensitive)" : Command.quoteForReading(value.value))"
        }
        parts += argv.map(Command.quoteForReading)
        if let standardInput {
            parts.append(standardInput.isSensitive ? "<stdin: (sensitive)>" : "<stdin: \(standardInput.bytes.count) bytes>")
        }
        return parts.joined(separator: " ")
    }

    static func quoteForReading(_ s: String) -> String {
        if !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,@+%".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
