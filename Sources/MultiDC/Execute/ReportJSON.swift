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
