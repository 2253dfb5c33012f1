import Foundation

extension JobResult: Encodable {
    private enum Key: String, CodingKey {
        case id, label, group, status, started, ended, duration, attempts, error, blockedBy = "blocked_by"
    }

    /// `{"id":…,"label":…,"group":…,"status":"succeeded","started":0,"ended":1.5,
    /// "duration":1.5,"attempts":1,"error":…}`; times in seconds since the execution started.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(id, forKey: .id)
        try c.encode(label, forKey: .label)
        try c.encodeIfPresent(group, forKey: .group)
        try c.encode(status.rawValue, forKey: .status)
        try c.encodeIfPresent(startedAt.map(ExecutionEvent.seconds), forKey: .started)
        try c.encodeIfPresent(endedAt.map(ExecutionEvent.seconds), forKey: .ended)
        try c.encodeIfPresent(duration.map(ExecutionEvent.seconds), forKey: .duration)
        try c.encode(attempts, forKey: .attempts)
        try c.encodeIfPresent(error, forKey: .error)
        if !blockedBy.isEmpty { try c.encode(blockedBy, forKey: .blockedBy) }
    }
}

extension ExecutionReport: Encodable {
    private enum Key: String, CodingKey {
        case succeeded, wallTime = "wall_time", timedOut = "timed_out", cancelled, jobs
        case criticalPath = "critical_path", criticalPathDuration = "critical_path_duration"
    }

    private struct Step: Encodable {
        let id: String
        let label: String
        let duration: Double
    }

    /// The whole report for `-o json`; durations in seconds.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(succeeded, forKey: .succeeded)
        try c.encode(ExecutionEvent.seconds(wallTime), forKey: .wallTime)
        try c.encode(timedOut, forKey: .timedOut)
        try c.encode(cancelled, forKey: .cancelled)
        try c.encode(jobs, forKey: .jobs)
        try c.encode(
            criticalPath.map { Step(id: $0.id, label: $0.label, duration: ExecutionEvent.seconds($0.duration)) },
            forKey: .criticalPath)
        try c.encode(ExecutionEvent.seconds(criticalPathDuration), forKey: .criticalPathDuration)
    }
}

/// The `-o json` event stream of apply and destroy (multidc.events/v1, specs/events.schema.json):
/// one JSON object per line, each with `event`, `formatVersion` and an RFC 3339 `time`;
/// durations in seconds.
package enum EventStream {
    package static let formatVersion = "multidc.events/v1"

    /// One line (without its newline): `fields` plus `formatVersion` and `time`, keys sorted.
    package static func line(_ fields: [String: Any], time: Date) -> String {
        var fields = fields
        fields["formatVersion"] = formatVersion
        fields["time"] = rfc3339(time)
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return #"{"event":"error","formatVersion":"\#(formatVersion)"}"# }
        return String(decoding: data, as: UTF8.self)
    }

    /// A job's event (`started`, `progress`, `retrying`, `succeeded`, `failed`, `skipped`, `cancelled`).
    package static func fields(_ event: ExecutionEvent) -> [String: Any] {
        object(event) ?? ["event": "unknown"]
    }

    /// The `plan` event: the round, the summary line and the plan document (multidc.plan/v1).
    package static func fields(plan: Plan, round: Int) -> [String: Any] {
        var fields: [String: Any] = ["event": "plan", "round": round, "summary": plan.summaryLine]
        if let document = try? JSONSerialization.jsonObject(with: Data(PlanDocument.json(plan).utf8)) { fields["plan"] = document }
        return fields
    }

    /// The `report` event: the execution report of a round.
    package static func fields(report: ExecutionReport) -> [String: Any] {
        ["event": "report", "report": object(report) ?? [:]]
    }

    /// The `provenance` event: what apply recorded (the fields of status's `provenance`), the
    /// clusters it was written on and, for the others, why not (`errors`).
    package static func fields(provenance write: ProvenanceWrite) -> [String: Any] {
        let p = write.provenance
        var fields: [String: Any] = [
            "event": "provenance", "clusters": write.clusters,
            "provenance": [
                "specSHA256": p.specDigest, "commit": p.commit ?? NSNull(), "dirty": p.dirty.map { $0 as Any } ?? NSNull(),
                "source": p.source, "version": p.version, "time": p.time,
            ] as [String: Any],
        ]
        if !write.failures.isEmpty { fields["errors"] = write.failures.keys.sorted().map { "cluster \($0): \(write.failures[$0]!)" } }
        return fields
    }

    /// `2026-11-29T15:18:45.123Z`.
    package static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    private static func object(_ value: some Encodable) -> [String: Any]? {
        guard let data = try? JSONEncoder().encode(value) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
}
