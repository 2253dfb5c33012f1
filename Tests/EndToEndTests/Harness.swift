import Foundation
import Testing
import YAML

/// The end-to-end suite: the BUILT `multidc` and `fakeworld` binaries against the real Docker
/// engine. Serialized (the machine has two cores and every scenario runs several clusters);
/// skipped with a printed reason when no engine answers, except with CI=true, where a missing
/// engine fails every test instead (see `E2EWorld.make`).
@Suite(
    "End to end (multidc + fakeworld on the Docker engine)", .serialized,
    .enabled(if: Engine.shouldRun, "no Docker engine answers (`docker version` failed); set CI=true to make this a failure"))
struct EndToEndTests {}

// MARK: - The engine gate

enum Engine {
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// nil when the engine answers, else why not.
    static let unavailableReason: String? = {
        let r = Proc.runSync(
            ["docker", "version", "--format", "{{.Server.Version}}"], environment: ProcessInfo.processInfo.environment, timeout: 30)
        if r.exitCode == 0 { return nil }
        return "`docker version` exited \(r.exitCode): \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
    }()

    /// Run the suite when the engine answers, and always on CI (where a missing engine must fail).
    static let shouldRun: Bool = {
        if let reason = unavailableReason {
            if isCI { return true }
            FileHandle.standardError.write(Data("EndToEndTests skipped: no Docker engine answers: \(reason)\n".utf8))
            return false
        }
        return true
    }()
}

// MARK: - Running processes (argv only, never a shell)

struct ProcResult: CustomStringConvertible {
    var argv: [String]
    var exitCode: Int32
    var stdout: String
    var stderr: String
    /// The child died of a signal (uncaught).
    var signalled: Bool

    var description: String {
        "$ \(argv.joined(separator: " "))\n→ exit \(exitCode)\(signalled ? " (signal)" : "")\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)"
    }
}

enum Proc {
    /// Starts `argv` (resolved through PATH of `environment` by /usr/bin/env) with stdout and
    /// stderr going to files, so no pipe can fill up.
    final class Running: @unchecked Sendable {
        let process = Process()
        let argv: [String]
        let out: URL
        let err: URL

        /// - Parameter stdin: the child's standard input (nil: /dev/null).
        init(_ argv: [String], environment: [String: String], directory: URL? = nil, stdin: String? = nil) throws {
            self.argv = argv
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-proc-\(UUID().uuidString)")
            out = base.appendingPathExtension("out")
            err = base.appendingPathExtension("err")
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            _ = FileManager.default.createFile(atPath: err.path, contents: nil)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = argv
            process.environment = environment
            if let directory { process.currentDirectoryURL = directory }
            if let stdin {
                let input = base.appendingPathExtension("in")
                _ = FileManager.default.createFile(atPath: input.path, contents: Data(stdin.utf8))
                process.standardInput = try FileHandle(forReadingFrom: input)
                try? FileManager.default.removeItem(at: input)  // the open handle keeps it readable
            } else {
                process.standardInput = FileHandle.nullDevice
            }
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }

        /// Waits for the child; past `timeout` seconds it is killed and the result says so in stderr.
        func wait(timeout: TimeInterval) -> ProcResult {
            let deadline = Date().addingTimeInterval(timeout)
            var killed = false
            while process.isRunning {
                if Date() > deadline {
                    kill(process.processIdentifier, SIGKILL)
                    killed = true
                    process.waitUntilExit()
                    break
                }
                usleep(20_000)
            }
            process.waitUntilExit()
            let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            var stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
            if killed { stderr += "\n[e2e harness: killed after \(Int(timeout)) s]" }
            return ProcResult(
                argv: argv, exitCode: process.terminationStatus, stdout: stdout, stderr: stderr,
                signalled: process.terminationReason == .uncaughtSignal)
        }
    }

    static func runSync(
        _ argv: [String], environment: [String: String], timeout: TimeInterval = 300, directory: URL? = nil, stdin: String? = nil
    ) -> ProcResult {
        do {
            return try Running(argv, environment: environment, directory: directory, stdin: stdin).wait(timeout: timeout)
        } catch {
            return ProcResult(argv: argv, exitCode: 127, stdout: "", stderr: "cannot start \(argv[0]): \(error)", signalled: false)
        }
    }
}

// MARK: - Locating the built binaries

