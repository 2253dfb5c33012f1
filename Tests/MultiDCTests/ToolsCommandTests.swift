import Foundation
import MultiDCTestSupport
import Testing

@testable import MultiDC

@Suite("Tools: Command and ScriptedRunner")
struct ToolsCommandTests {
    @Test("descriptions never show sensitive environment values or stdin")
    func sensitiveDescription() {
        let command = Command(
            "docker", ["run", "-d", "--name", "central-vault", "-e", "VAULT_DEV_ROOT_TOKEN_ID", "vault:1.6.2"],
            environment: ["VAULT_DEV_ROOT_TOKEN_ID": .sensitive("s3cr3t"), "PLAIN": "visible value"],
            standardInput: .init("token: s3cr3t\n", sensitive: true))
        let text = command.description
        #expect(!text.contains("s3cr3t"))
        #expect(text.contains("VAULT_DEV_ROOT_TOKEN_ID=(sensitive)"))
        #expect(text.contains("<stdin: (sensitive)>"))
        #expect(text.contains("PLAIN='visible value'"))
        #expect(text.hasSuffix("docker run -d --name central-vault -e VAULT_DEV_ROOT_TOKEN_ID vault:1.6.2 <stdin: (sensitive)>"))
        #expect(Command("docker", ["ps", "--format", "{{json .}}"]).description == "docker ps --format '{{json .}}'")
        #expect(Command("cat", standardInput: .init("abc")).description == "cat <stdin: 3 bytes>")
    }

    @Test("results: text views and the last stderr line")
    func result() {
        let result = CommandResult(exitCode: 1, stdout: "out", stderr: Fixture.kubectlRefused)
        #expect(!result.isSuccess)
        #expect(result.stdout == "out")
        #expect(result.lastErrorLine == "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?")
        #expect(CommandResult(status: .signaled(9)).status.description == "killed by signal 9")
        #expect(CommandResult().isSuccess)
    }

    @Test("ScriptedRunner: first matching rule answers, every call is recorded, fallback is exit 127")
    func scripted() async throws {
        let runner = ScriptedRunner()
        runner.on(["docker", "ps"], stdout: "first\n")
        runner.on(["docker"], exitCode: 3, stderr: "second\n")
        runner.on(
            where: { $0.standardInput != nil },
            answer: { command in
                .result(CommandResult(status: .exited(0), standardOutput: command.standardInput!.bytes))
            })
        runner.on(["kind"], throwing: CommandRunnerError(code: .timedOut, command: "kind", message: "timed out"))
        #expect(try await runner.run(Command("docker", ["ps", "-a"])).stdout == "first\n")
        #expect(try await runner.run(Command("docker", ["network", "ls"])).status == .exited(3))
        #expect(try await runner.run(Command("cat", standardInput: .init("echo"))).stdout == "echo")
        await #expect(throws: CommandRunnerError.self) { try await runner.run(Command("kind", ["get", "clusters"])) }
        let unknown = try await runner.run(Command("helm", ["list"]))
        #expect(unknown.status == .exited(127))
        #expect(unknown.stderr.contains("no scripted answer for helm list"))
        #expect(runner.calls.map(\.executable) == ["docker", "docker", "cat", "kind", "helm"])
    }

    @Test("ScriptedRunner is safe under concurrent calls")
    func concurrent() async throws {
        let runner = ScriptedRunner()
        runner.on(["x"], stdout: "ok")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 { group.addTask { _ = try await runner.run(Command("x", ["\(i)"])) } }
            try await group.waitForAll()
        }
        #expect(runner.calls.count == 200)
        #expect(Set(runner.calls.map { $0.arguments[0] }).count == 200)
    }

    @Test("error codes compare by code")
    func errorCodes() {
        let error = CommandRunnerError(code: .timedOut, command: "sleep 30", message: "timed out after 1 seconds")
        #expect(error.code == .timedOut)
        #expect(error.code != .cancelled)
        #expect(error.description == "timed out after 1 seconds (sleep 30)")
    }
}
