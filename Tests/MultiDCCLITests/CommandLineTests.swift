import ArgumentParser
import Foundation
import MultiDC
import MultiDCTestSupport
import Testing

@testable import multidc

/// Argument parsing of every subcommand, good and bad, with the messages users see.
@Suite struct ArgumentParsingTests {
    @Test func everySubcommandParsesItsArguments() throws {
        let validate = try #require(try Multidc.parseAsRoot(["validate", "s.yaml", "-o", "json"]) as? ValidateCommand)
        #expect(validate.spec == "s.yaml" && validate.output == .json)
        let render = try #require(
            try Multidc.parseAsRoot(["render", "s.yaml", "--cluster", "primary", "--assume", "leader.loadBalancerIP=10.0.0.1"])
                as? RenderCommand)
        #expect(render.cluster == "primary" && render.assumptions == ["leader.loadBalancerIP=10.0.0.1"])
        let diff = try #require(try Multidc.parseAsRoot(["diff", "s.yaml", "--detailed-exitcode"]) as? DiffCommand)
        #expect(diff.detailedExitcode && diff.output == .text)
        let apply = try #require(
            try Multidc.parseAsRoot([
                "apply", "s.yaml", "--yes", "--parallelism", "2", "--timeout", "20m", "--wait-timeout", "90s", "--allow-data-loss",
                "--output", "json",
            ]) as? ApplyCommand)
        #expect(apply.yes && apply.parallelism == 2 && apply.timeout == "20m" && apply.waitTimeout == "90s")
        #expect(apply.allowDataLoss && apply.output == .json)
        let status = try #require(try Multidc.parseAsRoot(["status", "s.yaml", "-o", "json"]) as? StatusCommand)
        #expect(status.output == .json)
        let destroy = try #require(try Multidc.parseAsRoot(["destroy", "s.yaml", "-y"]) as? DestroyCommand)
        #expect(destroy.yes)
    }

    @Test(arguments: ["validate", "render", "diff", "apply", "status", "destroy"])
    func everySubcommandNeedsASpec(_ subcommand: String) {
        #expect(CLI.parseError([subcommand]) == "Missing expected argument '<spec>'")
    }

    @Test func badArgumentsSayWhatIsWrong() {
        #expect(CLI.parseError(["apply", "s.yaml", "--parallelism", "0"]) == "--parallelism must be at least 1, got 0")
        #expect(
            CLI.parseError(["apply", "s.yaml", "--timeout", "soon"])
                == "--timeout 'soon' is not a duration; write it like 10m, 90s, 1.5s or 1h30m")
        #expect(
            CLI.parseError(["apply", "s.yaml", "--wait-timeout", "5 minutes"])
                == "--wait-timeout '5 minutes' is not a duration; write it like 10m, 90s, 1.5s or 1h30m")
        #expect(CLI.parseError(["render", "s.yaml", "--assume", "novalue"]) == "--assume takes NAME=VALUE, got 'novalue'")
        #expect(
            CLI.parseError(["render", "s.yaml", "--assume", "leader.loadBalancerIp=1.2.3.4"])?
                .hasPrefix("--assume: unknown value name 'leader.loadBalancerIp'; did you mean 'leader.loadBalancerIP'?") == true)
        let format = CLI.parseError(["diff", "s.yaml", "-o", "xml"])
        #expect(format?.contains("'xml'") == true && format?.contains("text") == true && format?.contains("json") == true)
        // ArgumentParser may add a did-you-mean (here '--rev').
        #expect(CLI.parseError(["status", "s.yaml", "--yes"])?.hasPrefix("Unknown option '--yes'") == true)
        #expect(CLI.parseError(["frobnicate", "s.yaml"])?.contains("frobnicate") == true)
    }

    @Test func badArgumentsExitWithTheUsageStatus() async {
        let result = await CLI.run(["apply", "s.yaml", "--parallelism", "0"])
        #expect(result.exitCode == ExitCode.validationFailure.rawValue)
        #expect(result.stderr.contains("--parallelism must be at least 1"))
    }
}

