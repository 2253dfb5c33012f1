import Foundation

/// What one invocation of a tool produced: the executable writes these out and exits with `code`.
package struct ToolResult: Sendable, Equatable {
    package var stdout: String
    package var stderr: String
    package var code: Int32
    package init(stdout: String = "", stderr: String = "", code: Int32 = 0) {
        self.stdout = stdout
        self.stderr = stderr
        self.code = code
    }
}

/// A failure that ends the invocation: the text goes to stderr verbatim (newline added when missing).
struct ToolFailure: Error {
    var stderr: String
    var code: Int32 = 1
    var stdout: String = ""
}

/// Everything an invocation may read from its surroundings; tests build one by hand.
package struct Invocation: Sendable {
    package var tool: String
    package var args: [String]
    package var environment: [String: String]
    /// Read on demand (apply -f -, exec -i, create cluster --config -): the executable passes a reader.
    package var readStdin: @Sendable () -> Data
    package var now: @Sendable () -> Date

    package init(
        tool: String, args: [String], environment: [String: String],
        readStdin: @escaping @Sendable () -> Data = { Data() },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.tool = tool
        self.args = args
        self.environment = environment
        self.readStdin = readStdin
        self.now = now
    }
}

/// Accumulates the two output streams of a command.
final class Output {
    var out = ""
    var err = ""
    func say(_ line: String) { out += line.hasSuffix("\n") ? line : line + "\n" }
    func warn(_ line: String) { err += line.hasSuffix("\n") ? line : line + "\n" }
    func result(_ code: Int32 = 0) -> ToolResult { ToolResult(stdout: out, stderr: err, code: code) }
}
