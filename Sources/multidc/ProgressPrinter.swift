import Foundation
import MultiDC
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Shows execution events: a live per-cluster view on a TTY, timestamped plain lines on a
/// pipe, one JSON object per line with `-o json` (multidc.events/v1, every line with `event`,
/// `time` and `formatVersion`).
///
/// The live view redraws in place: one line per cluster, each clipped to the terminal's width so
/// that every line takes exactly one row (the cursor moves up by the rows it drew, which is then
/// the number of lines), showing step N of M of that cluster, the running step and its elapsed
/// time, ticking once a second.
final class ProgressPrinter: Sendable {
    enum Mode { case live, plain, json }

    let mode: Mode
    private let color: Bool
    /// The terminal's width, asked at each redraw (a resize takes effect at the next tick).
    private let width: @Sendable () -> Int
    private let now: @Sendable () -> Date

    /// What the live view shows for one group (a cluster, or `global`).
    struct Line: Sendable, Equatable {
        var group: String
        var label = ""
        var status = ""
        /// Steps of this group started so far (the running one included).
        var started = 0
        var finished = 0
        /// Steps of this group in the plan (0: unknown).
        var total = 0
        /// When the shown step started, while it runs.
        var runningSince: Date?
        var failed = false
    }

    struct LiveState: Sendable {
        var lines: [Line] = []
        var totals: [String: Int] = [:]
        /// Rows drawn by the last redraw (the cursor is below them).
        var drawn = 0
    }
    private let live = Mutex(LiveState())
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    init(
        mode: Mode, color: Bool, width: @escaping @Sendable () -> Int = { Terminal.width },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.mode = mode
        self.color = color
        self.width = width
        self.now = now
    }

    static func forOutput(_ output: OutputFormat) -> ProgressPrinter {
        switch output {
        case .json: ProgressPrinter(mode: .json, color: false)
        case .text: ProgressPrinter(mode: Terminal.stdoutIsTTY ? .live : .plain, color: Terminal.color)
        }
    }

    var isJSON: Bool { mode == .json }

    /// The plan about to run: how many steps each cluster has (for "step N of M").
    func expect(_ plan: Plan) {
        var totals: [String: Int] = [:]
        for action in plan.changes { totals[action.cluster ?? "global", default: 0] += 1 }
        live.withLock { state in
            state.totals = totals
            state.lines = []
            state.drawn = 0
        }
    }

    func handle(_ event: ExecutionEvent) {
        switch mode {
        case .json:
            jsonEvent(EventStream.fields(event))
        case .plain:
            Terminal.out("\(Terminal.timestamp()) [\(event.group ?? "global")] \(event.label): \(Self.describe(event.kind))\n")
        case .live:
            let screen = live.withLock { state -> String in
                Self.apply(event, to: &state, at: now())
                return redraw(&state)
            }
            Terminal.out(screen)
            startTicking()
        }
    }

    /// Updates the live state with one event.
    static func apply(_ event: ExecutionEvent, to state: inout LiveState, at time: Date) {
        let group = event.group ?? "global"
        var index = state.lines.firstIndex { $0.group == group }
        if index == nil {
            state.lines.append(Line(group: group, total: state.totals[group] ?? 0))
            index = state.lines.count - 1
        }
        guard let i = index else { return }
        var line = state.lines[i]
        switch event.kind {
        case .started(let attempt):
            if attempt == 1 { line.started += 1 }
            line.label = event.label
            line.runningSince = time
            line.status = attempt == 1 ? "" : "attempt \(attempt)"
        case .progress, .retrying:
            line.label = event.label
            line.status = describe(event.kind)
        case .succeeded:
            line.finished += 1
            if line.label == event.label {
                line.runningSince = nil
                line.status = "done"
            }
        case .failed, .cancelled:
            line.finished += 1
            line.failed = true
            line.label = event.label
            line.runningSince = nil
            line.status = describe(event.kind)
        case .skipped:
            line.finished += 1
        }
        line.total = max(line.total, line.started)
        state.lines[i] = line
    }

