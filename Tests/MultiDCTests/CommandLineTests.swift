import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `multidc` next to the test bundle (`swift build --build-tests` builds it there).
enum MultidcBinary {
    static let path: String? = {
        var candidates: [URL] = []
        var walk = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(walk.deletingLastPathComponent())
        while walk.path != "/" {
            if walk.pathExtension == "xctest" { candidates.append(walk.deletingLastPathComponent()) }
            walk = walk.deletingLastPathComponent()
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        return candidates.map { $0.appendingPathComponent("multidc").path }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
}

/// The built `multidc` executable (issue 13): output failures, argument validation and exit
/// codes. Never runs a tool: every case fails before observing, or only parses.
@Suite(.enabled(if: MultidcBinary.path != nil, "the built multidc binary was not found next to the test bundle"))
struct CommandLineTests {
    static var binary: String? { MultidcBinary.path }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let example = packageRoot.appendingPathComponent("examples/vault-raft/spec.yaml").path

    struct Outcome {
        var status: Int32
        var signalled: Bool
        var stdout: String
        var stderr: String
    }

    /// Runs `argv` with stdout sent to `stdout` (nil: captured) and stderr captured.
    static func run(_ argv: [String], stdout: FileHandle? = nil, environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = stdout ?? out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        let outData = stdout == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
            stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    static func multidc(_ args: String..., stdout: FileHandle? = nil, environment: [String: String] = [:]) throws -> Outcome {
        try run([binary!] + args, stdout: stdout, environment: environment)
    }

    /// `>/dev/full`: the write fails with ENOSPC; multidc says so and exits 1 (it trapped, or
    /// exited 0 with the output lost).
    @Test(arguments: [["validate"], ["render"], ["validate", "-o", "json"], ["--help"]])
    func fullStdoutIsAnErrorNotACrash(_ args: [String]) throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let argv = args == ["--help"] ? args : args.prefix(1) + [Self.example] + args.dropFirst()
        let r = try Self.run([Self.binary!] + argv, stdout: full)
        #expect(!r.signalled)
        #expect(r.status == 1)
        #expect(r.stderr == "error: cannot write to standard output: No space left on device\n")
    }

    /// A pipe whose reader is gone (`| head -c100` that has finished): exit 141 quietly.
    @Test func closedPipeExits141Quietly() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])  // no reader from the start: the first write fails with EPIPE
        let writer = FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
        let r = try Self.multidc("render", Self.example, stdout: writer)
        #expect(!r.signalled)
        #expect(r.status == 141)
        #expect(r.stderr == "")
    }

    /// `2>&-` and `>&-`: nothing traps; a closed stdout is a failed write.
    @Test func closedStandardDescriptorsDoNotTrap() throws {
        let noStderr = try Self.run(["/bin/sh", "-c", "\"$0\" validate /nonexistent/spec.yaml 2>&-", Self.binary!])
        #expect(!noStderr.signalled)
        #expect(noStderr.status == 1)
        let noStdout = try Self.run(["/bin/sh", "-c", "\"$0\" validate \"$1\" >&-", Self.binary!, Self.example])
        #expect(noStdout.status == 1)
        #expect(noStdout.stderr == "error: cannot write to standard output: Bad file descriptor\n")
    }

    /// Negative, zero, too long and malformed values get a clear reason; usage errors exit 64.
    @Test(arguments: [
        (["apply", "s.yaml", "--parallelism", "-1"], "Error: --parallelism must be at least 1, got -1"),
        (["destroy", "s.yaml", "--parallelism", "0"], "Error: --parallelism must be at least 1, got 0"),
        (["apply", "s.yaml", "--timeout", "-5s"], "Error: --timeout '-5s' is negative; a duration must be positive"),
        (["apply", "s.yaml", "--timeout", "0s"], "Error: --timeout '0s' is zero; a duration must be positive"),
        (["apply", "s.yaml", "--timeout", "9999999999h"], "Error: --timeout '9999999999h' is too long; the longest duration is 2562047h"),
        (
            ["apply", "s.yaml", "--wait-timeout", "5d"],
            "Error: --wait-timeout '5d' is not a duration; write it like 10m, 90s, 1.5s or 1h30m"
        ),
        (
            ["render", "s.yaml", "--assume", "kms.url=a", "--assume", "kms.url=b"],
            "Error: --assume kms.url is given twice; give each name once"
        ),
    ])
    func usageErrorsSayWhyAndExit64(_ args: [String], _ message: String) throws {
        let r = try Self.run([Self.binary!] + args)
        #expect(r.status == 64)
        #expect(r.stderr.split(separator: "\n").first.map(String.init) == message)
    }

    /// `1.5s` is a duration (multidc prints durations that way): apply gets past the arguments
    /// and stops at the missing spec.
    @Test func decimalDurationsAreAccepted() throws {
        let r = try Self.multidc("apply", "/nonexistent/spec.yaml", "--timeout", "1.5s", "--wait-timeout", "0.5m")
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("/nonexistent/spec.yaml:1:1: error: no such file\n"))
    }

    /// --assume cannot override what the spec pins; pool errors with an assumed subnet say so.
    @Test func assumptionsAgainstTheSpec() throws {
        let fiveDC = Self.packageRoot.appendingPathComponent("examples/five-dc/spec.yaml").path
        let pinned = try Self.multidc("render", fiveDC, "--assume", "network.subnet=10.0.0.0/16")
        #expect(pinned.status == 64)
        #expect(
            pinned.stderr
                == "Error: --assume network.subnet is pinned to 172.30.0.0/16 by the spec (spec.network.subnet); it cannot be assumed\n")
        let small = try Self.multidc("render", Self.example, "--assume", "network.subnet=10.0.0.0/30")
        #expect(small.status == 1)
        #expect(small.stderr.contains("(with --assume network.subnet=10.0.0.0/30)"))
    }

    /// A directory as spec says so; a bad MULTIDC_STATE_DIR names the variable and the path.
    @Test func pathsSayWhatIsWrong() throws {
        let dir = try Self.multidc("validate", NSTemporaryDirectory())
        #expect(dir.status == 1)
        #expect(dir.stderr.hasPrefix("\(NSTemporaryDirectory()):1:1: error: is a directory, not a file\n"))
        let file = NSTemporaryDirectory() + "multidc-state-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: file) }
        let state = try Self.multidc("apply", Self.example, "--yes", environment: ["MULTIDC_STATE_DIR": file + "/sub"])
        #expect(state.status == 1)
        #expect(state.stderr == "error: cannot use the state directory of MULTIDC_STATE_DIR=\(file)/sub: '\(file)' is not a directory\n")
    }

    /// A permission failure gives the reason (run as nobody when the tests run as root).
    @Test func permissionFailuresGiveTheReason() throws {
        let file = NSTemporaryDirectory() + "multidc-perm-\(UUID().uuidString).yaml"
        _ = FileManager.default.createFile(atPath: file, contents: Data("a: 1\n".utf8), attributes: [.posixPermissions: 0o600])
        defer { try? FileManager.default.removeItem(atPath: file) }
        if getuid() == 0 {
            #expect(chown(file, 0, 0) == 0)
            let setpriv = "/usr/bin/setpriv"
            guard FileManager.default.isExecutableFile(atPath: setpriv) else { return }
            let r = try Self.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", Self.binary!, "validate", file])
            #expect(r.stderr.hasPrefix("\(file):1:1: error: cannot read the file: Permission denied\n"))
        } else {
            #expect(chmod(file, 0) == 0)
            let r = try Self.multidc("validate", file)
            #expect(r.stderr.hasPrefix("\(file):1:1: error: cannot read the file: Permission denied\n"))
        }
    }

    /// Render output cannot be given extra documents through names printed in comments.
    @Test func renderCommentsAreEscaped() throws {
        let dir = NSTemporaryDirectory() + "multidc-render-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let template = "weird\n---\nkind: Secret.yaml"
        _ = FileManager.default.createFile(atPath: dir + "/" + template, contents: Data("kind: Vault\n".utf8))
        let spec = """
            apiVersion: multidc/v1alpha1
            kind: Topology
            metadata: { name: t }
            spec:
              kms: { image: vault:1.6.2 }
              operator: { chart: c }
              vault: { template: "weird\\n---\\nkind: Secret.yaml" }
              clusters: [{ name: a }]
            """
        _ = FileManager.default.createFile(atPath: dir + "/spec.yaml", contents: Data(spec.utf8))
        let r = try Self.multidc("render", dir + "/spec.yaml")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("# Vault CR from \(dir)/weird\\n---\\nkind: Secret.yaml\n---\n"))
        #expect(!r.stdout.contains("\nkind: Secret"))
    }
}
