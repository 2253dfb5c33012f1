import Foundation
import Testing

@testable import MultiDC

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Real processes (no Docker engine needed): /bin/echo, /bin/sh, cat, sleep.
@Suite("Tools: SubprocessRunner")
struct ToolsSubprocessRunnerTests {
    let runner = SubprocessRunner(defaultTimeout: .seconds(60), gracePeriod: .milliseconds(500))

    @Test("echo by path: stdout, exit 0")
    func echo() async throws {
        let result = try await runner.run(Command("/bin/echo", ["hello", "a b"]))
        #expect(result.status == .exited(0))
        #expect(result.stdout == "hello a b\n")
        #expect(result.stderr == "")
    }

    @Test("argv is never a shell: metacharacters arrive verbatim")
    func noShell() async throws {
        let result = try await runner.run(Command("echo", ["$HOME", ";", "`id`", "*"]))
        #expect(result.stdout == "$HOME ; `id` *\n")
    }

    @Test("exit codes and stderr come back as a result, not an error")
    func exitCode() async throws {
        let result = try await runner.run(Command("/bin/sh", ["-c", "echo oops >&2; exit 3"]))
        #expect(result.status == .exited(3))
        #expect(result.stderr == "oops\n")
    }

    @Test("stdin is passed through (cat)")
    func stdin() async throws {
        let payload = String(repeating: "line of input\n", count: 10_000)
        let result = try await runner.run(Command("cat", standardInput: .init(payload, sensitive: true)))
        #expect(result.stdout == payload)
    }

    @Test("environment overrides reach the child; the rest is inherited")
    func environment() async throws {
        let result = try await runner.run(
            Command(
                "/bin/sh", ["-c", "echo \"$MULTIDC_TEST_VAR:${PATH:+has-path}\""],
                environment: ["MULTIDC_TEST_VAR": .sensitive("xyz")]))
        #expect(result.stdout == "xyz:has-path\n")
    }

    @Test("a missing executable throws executableNotFound")
    func missing() async {
        await #expect { try await runner.run(Command("multidc-no-such-tool-\(getpid())")) } throws: { error in
            (error as? CommandRunnerError)?.code == .executableNotFound
        }
    }

    @Test("output past the limit throws outputLimitExceeded")
    func outputLimit() async throws {
        let small = SubprocessRunner(outputLimit: 1024)
        let marker = "multidc-limit-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        await #expect { try await small.run(Command("yes", [marker], timeout: .seconds(20))) } throws: { error in
            (error as? CommandRunnerError)?.code == .outputLimitExceeded
        }
        #expect((try? Self.processes(matching: marker).isEmpty) == true, "the endless writer does not survive")
    }

    @Test("a timeout ends the child: sleep 30 with a 1 s timeout")
    func timeout() async throws {
        let marker = "multidc-timeout-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        await #expect { try await runner.run(Command("/bin/sh", ["-c", "sleep 30; : \(marker)"], timeout: .seconds(1))) } throws: { error in
            (error as? CommandRunnerError)?.code == .timedOut
        }
        #expect(try Self.processes(matching: marker).isEmpty)
    }

    @Test("cancellation ends the child and its whole process group")
    func cancellationKillsGroup() async throws {
        let marker = "multidc-cancel-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // The shell starts two background sleeps (grandchildren of the test) and waits.
        // One grandchild ignores SIGTERM, so only the final SIGKILL of the group ends it.
        let script = "sleep 300 & (trap '' TERM; sleep 300) & echo started; wait; : \(marker)"
        let task = Task { try await runner.run(Command("/bin/sh", ["-c", script])) }
        // Wait until the shell (and so its children) runs.
        var shells: [pid_t] = []
        for _ in 0..<100 where shells.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
            shells = try Self.processes(matching: marker)
        }
        let shell = try #require(shells.first)
        let group = getpgid(shell)
        defer { if group > 1, group != getpgrp() { _ = kill(-group, SIGKILL) } }  // never leave anything behind
        #expect(group == shell, "the child leads its own process group")
        #expect(group != getpgrp())
        var members: [pid_t] = []
        for _ in 0..<100 where members.count < 3 {
            try await Task.sleep(for: .milliseconds(50))
            members = try Self.processes(inGroup: group)
        }
        #expect(members.count >= 3, "shell + two sleeps")
        task.cancel()
        await #expect { try await task.value } throws: { error in
            (error as? CommandRunnerError)?.code == .cancelled
        }
        // The group was SIGKILLed before run returned; give the kernel a moment to finish the exits.
        var survivors = try Self.processes(inGroup: group)
        for _ in 0..<100 where !survivors.isEmpty {
            try await Task.sleep(for: .milliseconds(20))
            survivors = try Self.processes(inGroup: group)
        }
        #expect(survivors.isEmpty, "no member of the group survives")
    }

    // MARK: helpers (read /proc; Linux)

    static func processes(matching marker: String) throws -> [pid_t] {
        try allProcesses().filter { pid in
            let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            return String(decoding: cmdline, as: UTF8.self).contains(marker) && !isZombie(pid)
        }
    }

    static func processes(inGroup group: pid_t) throws -> [pid_t] {
        try allProcesses().filter { getpgid($0) == group && !isZombie($0) }
    }

    static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    static func allProcesses() throws -> [pid_t] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap { pid_t($0) }
    }
}

@Suite("Tools: SubprocessRunner stdin edge cases")
struct ToolsSubprocessRunnerStdinTests {
    @Test("a child that exits without reading a large stdin still gives its result")
    func unreadStdin() async throws {
        let runner = SubprocessRunner(defaultTimeout: .seconds(30))
        let payload = [UInt8](repeating: 65, count: 4 << 20)
        let result = try await runner.run(Command("/bin/sh", ["-c", "echo refused >&2; exit 2"], standardInput: .init(payload)))
        #expect(result.status == .exited(2))
        #expect(result.stderr == "refused\n")
    }
}
