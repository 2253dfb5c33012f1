import Foundation
import Testing

@testable import FakeWorld

/// The world's sh and busybox base64 in-process (no engine): the grammar, expansion order, exit
/// statuses and stdin sharing that StrictWorldTests then checks through `kubectl exec`.
@Suite struct ShellTests {
    func sh(_ script: String, stdin: String = "", env: [String: String] = [:]) throws -> ProcResult {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("fwsh-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: home) }
        let e = ["FAKEWORLD_HOME": home.path]
        let inv = Invocation(tool: "kubectl", args: [], environment: e)
        let world = World(home: try Home.from(e), store: try Store(home: try Home.from(e)), settings: try Settings.from(e), invocation: inv)
        let pod: JSON = ["metadata": ["name": "p", "namespace": "default", "uid": "u"], "spec": ["containers": [["name": "c"]]]]
        var state = WorldState()
        let commands = ContainerCommands(world: world)
        return commands.run(
            ["sh", "-c", script], stdin: Stdin(Data(stdin.utf8)), env: env, pod: pod, container: "c", cluster: "x", state: &state)!
    }

    func out(_ r: ProcResult) -> String { String(decoding: r.stdout, as: UTF8.self) }

    @Test func substitutionsRunInOrderAndSeeEarlierAssignments() throws {
        let r = try sh("KT=$(cat) && RT=$(echo \"<$KT>\" | cat) && echo \"$RT\"", stdin: "tok\n")
        #expect(out(r) == "<tok>\n")
        #expect(r.code == 0)
    }

    @Test func onlyTheFirstReaderGetsStdin() throws {
        #expect(out(try sh("A=$(cat); B=$(cat); echo \"[$A][$B]\"", stdin: "x")) == "[x][]\n")
    }

    /// POSIX 2.9.1: `VAR=$(cmd)` completes with the substitution's status; `&&` stops there.
    @Test func assignmentTakesTheSubstitutionStatus() throws {
        let r = try sh("RT=$(false) && echo next")
        #expect(r.code == 1)
        #expect(out(r) == "")
        #expect(out(try sh("RT=$(false) || echo fallback; echo $?")) == "fallback\n0\n")
        #expect(try sh("X=plain").code == 0)
    }

    /// A pipeline's status is its last command's: a failing first command is hidden (no pipefail).
    @Test func pipelineStatusIsTheLastCommand() throws {
        #expect(try sh("false | true").code == 0)
        #expect(try sh("true | false").code == 1)
        #expect(try sh("set -o pipefail; false | true").code == 1)
        #expect(out(try sh("RT=$(false | base64 -d) && echo ran:$RT")) == "ran:\n")
        #expect(try sh("set -o pipefail; RT=$(false | base64 -d) && echo ran").code == 1)
        #expect(try sh("! true").code == 1)
    }

    @Test func quotingAndFieldSplitting() throws {
        #expect(out(try sh("V='a  b'; echo $V; echo \"$V\"")) == "a b\na  b\n")
        #expect(out(try sh("echo 'it'\\''s' \"q\\\"d\" \\$HOME")) == "it's q\"d $HOME\n")
        #expect(out(try sh("echo \"$(echo \"(nested)\" | cat)\"")) == "(nested)\n")
        #expect(out(try sh("echo $(echo '1  2')x")) == "1 2x\n")
        #expect(out(try sh("E=; echo [$E] [\"$E\"]")) == "[] []\n")
        #expect(out(try sh("echo a # comment\necho b")) == "a\nb\n")
    }

    @Test func exportedVariablesReachPrograms() throws {
        #expect(out(try sh("A=1; env")).contains("A=1") == false)
        #expect(out(try sh("export A=1; env")).contains("A=1\n"))
        #expect(out(try sh("A=2 env")).contains("A=2\n"))
        #expect(out(try sh("env", env: ["B": "3"])).contains("B=3\n"))
    }

    @Test func exitAndNotFound() throws {
        let r = try sh("echo a; exit 3; echo b")
        #expect(out(r) == "a\n")
        #expect(r.code == 3)
        #expect(try sh("X=$(exit 4); echo $?").stdout == Data("4\n".utf8))
        let nf = try sh("nosuch arg")
        #expect(nf.code == 127)
        #expect(nf.stderr == "sh: nosuch: not found\n")
    }

    /// busybox ash's own syntax error texts, status 2, nothing run.
    @Test(arguments: [
        ("echo a &&", "sh: syntax error: unexpected end of file\n"),
        ("| b", "sh: syntax error: unexpected \"|\"\n"),
        ("echo 'x", "sh: syntax error: unterminated quoted string\n"),
        ("echo a; ; b", "sh: syntax error: unexpected \";\"\n"),
        ("X=$(echo a", "sh: syntax error: unexpected end of file (expecting \")\")\n"),
        ("echo ${X", "sh: syntax error: missing '}'\n"),
        ("echo a > f", "sh: syntax error: unsupported construct in the world's sh: redirection >\n"),
        ("if true; then echo; fi", "sh: syntax error: unsupported construct in the world's sh: the reserved word if\n"),
        ("echo `x`", "sh: syntax error: unsupported construct in the world's sh: `…` (use $(…))\n"),
        ("sleep 1 &", "sh: syntax error: unsupported construct in the world's sh: & (background)\n"),
    ])
    func syntaxErrors(script: String, message: String) throws {
        let r = try sh("echo first\necho second; " + script)
        #expect(r.code == 2)
        #expect(r.stderr == message)
        #expect(out(r) == "first\n", "ash runs line 1 before it reads line 2")
    }

    @Test func base64RoundTripAndBusyboxDecoding() throws {
        #expect(out(try sh("echo -n hello | base64")) == "aGVsbG8=\n")
        #expect(out(try sh("echo -n aGVsbG8= | base64 -d")) == "hello")
        #expect(out(try sh("printf_free=$(echo aGVs bG8= | base64 -d); echo $printf_free")) == "hello\n")
        // Characters outside the alphabet are skipped, not refused.
        #expect(out(try sh("echo 'aG!Vs*bG8=' | base64 -d")) == "hello")
        // A group cut short: the decoded part, then the error.
        let t = try sh("echo -n aGVsbG8 | base64 -d")
        #expect(out(t) == "hel")
        #expect(t.stderr == "base64: truncated input\n")
        #expect(t.code == 1)
        #expect(try sh("echo -n '' | base64 -d").code == 0)
        #expect(out(try sh("echo -n '' | base64")) == "")
        let long = String(repeating: "x", count: 60)
        #expect(out(try sh("echo -n \(long) | base64")).split(separator: "\n").map(\.count) == [76, 4])
        #expect(!out(try sh("echo -n \(long) | base64 -w0")).hasSuffix("\n"))
        let bad = try sh("base64 -x")
        #expect(bad.code == 1)
        #expect(
            bad.stderr.hasPrefix(
                "base64: unrecognized option: x\nBusyBox v1.36.1 multi-call binary.\n\nUsage: base64 [-d] [-w COL] [FILE]\n"))
        #expect(try sh("base64 /nosuch").stderr == "base64: can't open '/nosuch': No such file or directory\n")
    }

    @Test(arguments: [
        ("YQ==", "a", true), ("YWI=", "ab", true), ("YWJj", "abc", true), ("MQ", "", false), ("YQ==YQ==", "a", false),
        ("YQ==\nYQ==", "aa", true),
    ])
    func decodeVectors(input: String, bytes: String, complete: Bool) {
        let (d, ok) = BusyboxBase64.decode(Data(input.utf8))
        #expect(String(decoding: d, as: UTF8.self) == bytes)
        #expect(ok == complete)
    }
}