enum Binaries {
    /// The directory holding the built `multidc` and `fakeworld`: the test bundle's own bin dir
    /// (the xctest bundle lives next to them), else `swift build --show-bin-path`.
    static let directory: Result<URL, BinariesMissing> = {
        var candidates: [URL] = []
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(argv0.deletingLastPathComponent())
        // …/debug/multidcPackageTests.xctest[/Contents/MacOS/…] on macOS: walk up to the .xctest's parent.
        var walk = argv0
        while walk.path != "/" {
            if walk.pathExtension == "xctest" { candidates.append(walk.deletingLastPathComponent()) }
            walk = walk.deletingLastPathComponent()
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for dir in candidates where has(dir) { return .success(dir) }
        let root = packageRoot
        let r = Proc.runSync(["swift", "build", "--show-bin-path"], environment: ProcessInfo.processInfo.environment, timeout: 120)
        let shown = URL(fileURLWithPath: r.stdout.trimmingCharacters(in: .whitespacesAndNewlines), relativeTo: root)
        if r.exitCode == 0, has(shown) { return .success(shown) }
        return .failure(
            BinariesMissing(
                message: """
                    the built multidc and fakeworld binaries were not found (looked in \(candidates.map(\.path).joined(separator: ", ")) \
                    and `swift build --show-bin-path` → \(shown.path)); run `swift build --build-tests` first
                    """))
    }()

    static func has(_ dir: URL) -> Bool {
        let fm = FileManager.default
        return fm.isExecutableFile(atPath: dir.appendingPathComponent("multidc").path)
            && fm.isExecutableFile(atPath: dir.appendingPathComponent("fakeworld").path)
    }

    /// The package root: Tests/EndToEndTests/Harness.swift → ../../..
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
}

struct BinariesMissing: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

struct HarnessFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Images (built once per process, under tags only this suite uses)

/// The images the e2e specs use. Other suites (and the demo) run `fakeworld image` with the
/// examples' own tags (kindest/node:v1.19.1, vault:1.6.2) concurrently; every run re-imports
/// and moves the tag, after which `docker ps` shows running containers by image ID. Tags only
/// this suite builds keep that from leaking into its plans.
enum Images {
    static let prefix = "multidc-e2e"

    static func node(_ version: String) -> String { "\(prefix)/kindest-node:\(version)" }
    static func vault(_ version: String) -> String { "\(prefix)/vault:\(version)" }

    nonisolated(unsafe) static var built: Set<String> = []
    static let lock = NSLock()

    /// `fakeworld image` for the tags that do not exist yet (idempotent: an existing tag is kept).
    static func ensure(node: String, kms: String, fakeworld: URL, environment: [String: String]) throws {
        lock.lock()
        defer { lock.unlock() }
        var args: [String] = []
        for (flag, tag) in [("--node", node), ("--kms", kms)] where !built.contains(tag) {
            let inspect = Proc.runSync(["docker", "image", "inspect", "--format", "{{.Id}}", tag], environment: environment, timeout: 60)
            if inspect.exitCode == 0 { built.insert(tag) } else { args += [flag, tag] }
        }
        guard !args.isEmpty else { return }
        let r = Proc.runSync([fakeworld.path, "image"] + args, environment: environment, timeout: 180)
        guard r.exitCode == 0 else { throw HarnessFailure("fakeworld image failed:\n\(r)") }
        built.insert(node)
        built.insert(kms)
    }

    /// `fakeworld image --app REF` for the images a spec loads (`multidc images`) that the
    /// engine lacks: `kind load docker-image` reads them from the host's docker.
    static func ensureLoaded(spec: String, binDir: URL, environment: [String: String]) throws {
        let listed = Proc.runSync([binDir.appendingPathComponent("multidc").path, "images", spec], environment: environment, timeout: 60)
        guard listed.exitCode == 0 else { throw HarnessFailure("multidc images failed:\n\(listed)") }
        try ensure(
            apps: listed.stdout.split(separator: "\n").map(String.init), fakeworld: binDir.appendingPathComponent("fakeworld"),
            environment: environment)
    }