/// `validate` and `render` in-process: output and exit status (README "Commands").
@Suite struct ValidateRenderTests {
    @Test func validateAGoodSpecPrintsValidAndExitsZero() async throws {
        let spec = try CLIFixture.write()
        let text = await CLI.run(["validate", spec.path])
        #expect(text.exitCode == 0)
        #expect(text.stdout == "\(spec.path): valid (topology \(spec.name), 3 clusters, leader primary)\n")
        let json = await CLI.run(["validate", spec.path, "-o", "json"])
        #expect(json.exitCode == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["valid"] as? Bool == true)
        #expect((report["errors"] as? [Any])?.isEmpty == true)
        #expect(report["warnings"] is [Any])
        #expect(json.stderr.isEmpty)
    }

    @Test func validateABadSpecListsEveryErrorAndExitsOne() async throws {
        let spec = try CLIFixture.write(
            CLIFixture.specText(name: "bad").replacingOccurrences(of: "leader: primary", with: "leader: primery"))
        let json = await CLI.run(["validate", spec.path, "-o", "json"])
        #expect(json.exitCode == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["valid"] as? Bool == false)
        let errors = try #require(report["errors"] as? [[String: Any]])
        #expect(errors.count == 1)
        #expect(errors.first?["file"] as? String == spec.path)
        #expect(errors.first?["line"] as? Int == 29)
        #expect((errors.first?["message"] as? String)?.contains("primery") == true)
        let text = await CLI.run(["validate", spec.path])
        #expect(text.exitCode == 1)
        #expect(text.stdout.isEmpty)
        #expect(text.stderr.contains("\(spec.path):29:13: error: unknown leader 'primery'; did you mean 'primary'?"))
        #expect(text.stderr.hasSuffix("1 error in \(spec.path)\n"))
    }

    @Test func validateAMissingFileExitsOne() async {
        let result = await CLI.run(["validate", "/nonexistent/spec.yaml"])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("/nonexistent/spec.yaml"))
    }

    @Test func renderWithoutAssumptionsPrintsKnownAfterApply() async throws {
        let spec = try CLIFixture.write()
        let result = await CLI.run(["render", spec.path, "--cluster", "secondary"])
        #expect(result.exitCode == 0)
        #expect(result.stdout.hasPrefix("# cluster secondary (index 1, context kind-secondary)\n"))
        #expect(!result.stdout.contains("# cluster primary"))
        #expect(result.stdout.contains("(known after apply)"))
    }

    @Test func renderAssumeFillsAValueKnownOnlyAfterApply() async throws {
        let spec = try CLIFixture.write()
        let unknown = await CLI.run(["render", spec.path, "--cluster", "secondary"])
        let assumed = await CLI.run(["render", spec.path, "--cluster", "secondary", "--assume", "kms.address=172.30.0.100"])
        #expect(assumed.exitCode == 0)
        #expect(assumed.stdout.contains("172.30.0.100"))
        #expect(!unknown.stdout.contains("172.30.0.100"))
        #expect(assumed.stdout.count < unknown.stdout.count + 40)
    }

    @Test func renderAnUnknownClusterSuggestsTheNearestAndExitsOne() async throws {
        let spec = try CLIFixture.write()
        let result = await CLI.run(["render", spec.path, "--cluster", "secundary"])
        #expect(result.exitCode == 1)
        #expect(result.stderr == "error: unknown cluster 'secundary'; did you mean 'secondary'?\n")
        #expect(result.stdout.isEmpty)
    }
}

/// `diff`, `apply`, `status`, `destroy` in-process over a scripted world: each exit status of
/// the README's table.
@Suite struct CommandExitCodeTests {
    @Test func diffExitsZeroAndWithDetailedExitcodeTwoOnChanges() async throws {
        let spec = try CLIFixture.write()
        let plain = await CLI.run(["diff", spec.path], session: CLIFixture.session(CLIFixture.emptyWorld()))
        #expect(plain.exitCode == 0)
        #expect(plain.stdout.contains("Plan: "))
        #expect(plain.stdout.contains(" to add, "))
        let detailed = await CLI.run(["diff", spec.path, "--detailed-exitcode"], session: CLIFixture.session(CLIFixture.emptyWorld()))
        #expect(detailed.exitCode == 2)
        let json = await CLI.run(["diff", spec.path, "-o", "json"], session: CLIFixture.session(CLIFixture.emptyWorld()))
        #expect(json.exitCode == 0)
        #expect(json.stdout.contains("multidc.plan/v1"))
    }

