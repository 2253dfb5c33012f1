extension ExecutionReport {
    /// The closing summary as plain text: one aligned row per job (JOB GROUP STATUS DURATION
    /// ATTEMPTS ERROR), then the critical path and the wall time. Durations in Go style.
    package func renderSummary() -> String {
        var rows = [["JOB", "GROUP", "STATUS", "DURATION", "ATTEMPTS", "ERROR"]]
        for job in jobs {
            rows.append([
                job.label, job.group ?? "-", job.status.rawValue,
                job.duration.map(DurationText.format) ?? "-",
                job.attempts == 0 ? "-" : String(job.attempts),
                job.error ?? "",
            ])
        }
        var text = TextTable.render(rows)
        if !criticalPath.isEmpty {
            text +=
                "critical path (\(DurationText.format(criticalPathDuration))): "
                + criticalPath.map { "\($0.label) \(DurationText.format($0.duration))" }.joined(separator: " → ") + "\n"
        }
        var outcome = "wall time \(DurationText.format(wallTime))"
        if timedOut { outcome += ", timed out" }
        if cancelled { outcome += ", cancelled" }
        let counts = JobStatus.allCases.compactMap { status -> String? in
            let n = jobs.filter { $0.status == status }.count
            return n == 0 ? nil : "\(n) \(status.rawValue)"
        }
        text += outcome + ": " + counts.joined(separator: ", ") + "\n"
        return text
    }
}

extension ExecutionEvent: Encodable {
    private enum Key: String, CodingKey {
        case elapsed, job, label, group, event, attempt, delay, message, error, blockedBy = "blocked_by", timedOut = "timed_out"
    }

    /// One flat JSON object per event for `-o json`: `{"elapsed":1.5,"event":"retrying",
    /// "job":"…","label":"…","group":"primary","attempt":1,"delay":2,"message":"…"}`;
    /// durations in seconds.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(Self.seconds(elapsed), forKey: .elapsed)
        try c.encode(jobID, forKey: .job)
        try c.encode(label, forKey: .label)
        try c.encodeIfPresent(group, forKey: .group)
        switch kind {
        case .started(let attempt):
            try c.encode("started", forKey: .event)
            try c.encode(attempt, forKey: .attempt)
        case .progress(let message):
            try c.encode("progress", forKey: .event)
            try c.encode(message, forKey: .message)
        case .retrying(let attempt, let delay, let reason):
            try c.encode("retrying", forKey: .event)
            try c.encode(attempt, forKey: .attempt)
            try c.encode(Self.seconds(delay), forKey: .delay)
            try c.encode(reason, forKey: .message)
        case .succeeded:
            try c.encode("succeeded", forKey: .event)
        case .failed(let error):
            try c.encode("failed", forKey: .event)
            try c.encode(error, forKey: .error)
        case .skipped(let blockedBy):
            try c.encode("skipped", forKey: .event)
            try c.encode(blockedBy, forKey: .blockedBy)
        case .cancelled(let timedOut):
            try c.encode("cancelled", forKey: .event)
            try c.encode(timedOut, forKey: .timedOut)
        }
    }

    static func seconds(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) + Double(atto) / 1e18
    }
}
