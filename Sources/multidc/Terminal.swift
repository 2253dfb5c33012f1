import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What the commands know about their terminal: TTY or pipe, colour (NO_COLOR honoured), and
/// how to ask a yes/no question.
enum Terminal {
    static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stdinIsTTY: Bool { isatty(STDIN_FILENO) == 1 }

    /// Colour on a TTY unless NO_COLOR is set (https://no-color.org).
    static var color: Bool {
        let env = ProcessInfo.processInfo.environment
        return stdoutIsTTY && env["NO_COLOR"].map(\.isEmpty) ?? true && env["TERM"] != "dumb"
    }

    /// Where `out` and `err` write instead of the process's streams (in-process CLI tests).
    @TaskLocal static var capture: Capture?

    /// Captured standard output and standard error.
    final class Capture: Sendable {
        private let streams = Mutex((out: "", err: ""))
        var out: String { streams.withLock { $0.out } }
        var err: String { streams.withLock { $0.err } }
        func write(out text: String) { streams.withLock { $0.out += text } }
        func write(err text: String) { streams.withLock { $0.err += text } }
    }

    /// Writes to stdout through `Output` (never traps; a failure sets the exit code).
    static func out(_ text: String) {
        if let capture { return capture.write(out: text) }
        Output.write(text, to: .out)
    }

    /// Writes a line to stderr through `Output`.
    static func err(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        if let capture { return capture.write(err: line) }
        Output.write(line, to: .err)
    }

    /// Asks on the terminal; true only for "yes".
    static func confirm(_ question: String) -> Bool {
        out("\(question) Only 'yes' will be accepted: ")
        guard let answer = readLine() else { return false }
        return answer.trimmingCharacters(in: .whitespaces) == "yes"
    }

    /// An ISO-8601 timestamp for plain progress lines.
    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
