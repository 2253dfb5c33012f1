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

    /// `--no-color` was given.
    static let noColorFlag = Mutex(false)

    /// Colour on a TTY unless `--no-color`, NO_COLOR (https://no-color.org) or TERM=dumb.
    static var color: Bool {
        colorAllowed(environment: ProcessInfo.processInfo.environment, noColorFlag: noColorFlag.withLock { $0 }, isTTY: stdoutIsTTY)
    }

    static func colorAllowed(environment env: [String: String], noColorFlag: Bool, isTTY: Bool) -> Bool {
        isTTY && !noColorFlag && (env["NO_COLOR"].map(\.isEmpty) ?? true) && env["TERM"] != "dumb"
    }

    /// The terminal's width in columns (stdout's window size, else $COLUMNS, else 80).
    static var width: Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        return 80
    }

    /// True while `confirm` waits for an answer: a signal then ends the process at once, since
    /// nothing has been changed yet (`readLine` would otherwise hold it until Enter).
    static let prompting = Mutex(false)

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
        prompting.withLock { $0 = true }
        let answer = readLine()
        prompting.withLock { $0 = false }
        // Ctrl-D: end the prompt's line, so what follows starts on a line of its own.
        guard let answer else {
            out("\n")
            return false
        }
        return answer.trimmingCharacters(in: .whitespaces) == "yes"
    }

    /// An ISO-8601 timestamp for plain progress lines.
    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