    /// The live view's lines (without colour), each at most `width - 1` columns.
    static func render(_ state: LiveState, width: Int, at time: Date) -> [String] {
        let nameWidth = state.lines.map(\.group.count).max() ?? 0
        let limit = max(20, width - 1)
        return state.lines.map { line in
            let name = line.group + String(repeating: " ", count: nameWidth - line.group.count)
            let total = line.total > 0 ? line.total : line.started
            var text: String
            if line.finished >= total, line.runningSince == nil, !line.failed {
                text = "\(name)  \(total)/\(total) done"
            } else {
                text = "\(name)  step \(max(1, line.started)) of \(total)  \(line.label)"
                if let since = line.runningSince {
                    text += "  " + ticking(time.timeIntervalSince(since))
                }
                if !line.status.isEmpty { text += "  " + line.status }
            }
            return clip(text, to: limit)
        }
    }

    /// Whole seconds, as a running clock: `0s`, `42s`, `2m05s`.
    static func ticking(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s" }
        let rest = s % 60
        return "\(s / 60)m\(rest < 10 ? "0" : "")\(rest)s"
    }

    /// `text` cut to `limit` characters, ending in `…` when cut.
    static func clip(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(max(0, limit - 1))) + "…"
    }

    /// Moves the cursor up over the last drawing and draws the lines again; call with the lock held.
    private func redraw(_ state: inout LiveState) -> String {
        guard !state.lines.isEmpty else { return "" }
        var screen = ""
        if state.drawn > 0 { screen += "\u{1B}[\(state.drawn)A" }
        for text in Self.render(state, width: width(), at: now()) {
            var shown = text
            if color, let space = text.firstIndex(of: " ") {
                shown = "\u{1B}[1m" + text[..<space] + "\u{1B}[0m" + text[space...]
            }
            screen += "\r\u{1B}[2K\(shown)\n"
        }
        state.drawn = state.lines.count
        return screen
    }

    /// Redraws once a second while a step runs, so elapsed times tick.
    private func startTicking() {
        ticker.withLock { task in
            guard task == nil else { return }
            task = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    guard let self, !Task.isCancelled else { return }
                    let screen = self.live.withLock { state -> String in
                        guard state.lines.contains(where: { $0.runningSince != nil }) else { return "" }
                        return self.redraw(&state)
                    }
                    if !screen.isEmpty { Terminal.out(screen) }
                }
            }
        }
    }

    /// Ends the live view (stops the ticking); later output goes below it.
    func finish() {
        ticker.withLock { task in
            task?.cancel()
            task = nil
        }
        guard mode == .live else { return }
        let screen = live.withLock { state -> String in
            for i in state.lines.indices { state.lines[i].runningSince = nil }
            let text = redraw(&state)
            state = LiveState()
            return text
        }
        Terminal.out(screen)
    }

    /// A line outside the event stream (phase changes, the plan's round).
    func note(_ text: String) {
        switch mode {
        case .json: break
        case .plain: Terminal.out("\(Terminal.timestamp()) \(text)\n")
        case .live:
            live.withLock { state in
                state.drawn = 0
                state.lines = []
            }
            Terminal.out(text + "\n")
        }
    }

    /// A JSON event of the command itself (plan, health, outcome) in `-o json` mode, with the
    /// format version and an RFC 3339 `time` added.
    func jsonEvent(_ fields: [String: Any]) {
        guard mode == .json else { return }
        Terminal.out(EventStream.line(fields, time: now()) + "\n")
    }

    static func describe(_ kind: ExecutionEvent.Kind) -> String {
        switch kind {
        case .started(let attempt): return attempt == 1 ? "started" : "attempt \(attempt)"
        case .progress(let message): return routine(message)
        case .retrying(let attempt, let delay, let reason):
            return "attempt \(attempt) failed (\(routine(reason))); retrying in \(DurationText.human(delay))"
        case .succeeded: return "done"
        case .failed(let error): return "FAILED: \(error)"
        case .skipped(let blockedBy): return "skipped (waits for \(blockedBy.joined(separator: ", ")))"
        case .cancelled(let timedOut): return timedOut ? "cancelled: overall --timeout" : "cancelled"
        }
    }

    /// A poll's answer as what it is — not ready yet — rather than as the error text the tool
    /// printed for it (`kubectl wait`'s `error: timed out waiting for the condition`).
    static func routine(_ message: String) -> String {
        message
            .replacingOccurrences(of: "error: timed out waiting for the condition", with: "not ready yet")
            .replacingOccurrences(of: ": error: ", with: ": ")
    }
}