    static func ensure(apps: [String], fakeworld: URL, environment: [String: String]) throws {
        lock.lock()
        defer { lock.unlock() }
        let missing = apps.filter { !built.contains($0) }
        guard !missing.isEmpty else { return }
        let r = Proc.runSync([fakeworld.path, "image"] + missing.flatMap { ["--app", $0] }, environment: environment, timeout: 180)
        guard r.exitCode == 0 else { throw HarnessFailure("fakeworld image failed:\n\(r)") }
        built.formUnion(missing)
    }
}

// MARK: - One test's world

/// An example copied into a temp dir and rewritten so that every global name is unique to this
/// test (cluster names, topology, network, KMS, shared secrets, images), plus the environment
/// that points kind/kubectl/helm at fakeworld. `close()` removes everything it made.
final class E2EWorld: @unchecked Sendable {
    let id: String
    let dir: URL
    let home: URL
    let binDir: URL
    let toolDir: URL
    let specPath: String
    let topology: String
    let network: String
    let kmsName: String
    /// Original example cluster name → unique name.
    let clusters: [(original: String, name: String)]
    let leader: String
    let subnet: String?
    var environment: [String: String]
    /// Extra containers the test made (removed by close()).
    var extraContainers: [String] = []
    /// `provider: existing`: the spec keeps its kubeconfig contexts and external KMS URL; the test
    /// makes the clusters (kind, on `network`) and the KMS (container `kmsName`) itself.
    let existing: Bool
    /// The node image (provider kind: the spec's; existing: the one the test's kind clusters use).
    let nodeImage: String
    /// The KMS image (provider kind: the spec's; existing: the test's external dev-mode Vault).
    let kmsImage: String
    /// provider existing: unique cluster name → the kubeconfig context the spec names for it.
    let contexts: [String: String]

