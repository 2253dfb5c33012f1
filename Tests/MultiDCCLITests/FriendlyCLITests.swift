import ArgumentParser
import Foundation
import MultiDC
import MultiDCTestSupport
import Testing

@testable import multidc

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 11: endings, counts, machine-readable output and conventions of the command line,
/// in-process against a scripted world.
@Suite struct FriendlyEndingsTests {
    static func engineDown(_ runner: ScriptedRunner) {
        runner.on(
            ["docker"], exitCode: 1,
            stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n")
    }

    @Test func noPlanAndNoNoChangesAfterAFatalError() async throws {
        let spec = try CLIFixture.write()
        for command in [["diff"], ["apply", "--yes"], ["destroy", "--yes"]] {
            let result = await CLI.run(
                [command[0], spec.path] + command.dropFirst(),
                session: CLIFixture.session(CLIFixture.emptyWorld(overrides: Self.engineDown)))
            #expect(result.exitCode == 1, "\(command)")
            #expect(!result.stdout.contains("No changes"), "\(command): \(result.stdout)")
            #expect(!result.stdout.contains("Plan:"), "\(command): \(result.stdout)")
            #expect(result.stderr.contains("plan unavailable: 1 error\n"), "\(command): \(result.stderr)")
            // One error line per cause, not one per cluster.
            #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 1, "\(result.stderr)")
        }
    }

    @Test func aFailureCascadeIsOneLinePerCause() async throws {
        let spec = try CLIFixture.write()
        let runner = CLIFixture.emptyWorld { runner in
            runner.on(["kind", "create", "cluster", "--name", "tertiary"], exitCode: 1, stderr: "ERROR: failed to create cluster: boom\n")
        }
        let result = await CLI.run(["apply", spec.path, "--yes"], session: CLIFixture.session(runner))
        #expect(result.exitCode == 1)
        #expect(!result.stderr.contains("did not succeed"), "\(result.stderr)")
        let skipped = result.stderr.split(separator: "\n").filter { $0.contains(" skipped: blocked by ") }
        #expect(skipped.count == 1, "\(result.stderr)")
        #expect(skipped.first?.hasSuffix("skipped: blocked by + kind cluster tertiary") == true, "\(result.stderr)")
        #expect(result.stdout.contains(skipped.first.map(String.init) ?? "?"), "the summary says it too\n\(result.stdout)")
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1, "\(result.stderr)")
    }

    @Test func thePlansStepCountIsTheReportsStepCount() async throws {
        let spec = try CLIFixture.write()
        let result = await CLI.run(["apply", spec.path, "--yes"], session: CLIFixture.session(CLIFixture.emptyWorld()))
        #expect(result.exitCode == 0, "\(result.stderr)")
        let planned = try #require(result.stdout.firstMatch(of: /Runs as (\d+) steps/)?.1, "\(result.stdout)")
        let ran = try #require(result.stdout.firstMatch(of: /wall time [^:]+: (\d+) steps, (\d+) succeeded/), "\(result.stdout)")
        #expect(planned == ran.1)
        #expect(ran.1 == ran.2)
    }

    @Test func theSummaryFits80ColumnsAndDurationsAreRounded() async throws {
        let spec = try CLIFixture.write()
        let result = await CLI.run(["apply", spec.path, "--yes"], session: CLIFixture.session(CLIFixture.emptyWorld()))
        let summary = try #require(result.stdout.range(of: "JOB ").map { String(result.stdout[$0.lowerBound...]) })
        let table = summary.split(separator: "\n").prefix { !$0.hasPrefix("critical path") && !$0.hasPrefix("wall time") }
        #expect(table.count > 20)
        #expect(table.allSatisfy { $0.count <= 80 }, "\(table.filter { $0.count > 80 })")
        #expect(summary.firstMatch(of: /\d\.\d{4,}s/) == nil, "no nanoseconds\n\(summary)")
    }
}

/// `-o json` documents: versions, typed values, events with `event` and `time`.
@Suite struct MachineReadableOutputTests {
    @Test func validateJSONCarriesItsFormatVersion() async throws {
        let spec = try CLIFixture.write()
        let result = await CLI.run(["validate", spec.path, "-o", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["formatVersion"] as? String == "multidc.validate/v1")
    }

    @Test func statusJSONIsTyped() async throws {
        let spec = try CLIFixture.write()
        let result = await CLI.run(["status", spec.path, "-o", "json"], session: CLIFixture.session(CLIFixture.emptyWorld()))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["formatVersion"] as? String == "multidc.status/v2")
        #expect(json["healthy"] is Bool)
        let clusters = try #require(json["clusters"] as? [[String: Any]])
        #expect(clusters.count == 3)
        for cluster in clusters {
            #expect(cluster["sealed"] as? Bool == false)
            #expect(cluster["appliedIndex"] as? Int == 120)
            #expect(cluster["reachable"] as? Bool == false)
            #expect(cluster["operator"] as? String == "unknown", "not read, so not absent: \(cluster)")
        }
        let network = try #require(json["network"] as? [String: Any])
        #expect(network["name"] as? String == "multidc-test")
        #expect(network["state"] as? String == "absent")
        let kms = try #require(json["kms"] as? [String: Any])
        #expect(kms["name"] as? String == "central-vault")
        #expect((json["docker"] as? [String: Any])?["reachable"] as? Bool == true)
    }

