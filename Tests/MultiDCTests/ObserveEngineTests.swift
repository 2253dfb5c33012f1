import Foundation
import MultiDCTestSupport
import Testing

@testable import MultiDC

/// The observer against the REAL docker client and engine (no kind/kubectl/helm: the clusters
/// are scripted). Skipped with a printed reason when no engine answers, except under CI=true,
/// where a missing engine fails.
@Suite("Observe: real Docker engine", .serialized)
struct ObserveEngineTests {
    static let runner = SubprocessRunner(defaultTimeout: .seconds(120))

    /// Whether the engine answers; records an issue under CI when it does not.
    static func engineAvailable() async -> Bool {
        let result = try? await runner.run(Command("docker", ["version", "--format", "{{.Server.Version}}"]))
        if let result, result.isSuccess { return true }
        let reason = result?.lastErrorLine ?? "docker CLI not found"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("CI=true but no Docker engine answers: \(reason)")
        } else {
            print("skipping real-engine test: no Docker engine answers (\(reason))")
        }
        return false
    }

    @discardableResult
    static func docker(_ args: [String], stdin: [UInt8]? = nil) async throws -> CommandResult {
        try await runner.run(Command("docker", args, standardInput: stdin.map { .init($0) }))
    }

    /// A busybox image made with `docker import` (no pull possible).
    static func makeImage(tag: String) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("multidc-img-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("bin"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(atPath: "/usr/bin/busybox", toPath: dir.appendingPathComponent("bin/busybox").path)
        for tool in ["sh", "sleep"] {
            try FileManager.default.createSymbolicLink(
                atPath: dir.appendingPathComponent("bin/\(tool)").path, withDestinationPath: "busybox")
        }
        let tar = try await runner.run(Command("tar", ["-C", dir.path, "-c", "."]))
        try #require(tar.isSuccess)
        let imported = try await docker(["import", "-", tag], stdin: tar.standardOutput)
        try #require(imported.isSuccess, "docker import: \(imported.stderr)")
    }

    @Test("network, kind-labelled nodes, a stopped KMS and a foreign container, read with 2 docker calls")
    func observeRealEngine() async throws {
        guard await Self.engineAvailable() else { return }
        guard FileManager.default.fileExists(atPath: "/usr/bin/busybox") else {
            print("skipping real-engine test: /usr/bin/busybox is missing")
            return
        }
        let id = "mdc\(UInt32.random(in: 0...UInt32.max))"
        let image = "multidc-observe-test/\(id):1"
        let network = "\(id)-net"
        let nodes = ["\(id)a-control-plane", "\(id)a-worker"]
        let kms = "\(id)-kms"
        let foreign = "\(id)-foreign"
        defer {
            // Synchronous cleanup so it runs even when an expectation throws.
            let cleanup = Process()
            cleanup.executableURL = URL(fileURLWithPath: "/bin/sh")
            cleanup.arguments = [
                "-c",
                "docker rm -f \"$1\" \"$2\" \"$3\" \"$4\" >/dev/null 2>&1; docker network rm \"$5\" >/dev/null 2>&1; docker rmi \"$6\" >/dev/null 2>&1; true",
                "sh", nodes[0], nodes[1], kms, foreign, network, image,
            ]
            try? cleanup.run()
            cleanup.waitUntilExit()
        }
        try await Self.makeImage(tag: image)
        try #require(
            try await Self.docker(["network", "create", "-d=bridge", "-o", "com.docker.network.driver.mtu=1500", network]).isSuccess)
        for (node, role) in zip(nodes, ["control-plane", "worker"]) {
            let run = try await Self.docker([
                "run", "-d", "--name", node, "--network", network, "--label", "io.x-k8s.kind.cluster=\(id)a",
                "--label", "io.x-k8s.kind.role=\(role)", image, "sleep", "600",
            ])
            try #require(run.isSuccess, "docker run: \(run.stderr)")
        }
        try #require(
            try await Self.docker([
                "run", "-d", "--name", kms, "--network", network, "--label", "app.kubernetes.io/managed-by=multidc",
                "--label", "multidc/topology=\(id)", "-e", "VAULT_DEV_ROOT_TOKEN_ID=root", image, "sh", "-c", "exit 0",
            ]).isSuccess)
        try #require(
            try await Self.docker(["run", "-d", "--name", foreign, "--network", network, "--label", "note=a,b", image, "sleep", "600"])
                .isSuccess)
        _ = try await Self.docker(["wait", kms])

        let recorder = RecordingRunner(inner: Self.runner)
        let world = await Observer(runner: recorder).observe(
            ObservationTarget(
                topologyName: id, provider: .kind, networkName: network, kmsContainerName: kms, clusters: []))
        #expect(recorder.calls.count == 2)
        #expect(world.engine == .reachable)
        let observed = try #require(world.network.value)
        #expect(observed.name == network)
        #expect(observed.ipv4Subnet != nil)
        #expect(observed.ipv4Gateway != nil)
        #expect(observed.options["com.docker.network.driver.mtu"] == "1500")
        #expect(observed.containers.count == 3, "two nodes and the foreign container run; the KMS exited")
        let cluster = try #require(world.kindCluster(named: "\(id)a"))
        #expect(cluster.nodes.map(\.name) == nodes)
        #expect(cluster.nodes.map(\.role) == ["control-plane", "worker"])
        #expect(cluster.isRunning)
        #expect(cluster.nodes.allSatisfy { $0.container.ipv4Address != nil && $0.container.image == image })
        let kmsContainer = try #require(world.kms.container)
        #expect(kmsContainer.state == .exited)
        #expect(kmsContainer.ipv4Address == nil)
        #expect(world.ownedContainers.map(\.name) == [kms])
        #expect(world.container(named: foreign)?.labels["note"] == "a,b")

        let missing = await Observer(runner: Self.runner).observe(
            ObservationTarget(
                topologyName: id, provider: .kind, networkName: "\(id)-missing", clusters: []))
        #expect(missing.network == .absent)
    }
}

/// Forwards to another runner and records the calls (to count processes on a real engine).
final class RecordingRunner: CommandRunner {
    let inner: any CommandRunner
    private let recorded = ScriptedRunner()

    init(inner: any CommandRunner) { self.inner = inner }

    var calls: [Command] { recorded.calls }

    func run(_ command: Command) async throws -> CommandResult {
        _ = try await recorded.run(command)
        return try await inner.run(command)
    }
}