    static func make(
        example: String, metalLBVersion: String? = nil, pinSubnet: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> E2EWorld {
        try make(
            source: Binaries.packageRoot.appendingPathComponent("examples/\(example)"), metalLBVersion: metalLBVersion,
            pinSubnet: pinSubnet, sourceLocation: sourceLocation)
    }

    /// A world from a topology directory (a spec.yaml and the files it names), rewritten like an example.
    static func make(
        source: URL, metalLBVersion: String? = nil, pinSubnet: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> E2EWorld {
        let bin = try binDirectory(sourceLocation: sourceLocation)
        return try E2EWorld(source: source, binDir: bin, metalLBVersion: metalLBVersion, pinSubnet: pinSubnet)
    }

    /// The built binaries' directory; a missing engine or binary is a recorded failure.
    static func binDirectory(sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        if let reason = Engine.unavailableReason {
            // Only reached with CI=true (otherwise the suite is disabled): a failure, never a skip.
            Issue.record("CI=true but no Docker engine answers: \(reason)", sourceLocation: sourceLocation)
            throw HarnessFailure("no Docker engine")
        }
        switch Binaries.directory {
        case .success(let url): return url
        case .failure(let missing):
            Issue.record("\(missing.message)", sourceLocation: sourceLocation)
            throw missing
        }
    }

    private init(source: URL, binDir: URL, metalLBVersion: String?, pinSubnet: Bool) throws {
        let fm = FileManager.default
        id = String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(6))
        self.binDir = binDir
        dir = fm.temporaryDirectory.appendingPathComponent("multidc-e2e-\(id)")
        home = dir.appendingPathComponent("world")
        toolDir = dir.appendingPathComponent("bin")
        try fm.createDirectory(at: home, withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent("state"), withIntermediateDirectories: true)

        var env = ProcessInfo.processInfo.environment
        for key in env.keys
        where key.hasPrefix("FAKEWORLD_") || key.hasPrefix("MULTIDC_") || key.hasPrefix("KIND_") || key.hasPrefix("HELM_") {
            env[key] = nil
        }
        env["FAKEWORLD_HOME"] = home.path
        env["KUBECONFIG"] = dir.appendingPathComponent("kubeconfig").path
        env["MULTIDC_STATE_DIR"] = dir.appendingPathComponent("state").path
        env["PATH"] = "\(toolDir.path):\(binDir.path):\(env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")"
        env["NO_COLOR"] = "1"
        environment = env

        // Links kind/kubectl/helm → fakeworld.
        let install = Proc.runSync(
            [binDir.appendingPathComponent("fakeworld").path, "install", toolDir.path], environment: env, timeout: 60)
        guard install.exitCode == 0 else { throw HarnessFailure("fakeworld install failed:\n\(install)") }

        // Copy the topology and rewrite its names.
        let target = dir.appendingPathComponent("spec")
        try fm.copyItem(at: source, to: target)
        let specURL = target.appendingPathComponent("spec.yaml")
        let text = try String(contentsOf: specURL, encoding: .utf8)
        guard var spec = try YAMLParser.parse(text, file: specURL.path) else { throw HarnessFailure("empty spec \(specURL.path)") }

        let prefix = "e\(id)"
        let topology = "e2e-\(id)-\(spec[path: "metadata", "name"]?.string ?? "topology")"
        spec["metadata"]?["name"] = .string(topology)
        self.topology = topology

        var body = spec["spec"] ?? .mapping([])
        let existing = body["provider"]?.string == "existing"
        self.existing = existing
        let network = "e2e-\(id)-net"
        var net = body["network"] ?? .mapping([])
        net["name"] = .string(network)
        var subnetPrefix: (old: String, new: String)?
        if pinSubnet || net["subnet"] != nil {
            let chosen = try E2EWorld.freeSubnet(environment: env)
            if let old = net["subnet"]?.string {
                // "172.30.0.0/16" → old prefix "172.30."; pinned pools are moved along.
                let oldParts = old.split(separator: ".")
                let newParts = chosen.split(separator: ".")
                subnetPrefix = ("\(oldParts[0]).\(oldParts[1]).", "\(newParts[0]).\(newParts[1]).")
            }
            net["subnet"] = .string(chosen)
            subnet = chosen
        } else {
            subnet = nil
        }
        // provider existing takes no network: the test's kind clusters and KMS use it.
        if !existing { body["network"] = net }
        self.network = network

        // Images only this suite tags (see Images).
        let nodeVersion = body["nodeImage"]?.string?.split(separator: ":").last.map(String.init) ?? (existing ? "v1.33.1" : "v1.19.1")
        let nodeImage = Images.node(nodeVersion)
        var kms = body["kms"] ?? .mapping([])
        let kmsName = "e2e-\(id)-kms"
        let kmsVersion = kms["image"]?.string?.split(separator: ":").last.map(String.init) ?? "1.6.2"
        let kmsImage = Images.vault(kmsVersion)
        if !existing {
            // provider existing takes neither nodeImage nor a KMS container: its KMS is kms.url.
            body["nodeImage"] = .string(nodeImage)
            kms["name"] = .string(kmsName)
            kms["image"] = .string(kmsImage)
            body["kms"] = kms
        }
        self.nodeImage = nodeImage
        self.kmsImage = kmsImage
        self.kmsName = kmsName

        if let metalLBVersion {
            body["loadBalancer"] = .mapping(["metallb": .mapping(["version": .string(metalLBVersion)])])
        }

        var mapping: [(original: String, name: String)] = []
        var clusterNodes: [Node] = []
        var contexts: [String: String] = [:]
        for var cluster in body["clusters"]?.sequence ?? [] {
            let original = cluster["name"]?.string ?? ""
            let name = "\(prefix)-\(original)"
            mapping.append((original, name))
            if let context = cluster["context"]?.string { contexts[name] = context }
            cluster["name"] = .string(name)
            if let pool = cluster["pool"]?.string, let subnetPrefix {
                cluster["pool"] = .string(pool.replacingOccurrences(of: subnetPrefix.old, with: subnetPrefix.new))
            }
            clusterNodes.append(cluster)
        }
        body["clusters"] = .sequence(clusterNodes)
        clusters = mapping
        self.contexts = contexts
        func renamed(_ original: String) -> String { mapping.first { $0.original == original }?.name ?? original }

        var vault = body["vault"] ?? .mapping([])
        let leaderOriginal = vault["leader"]?.string ?? mapping.first?.original ?? ""
        leader = renamed(leaderOriginal)
        if vault["leader"] != nil { vault["leader"] = .string(leader) }
        // Secret names carry the leader's name: vault-<leader>-tls.
        let secretRenames = mapping.map { ("vault-\($0.original)-", "vault-\($0.name)-") }
        if let shared = vault["shareSecrets"]?.sequence {
            vault["shareSecrets"] = .sequence(
                shared.map { node in
                    var s = node.string ?? ""
                    for (old, new) in secretRenames where s.hasPrefix(old) { s = new + s.dropFirst(old.count) }
                    return .string(s)
                })
        }
        body["vault"] = vault
        spec["spec"] = body
        try YAMLEmitter.emit([spec]).write(to: specURL, atomically: true, encoding: .utf8)
        specPath = specURL.path

        // Templates: literal secret names (vault-primary-tls in the follower template).
        for file in try fm.contentsOfDirectory(atPath: target.path) where file.hasSuffix(".yaml") && file != "spec.yaml" {
            let url = target.appendingPathComponent(file)
            var t = try String(contentsOf: url, encoding: .utf8)
            for (old, new) in secretRenames { t = t.replacingOccurrences(of: old + "tls", with: new + "tls") }
            try t.write(to: url, atomically: true, encoding: .utf8)
        }

        try Images.ensure(node: nodeImage, kms: kmsImage, fakeworld: binDir.appendingPathComponent("fakeworld"), environment: env)
        if body["images"] != nil { try Images.ensureLoaded(spec: specPath, binDir: binDir, environment: env) }
    }

