import Foundation

/// `$FAKEWORLD_HOME/calls.log`: one JSON line per invocation (tool, argv, exit code, duration).
/// Never stdin: secrets travel there.
enum CallLog {
    static func record(home: Home, tool: String, args: [String], code: Int32, started: Date, ended: Date) {
        let ms = Int((ended.timeIntervalSince(started) * 1000).rounded())
        let entry: JSON = [
            "tool": .string(tool),
            "argv": .array(([tool] + args).map(JSON.string)),
            "exitCode": .int(Int(code)),
            "durationMs": .int(ms),
            "start": .string(iso(started)),
            "pid": .int(Int(ProcessInfo.processInfo.processIdentifier)),
        ]
        appendLine(entry.compact(), to: home.callLog.path)
    }

    /// One image pull by a node's kubelet, logged when the pull is scheduled (its start may lie ahead):
    /// `{"argv":["kubelet","pull",REF],"cluster":C,"durationMs":MS,"exitCode":0,"image":NORMALIZED,
    /// "node":N,"pid":P,"start":ISO,"tool":"kubelet"}`; REF as the pod spec writes it. Pulls never fail.
    static func recordPull(home: Home, ref: String, normalized: String, node: String, cluster: String, start: Double, seconds: Double) {
        let entry: JSON = [
            "tool": "kubelet",
            "argv": ["kubelet", "pull", .string(ref)],
            "node": .string(node),
            "cluster": .string(cluster),
            "image": .string(normalized),
            "exitCode": 0,
            "durationMs": .int(Int((seconds * 1000).rounded())),
            "start": .string(iso(Date(timeIntervalSince1970: start))),
            "pid": .int(Int(ProcessInfo.processInfo.processIdentifier)),
        ]
        appendLine(entry.compact(), to: home.callLog.path)
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
