extension ExecutionReport {
    /// One line per cause of a cascade: the job that did not succeed and how many jobs were
    /// skipped because of it (transitively), in the order the causes first appear.
    package var skippedCauses: [(cause: JobResult, count: Int)] {
        var byID: [String: JobResult] = [:]
        for job in jobs { byID[job.id] = job }
        func root(_ job: JobResult) -> JobResult {
            var current = job
            var seen: Set<String> = []
            while current.status == .skipped, let next = current.blockedBy.first.flatMap({ byID[$0] }), seen.insert(next.id).inserted {
                current = next
            }
            return current
        }
        var order: [String] = []
        var counts: [String: (JobResult, Int)] = [:]
        for job in jobs where job.status == .skipped {
            let cause = root(job)
            if counts[cause.id] == nil { order.append(cause.id) }
            counts[cause.id, default: (cause, 0)].1 += 1
        }
        return order.compactMap { counts[$0] }.map { (cause: $0.0, count: $0.1) }
    }

    /// `7 skipped: blocked by + kind cluster p4`, one line per cause.
    package var skippedLines: [String] {
        skippedCauses.map { "\($0.count) skipped: blocked by \($0.cause.label)" }
    }

    /// The closing summary as plain text, at most `width` columns wide: one aligned row per job
    /// that ran or was cancelled (JOB GROUP STATUS TIME TRIES; long job labels are clipped with
    /// `…`), one line per cause for the jobs a failure skipped, the critical path and the wall
    /// time with the counts. Durations as people read them (`1.46s`, `2m05s`).
    package func renderSummary(width: Int = 80) -> String {
        var rows = [["JOB", "GROUP", "STATUS", "TIME", "TRIES"]]
        for job in jobs where job.status != .skipped {
            rows.append([
                job.label, job.group ?? "-", job.status.rawValue,
                job.duration.map(DurationText.human) ?? "-",
                job.attempts == 0 ? "-" : String(job.attempts),
            ])
        }
        var text = TextTable.render(rows, width: width)
        for line in skippedLines { text += line + "\n" }
        if !criticalPath.isEmpty {
            var line =
                "critical path (\(DurationText.human(criticalPathDuration))): "
                + criticalPath.map { "\($0.label) \(DurationText.human($0.duration))" }.joined(separator: " → ")
            if line.count > width { line = String(line.prefix(width - 1)) + "…" }
            text += line + "\n"
        }
        var outcome = "wall time \(DurationText.human(wallTime))"
        if timedOut { outcome += ", timed out" }
        if cancelled { outcome += ", cancelled" }
        let counts = JobStatus.allCases.compactMap { status -> String? in
            let n = jobs.filter { $0.status == status }.count
            return n == 0 ? nil : "\(n) \(status.rawValue)"
        }
        text += outcome + ": \(jobs.count) step\(jobs.count == 1 ? "" : "s"), " + counts.joined(separator: ", ") + "\n"
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
