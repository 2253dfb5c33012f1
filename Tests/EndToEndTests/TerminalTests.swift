import Foundation
import MultiDC
import Testing

/// Issue 11 end to end: the built multidc in a real terminal (tmux) and under signals.
extension EndToEndTests {
    /// The world's environment with a private TMPDIR, so that a test sees every temporary file
    /// multidc makes.
    static func privateTemp(_ w: E2EWorld) throws -> (dir: URL, env: [String: String]) {
        let dir = w.dir.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (dir, ["TMPDIR": dir.path])
    }

    static func multidcFiles(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix("multidc-") }
    }

    static func shellLine(_ w: E2EWorld, _ args: [String]) -> String {
        ([w.binDir.appendingPathComponent("multidc").path] + args).map { "'\($0)'" }.joined(separator: " ")
    }

    /// Live lines: `<cluster>  step N of M  …` or `<cluster>  N/N done`.
    static func liveLines(_ screen: String, groups: [String]) -> [String] {
        screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { line in
            groups.contains { group in
                line.hasPrefix(group + " ") && (line.contains(" step ") || line.firstMatch(of: /^\S+ +\d+\/\d+ done$/) != nil)
            }
        }
    }

    @Test("(t1) the live view under tmux at 80 and 160 columns: clipped, in place, ticking, step N of M, no errors")
    func liveViewInTmux() async throws {
        guard requireTmux() else { return }
        try await withWorld { w in
            let groups = w.clusterNames + ["global"]
            // The view is what is tested, not the Raft verdict: a short health wait ends the run.
            let spec = try String(contentsOfFile: w.specPath, encoding: .utf8)
            try #require(spec.contains("timeout: 10m"), "\(spec)")
            try spec.replacingOccurrences(of: "timeout: 10m", with: "timeout: 3s").write(
                toFile: w.specPath, atomically: true, encoding: .utf8)
            for (width, command) in [(80, ["apply", w.specPath, "--yes"]), (160, ["destroy", w.specPath, "--yes"])] {
                let pane = try TmuxPane(
                    Self.shellLine(w, command), width: width,
                    environment: w.env(["FAKEWORLD_LATENCY": "cluster-create=3s"]))
                defer { pane.close() }
                var seconds: [String: Set<String>] = [:]
                var stepLines = 0
                try pane.waitFor(
                    each: { screen in
                        for line in Self.liveLines(screen, groups: groups) {
                            // -J joins wrapped rows: a line wider than the pane would show here.
                            #expect(line.count < width, "\(width) columns: \(line)")
                            if let m = line.firstMatch(of: /step \d+ of \d+  (.+?)  (\d+)s/) {
                                seconds[String(m.1), default: []].insert(String(m.2))
                                stepLines += 1
                            }
                        }
                    }, { $0.contains("EXIT=") })
                let status = try pane.exitStatus()
                let transcript = pane.capture(history: true)
                #expect(status == 0 || transcript.contains("did not pass within health.raft.timeout"), "\(transcript)")
                #expect(stepLines > 0, "no `step N of M` line was seen\n\(transcript)")
                // Redrawn in place: each cluster's line is left once, not once per redraw.
                for group in w.clusterNames {
                    let lines = Self.liveLines(transcript, groups: [group])
                    #expect(lines.count == 1, "\(group) at \(width) columns: \(lines)\n\(transcript)")
                }
                // Polls are progress, never errors: nothing says error until the run's own ending.
                let run = transcript.components(separatedBy: "\nJOB ").first ?? transcript
                #expect(!run.contains("error"), "\(run)")
                let steps = try #require(transcript.firstMatch(of: /(\d+) steps, (\d+) succeeded/), "\(transcript)")
                #expect(steps.1 == steps.2, "every step succeeded\n\(transcript)")
                if command[0] == "apply" {
                    // kind create cluster takes 3s here: its elapsed time was seen ticking.
                    #expect(seconds.values.contains { $0.count >= 2 }, "\(seconds)\n\(transcript)")
                }
            }
        }
    }

    @Test("(t2) Ctrl-C at the confirmation prompt exits 130 at once; Ctrl-D ends the prompt's line")
    func promptKeys() async throws {
        guard requireTmux() else { return }
        try await withWorld { w in
            let (tmp, tmpEnv) = try Self.privateTemp(w)
            for (key, expected) in [("C-c", Int32(130)), ("C-d", 1)] {
                let pane = try TmuxPane(Self.shellLine(w, ["apply", w.specPath]), width: 120, environment: w.env(tmpEnv))
                defer { pane.close() }
                try pane.waitFor { $0.contains("Only 'yes' will be accepted:") }
                pane.send(key)
                let status = try pane.exitStatus(seconds: 60)
                let transcript = pane.capture(history: true)
                #expect(status == expected, "\(key)\n\(transcript)")
                let lines = transcript.split(separator: "\n").map(String.init)
                let prompt = (lines.first { $0.contains("Only 'yes' will be accepted:") } ?? "").trimmingCharacters(in: .whitespaces)
                #expect(prompt.hasSuffix("Only 'yes' will be accepted:") || prompt.hasSuffix("accepted: ^C"), "\(key): \(prompt)")
                if key == "C-c" {
                    #expect(transcript.contains("interrupted at the prompt: nothing was changed"), "\(transcript)")
                } else {
                    #expect(lines.contains { $0.hasPrefix("Apply cancelled") }, "\(transcript)")
                }
                #expect(w.containers(["name=\(w.id)"]).isEmpty, "nothing was created")
            }
            #expect(Self.multidcFiles(tmp) == [])
        }
    }

    @Test("(t3) SIGHUP during apply: handled like SIGTERM, no tool left running, no temporary file left")
    func hangupDuringApply() async throws {
        try await withWorld { w in
            let (tmp, tmpEnv) = try Self.privateTemp(w)
            let running = try w.startMultidc(
                "apply", ["--yes"], env: tmpEnv.merging(["FAKEWORLD_LATENCY": "cluster-create=30s"]) { $1 })
            try Self.waitForNodeContainer(w, running)
            // kind create cluster runs with its config in a temporary file.
            #expect(!Self.multidcFiles(tmp).isEmpty, "the kind config file exists while kind runs")
            kill(running.pid, SIGHUP)
            let r = running.wait(timeout: 120)
            #expect(r.exitCode == 129 && !r.signalled, "\(r)")
            #expect(r.stderr.contains("interrupted: stopped running tools"), "\(r)")
            let processes = w.run(["ps", "-eo", "args"]).stdout.split(separator: "\n").filter {
                $0.contains("create cluster") && $0.contains("e\(w.id)-")
            }
            #expect(processes.isEmpty, "\(processes)")
            #expect(Self.multidcFiles(tmp) == [])
            let lock = try TopologyLock.acquire(
                topology: w.topology, command: "test", directory: w.dir.appendingPathComponent("state/locks").path)
            lock.release()
        }
    }
}

extension EndToEndTests {
    @Test("(t4) --timeout 2s is reported as 2s, durations rounded, no temporary file left")
    func overallTimeoutSaysWhatWasGiven() async throws {
        try await withWorld { w in
            let (tmp, tmpEnv) = try Self.privateTemp(w)
            let r = w.multidc(
                "apply", ["--yes", "--timeout", "2s"], env: tmpEnv.merging(["FAKEWORLD_LATENCY": "cluster-create=30s"]) { $1 })
            #expect(r.exitCode == 1, "\(r)")
            #expect(r.stderr.contains("error: the overall --timeout ran out (--timeout 2s)"), "\(r)")
            #expect((r.stdout + r.stderr).firstMatch(of: /\d\.\d{4,}s/) == nil, "durations are rounded\n\(r)")
            #expect(!r.stdout.contains("No changes"), "\(r)")
            #expect(Self.multidcFiles(tmp) == [])
        }
    }
}
