import Foundation

/// The real docker CLI (the engine is real in the test world). Synchronous; argv only.
struct Docker {
    struct Result {
        var code: Int32
        var stdout: String
        var stderr: String
        var ok: Bool { code == 0 }
        var trimmed: String { stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    var executable: String
    var environment: [String: String]

    init(environment: [String: String]) {
        self.environment = environment
        self.executable = Docker.locate(environment) ?? "/usr/bin/docker"
    }

    static func locate(_ env: [String: String]) -> String? {
        if let explicit = env["FAKEWORLD_DOCKER"], !explicit.isEmpty { return explicit }
        for dir in (env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/docker"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    @discardableResult
    func run(_ args: [String], stdin: Data? = nil) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        process.environment = environment
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        let inPipe = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : inPipe
        do { try process.run() } catch {
            return Result(code: 127, stdout: "", stderr: "fakeworld: cannot run \(executable): \(error.localizedDescription)")
        }
        if let stdin {
            let writer = inPipe.fileHandleForWriting
            DispatchQueue.global().async {
                writer.write(stdin)
                try? writer.close()
            }
        }
        let errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = errPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            code: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    /// The command line as kind prints it in `command "..." failed` errors.
    static func commandLine(_ args: [String]) -> String { (["docker"] + args).joined(separator: " ") }

    // MARK: Queries the world makes

    /// `docker inspect` of one container, or nil when absent.
    func inspectContainer(_ nameOrID: String) -> JSON? {
        let r = run(["inspect", "--type", "container", nameOrID])
        guard r.ok, let arr = try? JSON.parse(r.stdout).array, let first = arr.first else { return nil }
        return first
    }

    func isRunning(_ nameOrID: String) -> Bool {
        let r = run(["inspect", "--type", "container", "--format", "{{.State.Running}}", nameOrID])
        return r.ok && r.trimmed == "true"
    }

    /// Names of containers carrying a label (`k` or `k=v`), running or not.
    func containerNames(label: String) -> [String] {
        let r = run(["ps", "-a", "--filter", "label=\(label)", "--format", "{{.Names}}"])
        return r.stdout.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    func networkInspect(_ name: String) -> JSON? {
        let r = run(["network", "inspect", name])
        guard r.ok, let arr = try? JSON.parse(r.stdout).array else { return nil }
        return arr.first
    }
}

private final class DataBox: @unchecked Sendable { var data = Data() }