    static func engineDown(_ runner: ScriptedRunner) {
        runner.on(
            ["docker"], exitCode: 1,
            stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n")
    }

    @Test func diffExitsOneOnAProblemWithAndWithoutDetailedExitcode() async throws {
        let spec = try CLIFixture.write()
        for flags in [[], ["--detailed-exitcode"]] {
            let result = await CLI.run(
                ["diff", spec.path] + flags, session: CLIFixture.session(CLIFixture.emptyWorld(overrides: Self.engineDown)))
            #expect(result.exitCode == 1)
            // No plan from an incomplete observation: the errors on stderr, nothing on stdout.
            #expect(result.stderr.contains("error: the Docker engine is unreachable"))
            #expect(result.stderr.contains("plan unavailable: "))
            #expect(result.stdout.isEmpty)
        }
    }

    @Test func diffOfAnInvalidSpecExitsOneBeforeAnyTool() async throws {
        let spec = try CLIFixture.write("apiVersion: multidc/v1alpha1\nkind: Topology\n")
        let runner = CLIFixture.emptyWorld()
        let result = await CLI.run(["diff", spec.path], session: CLIFixture.session(runner))
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("error"))
        #expect(runner.calls.isEmpty)
    }

    @Test func applyOfAnEmptyWorldIsHealthyAndExitsZero() async throws {
        let spec = try CLIFixture.write()
        let runner = CLIFixture.emptyWorld()
        let result = await CLI.run(["apply", spec.path, "--yes"], session: CLIFixture.session(runner))
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Apply complete.\n"))
        #expect(runner.calls.contains { $0.argv.starts(with: ["kind", "create", "cluster"]) })
    }

