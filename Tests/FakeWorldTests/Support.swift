import Foundation
import Testing

/// Runs the BUILT fakeworld binary (through its kind/kubectl/helm links) in a private world:
/// its own FAKEWORLD_HOME, kubeconfig and link directory, unique cluster and network names.
final class TestWorld: @unchecked Sendable {
    struct Run: CustomStringConvertible {
        var stdout: String
        var stderr: String
        var code: Int32
        var description: String { "rc=\(code)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    let dir: URL
    let bin: URL
    let id: String
    var env: [String: String]
    private var cleanups: [() -> Void] = []
    private let lock = NSLock()

    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["FAKEWORLD_BIN"] { return b }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            exe.appendingPathComponent("fakeworld").path,
            FileManager.default.currentDirectoryPath + "/.build/debug/fakeworld",
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    init() throws {
        id = String(UUID().uuidString.lowercased().prefix(6))
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("fwtest-\(id)")
        bin = dir.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        for tool in ["kind", "kubectl", "helm"] {
            try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent(tool).path, withDestinationPath: TestWorld.binary)
        }
        var e = ProcessInfo.processInfo.environment
        e["FAKEWORLD_HOME"] = dir.appendingPathComponent("home").path
        e["KUBECONFIG"] = dir.appendingPathComponent("kubeconfig").path
        e["HOME"] = dir.path
        e["PATH"] = bin.path + ":" + (e["PATH"] ?? "/usr/bin:/bin")
        e["FAKEWORLD_LATENCY"] = nil
        e["FAKEWORLD_FAULTS"] = nil
        e["KIND_EXPERIMENTAL_DOCKER_NETWORK"] = nil
        e["KIND_CLUSTER_NAME"] = nil
        env = e
    }

    deinit { cleanup() }

    /// Removes every container and network this world made, then its directory. Idempotent; tests
    /// call it in a `defer` (deinit is only a fallback).
    func cleanup() {
        lock.lock()
        let work = cleanups
        cleanups = []
        lock.unlock()
        for c in work.reversed() { c() }
        try? FileManager.default.removeItem(at: dir)
    }

    func onCleanup(_ f: @escaping () -> Void) { lock.lock(); cleanups.append(f); lock.unlock() }

    /// A unique docker network for this world (removed at the end).
    func useNetwork() -> String {
        let net = "fwt-\(id)"
        env["KIND_EXPERIMENTAL_DOCKER_NETWORK"] = net
        onCleanup {
            // An endpoint may linger a moment after `docker rm -f`: retry briefly.
            for _ in 0..<10 {
                let r = TestWorld.exec("/usr/bin/env", ["docker", "network", "rm", net], env: ProcessInfo.processInfo.environment)
                if r.code == 0 || r.stderr.contains("not found") { break }
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        return net
    }

    func cluster(_ short: String) -> String { "fw\(id)\(short)" }

    @discardableResult
    func run(_ tool: String, _ args: [String], stdin: String? = nil, env extra: [String: String] = [:]) -> Run {
        var e = env
        for (k, v) in extra { e[k] = v }
        let path = tool == "docker" || tool == "fakeworld" ? tool : bin.appendingPathComponent(tool).path
        if tool == "fakeworld" { return TestWorld.exec(TestWorld.binary, args, env: e, stdin: stdin) }
        if tool == "docker" { return TestWorld.exec("/usr/bin/env", ["docker"] + args, env: e, stdin: stdin) }
        return TestWorld.exec(path, args, env: e, stdin: stdin)
    }

    func kind(_ args: String..., stdin: String? = nil) -> Run { run("kind", args, stdin: stdin) }
    func kubectl(_ args: String..., stdin: String? = nil) -> Run { run("kubectl", args, stdin: stdin) }
    func helm(_ args: String...) -> Run { run("helm", args) }
    func docker(_ args: String...) -> Run { run("docker", args) }

    /// Creates a kind cluster and registers its deletion.
    @discardableResult
    func createCluster(_ name: String, extra: [String] = []) -> Run {
        onCleanup { [env, bin] in
            _ = TestWorld.exec(bin.appendingPathComponent("kind").path, ["delete", "cluster", "--name", name], env: env)
        }
        return run("kind", ["create", "cluster", "--name", name] + extra)
    }

    func write(_ name: String, _ text: String) -> String {
        let url = dir.appendingPathComponent(name)
        try? text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static func exec(_ path: String, _ args: [String], env: [String: String], stdin: String? = nil) -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        do { try p.run() } catch { return Run(stdout: "", stderr: "cannot run \(path): \(error)", code: -1) }
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try? input.fileHandleForWriting.close()
        }
        let box = ErrBox()
        let g = DispatchGroup()
        g.enter()
        DispatchQueue.global().async {
            box.data = err.fileHandleForReading.readDataToEndOfFile(); g.leave()
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        g.wait()
        p.waitUntilExit()
        return Run(stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: box.data, as: UTF8.self), code: p.terminationStatus)
    }

    /// The IPv4 subnet of a docker network, e.g. "172.22.0.0/16" → ("172", "22").
    func subnetPrefix(_ network: String) -> (String, String)? {
        let r = docker("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{end}}", network)
        guard let v4 = r.stdout.split(separator: " ").first(where: { $0.contains(".") }) else { return nil }
        let parts = v4.split(separator: ".")
        return (String(parts[0]), String(parts[1]))
    }
}

private final class ErrBox: @unchecked Sendable { var data = Data() }

/// Docker gating (docs/style.md#tests-swift-testing): skip with a printed reason when no engine answers, except in CI,
/// where the tests run and a missing engine fails them.
enum Engine {
    static let available: Bool = {
        let r = TestWorld.exec(
            "/usr/bin/env", ["docker", "version", "--format", "{{.Server.Version}}"], env: ProcessInfo.processInfo.environment)
        if r.code != 0 && ProcessInfo.processInfo.environment["CI"] != "true" {
            print(
                "fakeworld tests: skipping Docker tests: no Docker engine answers (\(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))"
            )
        }
        return r.code == 0
    }()
    static var required: Bool { available || ProcessInfo.processInfo.environment["CI"] == "true" }

    static func requireEngine() throws {
        try #require(available, "CI=true requires a Docker engine; none answers")
    }

    /// The images the world needs (built once per test process).
    static let images: Bool = {
        let r = TestWorld.exec(
            TestWorld.binary, ["image", "--node", "kindest/node:v1.19.1", "--kms", "vault:1.6.2"], env: ProcessInfo.processInfo.environment)
        return r.code == 0
    }()
}

extension Trait where Self == ConditionTrait {
    static var needsDocker: Self { .enabled(if: Engine.required, "no Docker engine answers (set CI=true to make this a failure)") }
}