    /// The unique name of an example cluster ("secondary" → "e1a2b3c-secondary").
    func cluster(_ original: String) -> String {
        clusters.first { $0.original == original }?.name ?? original
    }

    var clusterNames: [String] { clusters.map(\.name) }

    /// A /16 in 10.0.0.0/8 that no docker network uses.
    static func freeSubnet(environment: [String: String]) throws -> String {
        let ids = Proc.runSync(["docker", "network", "ls", "-q"], environment: environment, timeout: 60).stdout
            .split(separator: "\n").map(String.init)
        var used: [(UInt32, UInt32)] = []
        if !ids.isEmpty {
            let r = Proc.runSync(
                ["docker", "network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{end}}"] + ids,
                environment: environment, timeout: 60)
            for word in r.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                if let range = ipv4Range(String(word)) { used.append(range) }
            }
        }
        for _ in 0..<200 {
            let second = UInt32.random(in: 100...250)
            let candidate = "10.\(second).0.0/16"
            let (lo, hi) = ipv4Range(candidate)!
            if !used.contains(where: { $0.0 <= hi && lo <= $0.1 }) { return candidate }
        }
        throw HarnessFailure("no free 10.x.0.0/16 subnet for the test network")
    }

    static func ipv4Range(_ cidr: String) -> (UInt32, UInt32)? {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let bits = UInt32(parts[1]), bits <= 32 else { return nil }
        let octets = parts[0].split(separator: ".").compactMap { UInt32($0) }
        guard octets.count == 4 else { return nil }
        let ip = octets.reduce(0) { $0 << 8 | $1 }
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
        return (ip & mask, (ip & mask) | ~mask)
    }

    // MARK: Commands

    func env(_ extra: [String: String]) -> [String: String] {
        environment.merging(extra) { $1 }
    }

    /// Runs argv with this world's environment (PATH finds kind/kubectl/helm = fakeworld, multidc, docker).
    @discardableResult
    func run(
        _ argv: [String], env extra: [String: String] = [:], timeout: TimeInterval = 300, directory: URL? = nil, stdin: String? = nil
    ) -> ProcResult {
        Proc.runSync(argv, environment: env(extra), timeout: timeout, directory: directory, stdin: stdin)
    }

    /// The built multidc binary.
    var multidcPath: String { binDir.appendingPathComponent("multidc").path }

    /// `multidc <command> <spec> args…`
    @discardableResult
    func multidc(_ command: String, _ args: [String] = [], env extra: [String: String] = [:], timeout: TimeInterval = 300) -> ProcResult {
        run([binDir.appendingPathComponent("multidc").path, command, specPath] + args, env: extra, timeout: timeout)
    }

    func start(_ argv: [String], env extra: [String: String] = [:]) throws -> Proc.Running {
        try Proc.Running(argv, environment: env(extra))
    }

    func startMultidc(_ command: String, _ args: [String] = [], env extra: [String: String] = [:]) throws -> Proc.Running {
        try start([binDir.appendingPathComponent("multidc").path, command, specPath] + args, env: extra)
    }

    func docker(_ args: [String]) -> ProcResult { run(["docker"] + args, timeout: 120) }

