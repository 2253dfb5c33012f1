import ArgumentParser
import Foundation
import MultiDC
import MultiDCTestSupport
import Testing

@testable import multidc

/// Issue 12 on the command line, in-process: `-` and `--rev`/`--base`, what apply says it
/// recorded, what status shows, and `multidc output`.
@Suite struct SpecSourceCLITests {
    static func directory(_ spec: (path: String, name: String)) -> String {
        (spec.path as NSString).deletingLastPathComponent
    }

    @Test func aSpecOnStandardInputIsPlannedLikeTheFile() async throws {
        let spec = try CLIFixture.write()
        let text = try String(contentsOfFile: spec.path, encoding: .utf8)
        let fromFile = await CLI.run(["diff", spec.path], session: CLIFixture.session(CLIFixture.emptyWorld()))
        let fromStdin = await CLI.run(
            ["diff", "-", "--base", Self.directory(spec)], session: CLIFixture.session(CLIFixture.emptyWorld()), stdin: text)
        #expect(fromStdin.exitCode == 0, "\(fromStdin.stderr)")
        #expect(fromStdin.stdout == fromFile.stdout)
        #expect(fromStdin.stdout.contains("Plan: "))
    }

    @Test func diffNeverRunsGitAndApplyRunsItTwice() async throws {
        let spec = try CLIFixture.write()
        let runner = CLIFixture.emptyWorld()
        _ = await CLI.run(["diff", spec.path], session: CLIFixture.session(runner))
        #expect(!runner.calls.contains { $0.executable == "git" }, "provenance costs a no-op diff no process")
        let applying = CLIFixture.emptyWorld()
        _ = await CLI.run(["apply", spec.path, "--yes"], session: CLIFixture.session(applying))
        // rev-parse answers nothing here (not in a work tree), so status is not asked.
        #expect(
            applying.calls.filter { $0.executable == "git" }.map { Array($0.arguments.prefix(3)) } == [
                ["-C", Self.directory(spec), "rev-parse"]
            ])
    }

    @Test func aBrokenSpecOnStandardInputIsPositionedAtStdin() async throws {
        let spec = try CLIFixture.write()
        let text = try String(contentsOfFile: spec.path, encoding: .utf8).replacingOccurrences(
            of: "leader: primary", with: "leader: nobody")
        let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("leader: nobody") })
        let result = await CLI.run(
            ["status", "-", "--base", Self.directory(spec)], session: CLIFixture.session(CLIFixture.emptyWorld()), stdin: text)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("<stdin>:\(line + 1):"), "\(result.stderr)")
        #expect(result.stderr.contains("1 error in <stdin>"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func revAndBaseRefuseWhatMeansNothing() async {
        let both = await CLI.run(["diff", "-", "--rev", "HEAD"])
        #expect(both.exitCode == ExitCode.validationFailure.rawValue)
        #expect(both.stderr.contains("--rev reads the spec file from git; it cannot be combined with - (standard input)"))
        let base = await CLI.run(["apply", "spec.yaml", "--base", "dir"])
        #expect(base.exitCode == ExitCode.validationFailure.rawValue)
        #expect(base.stderr.contains("--base is for a spec read from standard input (-)"))
        for command in ["diff", "apply", "status", "destroy", "output"] {
            let args = command == "output" ? [command, "s.yaml", "kms.url"] : [command, "s.yaml"]
            #expect(CLI.parseError(args + ["--rev", "origin/main"]) == nil, "\(command)")
        }
    }

    @Test func anUnknownRevisionIsAnErrorNamingItAndWhatToDo() async throws {
        let spec = try CLIFixture.write()
        let runner = CLIFixture.emptyWorld { runner in
            runner.on(["git", "-C"], exitCode: 128, stdout: "/work/repo\nexamples/\n", stderr: "fatal: Needed a single revision\n")
        }
        let result = await CLI.run(["diff", spec.path, "--rev", "origin/mian"], session: CLIFixture.session(runner))
        #expect(result.exitCode == 1)
        #expect(
            result.stderr.hasPrefix(
                "error: revision 'origin/mian' names no commit in the repository at /work/repo (git: fatal: Needed a single revision); name a branch, tag or commit"
            ), "\(result.stderr)")
        #expect(!runner.calls.contains { $0.executable == "docker" }, "nothing observed")
    }

    @Test func applySaysWhatItRecordedAndAsAnEvent() async throws {
        let spec = try CLIFixture.write()
        let commit = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"
        let git: (ScriptedRunner) -> Void = { runner in
            runner.on(["git", "-C"], stdout: "/work/repo\nexamples/\n\(commit)\n")
            runner.on(["git", "--no-optional-locks"], stdout: "?? examples/spec.yaml\u{0}")
        }
        let runner = CLIFixture.emptyWorld(overrides: git)
        let text = await CLI.run(["apply", spec.path, "--yes"], session: CLIFixture.session(runner))
        #expect(text.exitCode == 0, "\(text.stderr)")
        let line = try #require(text.stdout.split(separator: "\n").first { $0.hasPrefix("Recorded: ") }, "\(text.stdout)")
        #expect(line.hasPrefix("Recorded: applied from 9f8e7d6c5b4a (dirty) at "))
        #expect(line.hasSuffix(") on primary, secondary, tertiary."))
        let writes = runner.calls.filter { $0.arguments.contains("annotate") && $0.arguments.contains("multidc/applied-commit=\(commit)") }
        #expect(writes.count == 3)

        let json = await CLI.run(
            ["apply", spec.path, "--yes", "-o", "json"], session: CLIFixture.session(CLIFixture.emptyWorld(overrides: git)))
        #expect(json.exitCode == 0, "\(json.stderr)")
        let event = try #require(
            json.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .first { $0["event"] as? String == "provenance" })
        #expect(event["clusters"] as? [String] == ["primary", "secondary", "tertiary"])
        let provenance = try #require(event["provenance"] as? [String: Any])
        #expect(provenance["commit"] as? String == commit && provenance["dirty"] as? Bool == true)
        #expect(provenance["source"] as? String == spec.path)
    }

    @Test func applyOutsideAWorkTreeRecordsNoCommitAndSaysSo() async throws {
        let spec = try CLIFixture.write()
        // Unscripted git answers nothing: not in a git work tree, never an error.
        let result = await CLI.run(["apply", spec.path, "--yes"], session: CLIFixture.session(CLIFixture.emptyWorld()))
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Recorded: applied from a spec not in a git work tree at "), "\(result.stdout)")
    }

    // MARK: output

    @Test func outputPrintsExactlyTheValueAndANewline() async throws {
        let spec = try CLIFixture.write()
        let session = CLIFixture.session(CLIFixture.emptyWorld())
        let url = await CLI.run(["output", spec.path, "kms.url"], session: session)
        #expect(url.exitCode == 0, "\(url.stderr)")
        #expect(url.stdout == "http://172.30.0.100:8200\n")
        #expect(url.stderr.isEmpty)
        let address = await CLI.run(["output", spec.path, "kms.address"], session: session)
        #expect(address.stdout == "172.30.0.100\n")
        let token = await CLI.run(["output", spec.path, "kms.token", "--sensitive"], session: session)
        #expect(token.exitCode == 0 && token.stdout == CLIFixture.token + "\n")
    }

    @Test func outputRefusesTheTokenWithoutSensitiveAndListsTheNames() async throws {
        let spec = try CLIFixture.write()
        let runner = CLIFixture.emptyWorld()
        let token = await CLI.run(["output", spec.path, "kms.token"], session: CLIFixture.session(runner))
        #expect(token.exitCode == ExitCode.validationFailure.rawValue)
        #expect(token.stdout.isEmpty)
        #expect(token.stderr.contains("kms.token is sensitive"), "\(token.stderr)")
        #expect(!token.stderr.contains(CLIFixture.token))
        let unknown = await CLI.run(["output", spec.path, "cluster.primary.loadBalancerIp"], session: CLIFixture.session(runner))
        #expect(unknown.exitCode == ExitCode.validationFailure.rawValue)
        #expect(
            unknown.stderr.contains(
                "unknown output 'cluster.primary.loadBalancerIp'; did you mean 'cluster.primary.loadBalancerIP'? The outputs of topology \(spec.name) are: kms.address, kms.url, kms.token (with --sensitive), cluster.primary.loadBalancerIP, cluster.secondary.loadBalancerIP, cluster.tertiary.loadBalancerIP"
            ), "\(unknown.stderr)")
        #expect(!runner.calls.contains { $0.executable == "docker" && $0.arguments.contains("inspect") })
    }

    @Test func outputOfAValueTheWorldDoesNotHaveExitsOne() async throws {
        let spec = try CLIFixture.write()
        // The empty world's clusters have no context: the Service cannot be read.
        let runner = CLIFixture.emptyWorld { runner in
            runner.on(
                ["kubectl", "--context", "kind-primary", "get", "services"], exitCode: 1,
                stderr: "error: context was not found for specified context: kind-primary\n")
        }
        let result = await CLI.run(["output", spec.path, "cluster.primary.loadBalancerIP"], session: CLIFixture.session(runner))
        #expect(result.exitCode == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("error: cannot read the Services of cluster primary: "), "\(result.stderr)")
    }
}
