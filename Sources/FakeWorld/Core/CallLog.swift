import Foundation

/// `$FAKEWORLD_HOME/calls.log`: one JSON line per invocation (tool, argv, exit code, duration).
/// Never stdin: secrets travel there.
enum CallLog {
    static func record(home: Home, tool: String, args: [String], code: Int32, started: Date, ended: Date) {
        let ms = Int((ended.timeIntervalSince(started) * 1000).rounded())
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let entry: JSON = [
            "tool": .string(tool),
            "argv": .array(([tool] + args).map(JSON.string)),
            "exitCode": .int(Int(code)),
            "durationMs": .int(ms),
            "start": .string(formatter.string(from: started)),
            "pid": .int(Int(ProcessInfo.processInfo.processIdentifier)),
        ]
        appendLine(entry.compact(), to: home.callLog.path)
    }
}