    @Test func statusNamesDockerWhenItIsDown() async throws {
        let spec = try CLIFixture.write()
        let result = await CLI.run(
            ["status", spec.path], session: CLIFixture.session(CLIFixture.emptyWorld(overrides: FriendlyEndingsTests.engineDown)))
        #expect(result.stdout.contains("docker: the Docker engine does not answer"), "\(result.stdout)")
        #expect(result.stdout.contains("network  multidc-test   unknown"), "\(result.stdout)")
        #expect(result.stdout.contains("KMS      central-vault  unknown"), "\(result.stdout)")
        #expect(!result.stdout.contains("absent"), "\(result.stdout)")
    }

    @Test func everyApplyEventHasEventTimeAndVersion() async throws {
        let spec = try CLIFixture.write()
        let result = await CLI.run(["apply", spec.path, "--yes", "-o", "json"], session: CLIFixture.session(CLIFixture.emptyWorld()))
        #expect(result.exitCode == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count > 20)
        var kinds: Set<String> = []
        for line in lines {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(json["formatVersion"] as? String == "multidc.events/v1", "\(line)")
            let time = try #require(json["time"] as? String, "\(line)")
            #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/) != nil, "\(time)")
            kinds.insert(try #require(json["event"] as? String, "\(line)"))
            if json["event"] as? String == "plan" {
                #expect((json["plan"] as? [String: Any])?["formatVersion"] as? String == "multidc.plan/v1")
            }
        }
        #expect(kinds.isSuperset(of: ["plan", "started", "succeeded", "report", "outcome", "health"]), "\(kinds)")
    }
}

/// Flags every command-line tool has.
@Suite struct ConventionTests {
    @Test func noColorIsAFlagOfEveryCommand() throws {
        for command in ["validate", "render", "diff", "apply", "status", "destroy"] {
            let parsed = try Multidc.parseAsRoot([command, "s.yaml", "--no-color"])
            #expect(parsed is any ParsableCommand)
        }
        #expect(!Terminal.colorAllowed(environment: [:], noColorFlag: true, isTTY: true))
        #expect(!Terminal.colorAllowed(environment: ["NO_COLOR": "1"], noColorFlag: false, isTTY: true))
        #expect(Terminal.colorAllowed(environment: [:], noColorFlag: false, isTTY: true))
        #expect(!Terminal.colorAllowed(environment: [:], noColorFlag: false, isTTY: false))
    }

    @Test func kubeconfigReachesEveryKindKubectlAndHelmCall() async throws {
        let spec = try CLIFixture.write()
        let runner = CLIFixture.emptyWorld()
        let result = await CLI.run(
            ["apply", spec.path, "--yes", "--kubeconfig", "/tmp/kc.yaml"], session: CLIFixture.session(runner))
        #expect(result.exitCode == 0, "\(result.stderr)")
        let calls = runner.calls.filter { ["kubectl", "helm"].contains($0.executable) || $0.argv.starts(with: ["kind", "create"]) }
        #expect(calls.count > 20)
        for call in calls {
            let at = try #require(call.arguments.firstIndex(of: "--kubeconfig"), "\(call.argv)")
            #expect(call.arguments[at + 1] == "/tmp/kc.yaml")
            if let dashes = call.arguments.firstIndex(of: "--") { #expect(at < dashes, "\(call.argv)") }
        }
        // kind's read-only subcommands take no --kubeconfig.
        #expect(KubeconfigRunner.adding("k", to: Command("kind", ["get", "clusters"])).arguments == ["get", "clusters"])
    }

    @Test func lockTimeoutWaitsForTheHolder() async throws {
        let spec = try CLIFixture.write()
        let lock = try TopologyLock.acquire(topology: spec.name, command: "apply")
        let refused = await CLI.run(
            ["apply", spec.path, "--yes", "--lock-timeout", "100ms"], session: CLIFixture.session(CLIFixture.emptyWorld()))
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("still held after --lock-timeout 100ms"), "\(refused.stderr)")
        Task {
            try? await Task.sleep(for: .milliseconds(300))
            lock.release()
        }
        let waited = await CLI.run(
            ["apply", spec.path, "--yes", "--lock-timeout", "10m"], session: CLIFixture.session(CLIFixture.emptyWorld()))
        #expect(waited.exitCode == 0, "\(waited.stderr)")
        #expect(waited.stderr.contains("waiting for the lock"), "\(waited.stderr)")
    }