    /// The root token Bank-Vaults wrote into the KMS (read from the test world's state).
    func vaultRootToken() throws -> String {
        let state = try JSONSerialization.jsonObject(with: Data(run(["fakeworld", "state"]).stdout.utf8)) as? [String: Any]
        for (_, data) in state?["kms"] as? [String: [String: [String: String]]] ?? [:] {
            for (path, fields) in data where path.hasSuffix("/vault-root") {
                if let b64 = fields["vault-root"], let d = Data(base64Encoded: b64) { return String(decoding: d, as: UTF8.self) }
            }
        }
        throw HarnessFailure("no vault-root in the KMS")
    }

    /// Names of containers (all states) matching docker `--filter` expressions.
    func containers(_ filters: [String]) -> [String] {
        let r = docker(["ps", "-a", "--format", "{{.Names}}"] + filters.flatMap { ["--filter", $0] })
        return r.stdout.split(separator: "\n").map(String.init).sorted()
    }

    func networkExists(_ name: String) -> Bool {
        docker(["network", "inspect", name]).exitCode == 0
    }

    /// calls.log entries (tool, argv, exitCode) of this world.
    /// The kubelet's image pulls in calls.log (fakeworld's `kubelet pull` lines): node, image as
    /// the pod names it.
    func pulls() -> [(node: String, image: String)] {
        calls().filter { $0.tool == "kubelet" }.compactMap { call in
            guard call.argv.count >= 3, call.argv[1] == "pull",
                let obj = try? JSONSerialization.jsonObject(with: Data(call.raw.utf8)) as? [String: Any]
            else { return nil }
            return (obj["node"] as? String ?? "", call.argv[2])
        }
    }

    func calls() -> [Call] {
        let text = (try? String(contentsOf: home.appendingPathComponent("calls.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Call(
                tool: obj["tool"] as? String ?? "", argv: obj["argv"] as? [String] ?? [],
                exitCode: (obj["exitCode"] as? NSNumber)?.intValue ?? -1, raw: String(line))
        }
    }

    var callsLogText: String {
        (try? String(contentsOf: home.appendingPathComponent("calls.log"), encoding: .utf8)) ?? ""
    }

    /// `multidc status -o json`, parsed.
    func statusJSON() throws -> (result: ProcResult, json: [String: Any]) {
        let r = multidc("status", ["-o", "json"])
        let json = try #require(
            try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "status -o json is not JSON:\n\(r)")
        return (r, json)
    }

    /// `multidc diff -o json --detailed-exitcode`, parsed (multidc.plan/v1).
    func planJSON() throws -> (result: ProcResult, plan: PlanDoc) {
        let r = multidc("diff", ["-o", "json", "--detailed-exitcode"])
        let json = try #require(
            try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "diff -o json is not JSON:\n\(r)")
        return (r, PlanDoc(json))
    }

    /// Asserts `status -o json` says healthy with `voters` nodes: one leader, the rest followers, none sealed.
    func expectHealthy(voters: Int, leader: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (r, json) = try statusJSON()
        #expect(r.exitCode == 0, "status exit code\n\(r)", sourceLocation: sourceLocation)
        #expect(json["formatVersion"] as? String == "multidc.status/v2", sourceLocation: sourceLocation)
        #expect(json["healthy"] as? Bool == true, "status is not healthy\n\(r)", sourceLocation: sourceLocation)
        let rows = json["clusters"] as? [[String: Any]] ?? []
        #expect(rows.count == voters, "\(r)", sourceLocation: sourceLocation)
        let roles = rows.compactMap { $0["raftRole"] as? String }
        #expect(roles.filter { $0 == "leader" }.count == 1, "roles \(roles)", sourceLocation: sourceLocation)
        #expect(roles.filter { $0 == "follower" }.count == voters - 1, "roles \(roles)", sourceLocation: sourceLocation)
        #expect(rows.allSatisfy { $0["sealed"] as? Bool == false }, "\(r)", sourceLocation: sourceLocation)
        #expect(Set(rows.compactMap { $0["cluster"] as? String }) == Set(clusterNames), sourceLocation: sourceLocation)
        if let leader {
            #expect(
                rows.first { $0["raftRole"] as? String == "leader" }?["cluster"] as? String == leader, "\(r)",
                sourceLocation: sourceLocation)
        }
        #expect(
            (json["summary"] as? String)?.hasPrefix("healthy: \(voters) of \(voters) voters") == true, "\(r)",
            sourceLocation: sourceLocation)
    }

    // MARK: Cleanup

    /// Removes everything this world made: kind clusters, every container and network whose name
    /// carries the id or whose labels name the topology or its clusters, and the temp dir.
    func close() {
        for cluster in clusterNames {
            _ = run(["kind", "delete", "cluster", "--name", cluster], timeout: 120)
        }
        var names = Set(extraContainers)
        names.formUnion(containers(["name=\(id)"]))
        names.formUnion(containers(["label=multidc/topology=\(topology)"]))
        for cluster in clusterNames { names.formUnion(containers(["label=io.x-k8s.kind.cluster=\(cluster)"])) }
        if !names.isEmpty { _ = docker(["rm", "-f", "-v"] + names.sorted()) }
        let networks = docker(["network", "ls", "--format", "{{.Name}}", "--filter", "name=\(id)"]).stdout
            .split(separator: "\n").map(String.init)
        for net in Set(networks + [network]) where networkExists(net) {
            _ = docker(["network", "rm", net])
        }
        try? FileManager.default.removeItem(at: dir)
    }
}

