import Foundation
import MultiDC
import Synchronization

/// Shows execution events: a live per-cluster view on a TTY, timestamped plain lines on a
/// pipe, one JSON object per line with `-o json`.
final class ProgressPrinter: Sendable {
    enum Mode { case live, plain, json }

    private let mode: Mode
    private let color: Bool
    private struct LiveState {
        var lines: [String: String] = [:]
        var order: [String] = []
        var drawn = 0
    }
    private let live = Mutex(LiveState())

    init(mode: Mode, color: Bool) {
        self.mode = mode
        self.color = color
    }

    static func forOutput(_ output: OutputFormat) -> ProgressPrinter {
        switch output {
        case .json: ProgressPrinter(mode: .json, color: false)
        case .text: ProgressPrinter(mode: Terminal.stdoutIsTTY ? .live : .plain, color: Terminal.color)
        }
    }

    var isJSON: Bool { mode == .json }

    func handle(_ event: ExecutionEvent) {
        switch mode {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(event) { Terminal.out(String(decoding: data, as: UTF8.self) + "\n") }
        case .plain:
            Terminal.out("\(Terminal.timestamp()) [\(event.group ?? "global")] \(event.label): \(Self.describe(event.kind))\n")
        case .live:
            let group = event.group ?? "global"
            let text = "[\(DurationText.format(.seconds(event.elapsed.components.seconds)))] \(event.label): \(Self.describe(event.kind))"
            live.withLock { state in
                if state.lines[group] == nil { state.order.append(group) }
                state.lines[group] = text
                var screen = ""
                if state.drawn > 0 { screen += "\u{1B}[\(state.drawn)A" }
                let width = state.order.map(\.count).max() ?? 0
                for g in state.order {
                    let padded = g + String(repeating: " ", count: width - g.count)
                    let name = color ? "\u{1B}[1m\(padded)\u{1B}[0m" : padded
                    screen += "\u{1B}[2K  \(name)  \(state.lines[g] ?? "")\n"
                }
                state.drawn = state.order.count
                Terminal.out(screen)
            }
        }
    }

    /// A line outside the event stream (phase changes, the plan's round).
    func note(_ text: String) {
        switch mode {
        case .json: break
        case .plain: Terminal.out("\(Terminal.timestamp()) \(text)\n")
        case .live:
            live.withLock { state in
                state.drawn = 0
                state.lines = [:]
                state.order = []
            }
            Terminal.out(text + "\n")
        }
    }

    /// A JSON event of the command itself (plan, health, outcome) in `-o json` mode.
    func jsonEvent(_ fields: [String: Any]) {
        guard mode == .json,
            let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        Terminal.out(String(decoding: data, as: UTF8.self) + "\n")
    }

    static func describe(_ kind: ExecutionEvent.Kind) -> String {
        switch kind {
        case .started(let attempt): return attempt == 1 ? "started" : "attempt \(attempt)"
        case .progress(let message): return message
        case .retrying(let attempt, let delay, let reason):
            return "attempt \(attempt) failed (\(reason)); retrying in \(DurationText.format(delay))"
        case .succeeded: return "done"
        case .failed(let error): return "FAILED: \(error)"
        case .skipped(let blockedBy): return "skipped (waits for \(blockedBy.joined(separator: ", ")))"
        case .cancelled(let timedOut): return timedOut ? "cancelled: overall timeout" : "cancelled"
        }
    }
}