    @Test func diffDuringAnApplySaysSo() async throws {
        let spec = try CLIFixture.write()
        let lock = try TopologyLock.acquire(topology: spec.name, command: "apply")
        defer { lock.release() }
        let result = await CLI.run(["diff", spec.path], session: CLIFixture.session(CLIFixture.emptyWorld()))
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("multidc apply (pid \(getpid())"), "\(result.stdout)")
        #expect(result.stdout.contains("run diff again when it has finished"))
        #expect(!result.stdout.contains("Plan:"), "no repair suggested\n\(result.stdout)")
    }

    @Test func sighupIsHandledLikeSIGTERM() {
        #expect(SignalTrap.handled == [SIGINT, SIGTERM, SIGHUP])
        #expect(SignalTrap.exitCode(for: SIGHUP) == 129)
    }

    @Test func versionNamesTheVersionAndTheCommit() async throws {
        let result = await CLI.run(["version"])
        #expect(result.exitCode == 0)
        #expect(result.stdout.hasPrefix("multidc \(MultiDCVersion.current) (commit "), "\(result.stdout)")
    }

    @Test func completionsCompleteFilesAndClusterNames() async throws {
        let spec = try CLIFixture.write()
        let bash = Multidc.completionScript(for: .bash)
        #expect(bash.contains("render"))
        #expect(RenderCommand.clusterNames(["multidc", "render", spec.path, "--cluster"], 3, "se") == ["secondary"])
        #expect(RenderCommand.clusterNames(["multidc", "render", spec.path, "--cluster"], 3, "") == ["primary", "secondary", "tertiary"])
    }
}

/// The live view: wrap-safe, ticking, step N of M, polls never shown as errors.
@Suite struct LiveViewTests {
    static func event(_ label: String, _ group: String?, _ kind: ExecutionEvent.Kind) -> ExecutionEvent {
        ExecutionEvent(jobID: label, label: label, group: group, elapsed: .zero, kind: kind)
    }

    @Test func linesAreClippedToTheWidthAndShowStepNOfM() {
        var state = ProgressPrinter.LiveState()
        state.totals = ["primary": 7, "a-very-long-cluster-name-indeed": 3]
        let start = Date(timeIntervalSince1970: 1_000_000)
        let long = "+ kind cluster a-very-long-cluster-name-indeed-" + String(repeating: "x", count: 120)
        ProgressPrinter.apply(Self.event("+ network net", "primary", .started(attempt: 1)), to: &state, at: start)
        ProgressPrinter.apply(Self.event("+ network net", "primary", .succeeded), to: &state, at: start)
        ProgressPrinter.apply(Self.event("+ kind cluster primary", "primary", .started(attempt: 1)), to: &state, at: start)
        ProgressPrinter.apply(Self.event(long, "a-very-long-cluster-name-indeed", .started(attempt: 1)), to: &state, at: start)
        for width in [40, 80, 160] {
            let lines = ProgressPrinter.render(state, width: width, at: start.addingTimeInterval(3))
            #expect(lines.count == 2)
            #expect(lines.allSatisfy { $0.count <= width - 1 }, "\(width): \(lines)")
        }
        let lines = ProgressPrinter.render(state, width: 160, at: start.addingTimeInterval(3))
        #expect(lines[0].contains("step 2 of 7  + kind cluster primary  3s"), "\(lines)")
        #expect(lines[1].hasSuffix("…"))
    }

    @Test func elapsedTimeTicksPerRunningStep() {
        var state = ProgressPrinter.LiveState()
        let start = Date(timeIntervalSince1970: 1_000_000)
        ProgressPrinter.apply(Self.event("+ kind cluster primary", "primary", .started(attempt: 1)), to: &state, at: start)
        let texts = [0.0, 1, 2, 65].map { ProgressPrinter.render(state, width: 120, at: start.addingTimeInterval($0))[0] }
        #expect(texts[0].contains("  0s"))
        #expect(texts[1].contains("  1s"))
        #expect(texts[2].contains("  2s"))
        #expect(texts[3].contains("  1m05s"))
    }

    @Test func pollsAreNotErrors() {
        let message = "waiting for pod vault-0 to be Ready: error: timed out waiting for the condition on pods/vault-0"
        let shown = ProgressPrinter.describe(.progress(message))
        #expect(!shown.contains("error"), "\(shown)")
        #expect(shown.contains("not ready yet"))
    }

    @Test func aFinishedClusterSaysDone() {
        var state = ProgressPrinter.LiveState()
        state.totals = ["primary": 1]
        let now = Date()
        ProgressPrinter.apply(Self.event("+ a", "primary", .started(attempt: 1)), to: &state, at: now)
        ProgressPrinter.apply(Self.event("+ a", "primary", .succeeded), to: &state, at: now)
        #expect(ProgressPrinter.render(state, width: 80, at: now) == ["primary  1/1 done"])
    }
}