/// Runs `multidc init` (the built binary) into a fresh directory with `arguments`, then `body` in a
/// world made from what it wrote; always cleans up.
/// `edit` may change the written files first (fill in placeholders), as a user would.
func withInitWorld(
    _ arguments: [String], edit: (URL) throws -> Void = { _ in }, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (E2EWorld, ProcResult) async throws -> Void
) async throws {
    let bin = try E2EWorld.binDirectory(sourceLocation: sourceLocation)
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("multidc-e2e-init-\(UUID().uuidString.prefix(6))")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let directory = scratch.appendingPathComponent("lab")
    let written = Proc.runSync(
        [bin.appendingPathComponent("multidc").path, "init", directory.path] + arguments,
        environment: ProcessInfo.processInfo.environment, timeout: 60)
    try #require(written.exitCode == 0, "multidc init failed\n\(written)", sourceLocation: sourceLocation)
    try edit(directory)
    let world = try E2EWorld.make(source: directory, sourceLocation: sourceLocation)
    defer { world.close() }
    try await body(world, written)
}

/// Runs `body` in a fresh world and always cleans it up.
func withWorld(
    _ example: String = "vault-raft", metalLBVersion: String? = nil, pinSubnet: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation, _ body: (E2EWorld) async throws -> Void
) async throws {
    let world = try E2EWorld.make(example: example, metalLBVersion: metalLBVersion, pinSubnet: pinSubnet, sourceLocation: sourceLocation)
    defer { world.close() }
    try await body(world)
}

struct Call {
    var tool: String
    var argv: [String]
    var exitCode: Int
    var raw: String

    /// Whether this call changes the world (kind create/delete, kubectl apply/create/delete/…, helm install/upgrade/uninstall/repo add).
    var isMutating: Bool {
        let words = Set(argv.dropFirst())
        switch tool {
        case "kind": return words.contains("create") || words.contains("delete")
        case "kubectl":
            return !words.isDisjoint(with: [
                "apply", "create", "delete", "patch", "replace", "edit", "label", "annotate", "scale", "rollout",
            ])
        case "helm": return !words.isDisjoint(with: ["install", "upgrade", "uninstall", "add", "rollback"])
        default: return false
        }
    }
}

/// A multidc.plan/v1 document.
struct PlanDoc {
    var json: [String: Any]
    init(_ json: [String: Any]) { self.json = json }

    var formatVersion: String? { json["formatVersion"] as? String }
    var actions: [[String: Any]] { json["actions"] as? [[String: Any]] ?? [] }
    var problems: [String] { (json["problems"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String } }
    /// Actions that change something (not in-sync).
    var changes: [[String: Any]] { actions.filter { $0["change"] as? String != "in-sync" } }
    func ids(_ list: [[String: Any]]) -> Set<String> { Set(list.compactMap { $0["id"] as? String }) }
    var summary: [String: Any] { json["summary"] as? [String: Any] ?? [:] }
}

// MARK: - A terminal: tmux

/// A detached tmux session on a private server (its own socket, started with the world's
/// environment) running one shell command at a fixed size; `capture()` reads the screen as
/// `tmux capture-pane` shows it. Missing tmux fails the test on CI and skips it elsewhere
/// (scripts/setup.sh installs it).
final class TmuxPane {
    let socket: String
    let environment: [String: String]