    @Test func applyThatWouldLoseDataIsRefusedWithExitOne() async throws {
        let spec = try CLIFixture.write()
        // The network exists with another subnet than the spec pins: replacing it loses data.
        let runner = CLIFixture.emptyWorld { runner in
            runner.on(
                ["docker", "network", "inspect", "multidc-test"],
                stdout: CLIFixture.networkJSON.replacingOccurrences(of: "172.30.0", with: "10.99.0"))
        }
        let result = await CLI.run(["apply", spec.path, "--yes"], session: CLIFixture.session(runner))
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("error: refusing to "))
        #expect(result.stderr.contains("rerun with --allow-data-loss to accept this loss"))
        #expect(!runner.calls.contains { $0.argv.starts(with: ["kind", "create"]) || $0.argv.starts(with: ["docker", "network", "rm"]) })
    }

    @Test func applyWithAFailingActionExitsOne() async throws {
        let spec = try CLIFixture.write()
        let runner = CLIFixture.emptyWorld { runner in
            runner.on(
                ["kind", "create", "cluster", "--name", "tertiary"], exitCode: 1,
                stderr: "ERROR: failed to create cluster: node(s) already exist for a cluster with the name \"tertiary\"\n")
        }
        let result = await CLI.run(["apply", spec.path, "--yes"], session: CLIFixture.session(runner))
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("node(s) already exist"))
        #expect(result.stderr.contains("apply failed; what finished is kept"))
    }

    @Test func applyThatEndsUnhealthyExitsOne() async throws {
        let spec = try CLIFixture.write()
        let runner = CLIFixture.emptyWorld(sealed: ["secondary"])
        let result = await CLI.run(["apply", spec.path, "--yes"], session: CLIFixture.session(runner))
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("error: the Raft health check did not pass within health.raft.timeout"))
    }

    @Test func aSignalExitsWith128PlusItsNumber() {
        // Ctrl-C (SIGINT) → 130, SIGTERM → 143, as ApplyCommand and DestroyCommand exit.
        #expect(SignalTrap.exitCode(for: SIGINT) == 130)
        #expect(SignalTrap.exitCode(for: SIGTERM) == 143)
    }

    @Test func anUnknownClusterTargetIsAUsageErrorNamingTheClusters() async throws {
        let spec = try CLIFixture.write()
        let result = await CLI.run(["diff", spec.path, "--cluster", "quaternary"], session: CLIFixture.session(CLIFixture.emptyWorld()))
        #expect(result.exitCode == 64, "\(result)")
        #expect(result.stderr.contains("unknown cluster 'quaternary' in --cluster; the spec has primary, secondary, tertiary"))
        let limited = await CLI.run(
            ["apply", spec.path, "--yes", "--cluster", "primary"], session: CLIFixture.session(CLIFixture.emptyWorld()))
        #expect(limited.exitCode == 0, "\(limited)")
        #expect(limited.stdout.contains("Raft health check skipped: --cluster primary applied part of the topology"), "\(limited)")
        #expect(!limited.stdout.contains("kind cluster secondary"), "\(limited)")
    }

    @Test func statusExitsZeroWhenHealthyAndOneWhenNot() async throws {
        let spec = try CLIFixture.write()
        let healthy = await CLI.run(["status", spec.path, "-o", "json"], session: CLIFixture.session(CLIFixture.emptyWorld()))
        #expect(healthy.exitCode == 0)
        #expect(healthy.stdout.contains("\"healthy\" : true"))
        let sealed = await CLI.run(["status", spec.path], session: CLIFixture.session(CLIFixture.emptyWorld(sealed: ["tertiary"])))
        #expect(sealed.exitCode == 1)
        #expect(sealed.stdout.hasPrefix("Topology \(spec.name)\n"))
    }

    @Test func destroyExitsZeroWhenNothingIsOwnedAndOneOnAProblem() async throws {
        let spec = try CLIFixture.write()
        let nothing = await CLI.run(["destroy", spec.path, "--yes"], session: CLIFixture.session(CLIFixture.emptyWorld()))
        #expect(nothing.exitCode == 0)
        #expect(nothing.stdout.contains("Nothing to destroy: topology \(spec.name) owns nothing here.\n"))
        let down = await CLI.run(
            ["destroy", spec.path, "--yes"], session: CLIFixture.session(CLIFixture.emptyWorld(overrides: Self.engineDown)))
        #expect(down.exitCode == 1)
        // The preflight finds the engine down before anything is observed.
        #expect(down.stderr.contains("error: nothing was changed: docker does not answer"))
    }

    /// A world holding only this topology's network (labelled as multidc labels what it owns).
    static func ownedNetwork(_ topology: String) -> (ScriptedRunner) -> Void {
        { runner in
            runner.on(
                ["docker", "network", "inspect", "multidc-test"],
                stdout: CLIFixture.networkJSON.replacingOccurrences(
                    of: #""Labels":{}"#,
                    with: #""Labels":{"app.kubernetes.io/managed-by":"multidc","multidc/topology":"\#(topology)"}"#))
        }
    }

    @Test func destroyRemovesWhatTheTopologyOwnsAndExitsZero() async throws {
        let spec = try CLIFixture.write()
        let runner = CLIFixture.emptyWorld(overrides: Self.ownedNetwork(spec.name))
        runner.on(["docker", "network", "rm"], stdout: "multidc-test\n")
        let result = await CLI.run(["destroy", spec.path, "--yes"], session: CLIFixture.session(runner))
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("Destroy complete.\n"))
        #expect(runner.calls.contains { $0.argv == ["docker", "network", "rm", "multidc-test"] })
    }

    @Test(.enabled(if: isatty(STDIN_FILENO) == 0, "needs stdin that is not a terminal"))
    func destroyWithoutYesAndWithoutATerminalRefusesWithExitOne() async throws {
        let spec = try CLIFixture.write()
        let runner = CLIFixture.emptyWorld(overrides: Self.ownedNetwork(spec.name))
        let result = await CLI.run(["destroy", spec.path], session: CLIFixture.session(runner))
        #expect(result.exitCode == 1)
        #expect(
            result.stderr.contains("error: destroy deletes resources and there is no terminal to ask; rerun with --yes to approve it"))
        #expect(!runner.calls.contains { $0.argv.starts(with: ["docker", "network", "rm"]) })
    }

    @Test(.enabled(if: isatty(STDIN_FILENO) == 0, "needs stdin that is not a terminal"))
    func applyThatReplacesWithoutYesAndWithoutATerminalIsDeclinedWithExitOne() async throws {
        let spec = try CLIFixture.write()
        let runner = CLIFixture.emptyWorld { runner in
            runner.on(
                ["docker", "network", "inspect", "multidc-test"],
                stdout: CLIFixture.networkJSON.replacingOccurrences(of: "172.30.0", with: "10.99.0"))
        }
        let result = await CLI.run(["apply", spec.path, "--allow-data-loss"], session: CLIFixture.session(runner))
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("there is no terminal to ask; rerun with --yes to approve it"))
        #expect(result.stderr.contains("Apply cancelled; nothing was changed in this round."))
        #expect(!runner.calls.contains { $0.argv.starts(with: ["docker", "network", "rm"]) })
    }
}