    static let available = Proc.runSync(["tmux", "-V"], environment: ProcessInfo.processInfo.environment, timeout: 30).exitCode == 0

    /// Starts `command` (a shell line) in a `width`×`height` pane; the line ends by printing
    /// `EXIT=<status>` and keeps the pane open.
    init(_ command: String, width: Int, height: Int = 60, environment: [String: String]) throws {
        socket = "multidc-e2e-\(UUID().uuidString.prefix(8))"
        var env = environment
        env["TERM"] = "xterm-256color"
        self.environment = env
        // The shell survives a Ctrl-C meant for the command (a caught signal is reset to its
        // default in the command), to print its status.
        let line = "trap : INT; \(command); echo EXIT=$?; sleep 600"
        // The server tmux forks off keeps every descriptor of its client, and Foundation's
        // Process never sees such a client end: spawn it with /dev/null and reap it ourselves.
        let status = Self.spawnAndWait(
            [
                "tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "\(width)", "-y", "\(height)", "sh", "-c",
                line,
            ],
            environment: env)
        guard status == 0 else { throw HarnessFailure("tmux new-session exited \(status)") }
        _ = Proc.runSync(["tmux", "-L", socket, "set-option", "-g", "history-limit", "5000"], environment: env, timeout: 30)
    }

    /// posix_spawnp with stdin, stdout and stderr on /dev/null; waits for the child.
    static func spawnAndWait(_ argv: [String], environment: [String: String]) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        // Default dispositions: a test runner may ignore SIGHUP or SIGINT, and the panes would
        // inherit that (tmux ends them with SIGHUP).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE] { sigaddset(&defaults, signal) }
        var noMask = sigset_t()
        sigemptyset(&noMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &noMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        guard posix_spawnp(&pid, argv[0], &actions, &attributes, cArgs, cEnv) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

    /// The pane's text, wrapped rows joined (-J), with `history` lines of scrollback.
    func capture(history: Bool = false) -> String {
        var argv = ["tmux", "-L", socket, "capture-pane", "-p", "-J", "-t", "e2e"]
        if history { argv += ["-S", "-"] }
        return Proc.runSync(argv, environment: environment, timeout: 30).stdout
    }

    func send(_ keys: String...) {
        _ = Proc.runSync(["tmux", "-L", socket, "send-keys", "-t", "e2e"] + keys, environment: environment, timeout: 30)
    }

    /// Captures until `condition` holds for a capture (bounded), calling `each` on every capture.
    @discardableResult
    func waitFor(
        seconds: TimeInterval = 300, each: (String) -> Void = { _ in }, _ condition: (String) -> Bool
    ) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let screen = capture()
            each(screen)
            if condition(screen) { return screen }
            usleep(250_000)
        }
        throw HarnessFailure("tmux: the condition never held; the pane shows:\n\(capture(history: true))")
    }

    /// The `EXIT=<status>` the command line printed, once it did.
    func exitStatus(seconds: TimeInterval = 300) throws -> Int32 {
        let screen = try waitFor(seconds: seconds) { $0.contains("EXIT=") }
        let match = screen.firstMatch(of: /EXIT=(\d+)/)
        return Int32(match.map { String($0.1) } ?? "") ?? -1
    }

    /// Ends the pane's processes (its process group) and the server.
    func close() {
        let panes = Proc.runSync(["tmux", "-L", socket, "list-panes", "-a", "-F", "#{pane_pid}"], environment: environment, timeout: 30)
        for pid in panes.stdout.split(separator: "\n").compactMap({ Int32($0) }) { kill(-pid, SIGKILL) }
        _ = Proc.runSync(["tmux", "-L", socket, "kill-server"], environment: environment, timeout: 30)
    }
}

/// Fails (CI) or skips (elsewhere) a test that needs tmux when it is missing; true when present.
func requireTmux(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    if TmuxPane.available { return true }
    if Engine.isCI {
        Issue.record("CI=true but tmux is missing (scripts/setup.sh installs it)", sourceLocation: sourceLocation)
    } else {
        FileHandle.standardError.write(Data("skipped: tmux is not installed (scripts/setup.sh installs it)\n".utf8))
    }
    return false
}
