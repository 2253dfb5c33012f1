import Foundation
import Testing
import YAML

@testable import MultiDC

/// A git repository in a fresh temporary directory, made and read with the real `git`.
struct GitRepository {
    let root: URL

    static let available: Bool = (try? run(["--version"], in: FileManager.default.temporaryDirectory))?.status == 0

    /// `git ARGS` in `directory` (no global configuration: a fixed identity, no signing).
    @discardableResult
    static func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["git", "-c", "user.name=multidc tests", "-c", "user.email=tests@multidc.invalid", "-c", "commit.gpgsign=false"]
            + arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A new repository holding a copy of examples/vault-raft under `examples/vault-raft`, committed.
    static func withVaultRaft() throws -> GitRepository {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("multidc-git-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("examples"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: PlanFixture.root.appendingPathComponent("examples/vault-raft"), to: root.appendingPathComponent("examples/vault-raft"))
        let repository = GitRepository(root: root)
        try repository.git(["init", "-q", "-b", "main", "."])
        try repository.commitAll("the vault-raft example")
        return repository
    }

    @discardableResult
    func git(_ arguments: [String]) throws -> String {
        let result = try Self.run(arguments, in: root)
        guard result.status == 0 else { throw HarnessError("git \(arguments.joined(separator: " ")) exited \(result.status)") }
        return result.stdout
    }

    func commitAll(_ message: String) throws {
        try git(["add", "-A"])
        try git(["commit", "-q", "-m", message])
    }

    var head: String { (try? git(["rev-parse", "HEAD"]))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }

    func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    func write(_ relative: String, _ text: String) throws {
        try text.write(toFile: path(relative), atomically: true, encoding: .utf8)
    }

    func read(_ relative: String) throws -> String { try String(contentsOfFile: path(relative), encoding: .utf8) }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Issue 12, point 2: a spec from standard input or from a git revision goes through the loader
/// with its own file source, and names its files in messages (`<stdin>:3:5`,
/// `spec.yaml@HEAD:3:5`); and the digest that provenance records.
@Suite struct SpecSourceTests {
    static let spec = PlanFixture.root.appendingPathComponent("examples/vault-raft/spec.yaml").path

    // MARK: the digest

    @Test func theDigestCoversSpecTemplatesAndManifestsButNotWhereTheyLie() throws {
        let original = try TopologyLoader.load(path: Self.spec)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("multidc-digest-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.copyItem(at: PlanFixture.root.appendingPathComponent("examples/vault-raft"), to: copy)
        let copied = try TopologyLoader.load(path: copy.appendingPathComponent("spec.yaml").path)
        #expect(copied.specDigest == original.specDigest, "the same files elsewhere")
        #expect(original.specDigest.count == 64)

        func digest(after edit: String, _ change: (String) -> String) throws -> String {
            let file = copy.appendingPathComponent(edit)
            let before = try String(contentsOf: file, encoding: .utf8)
            defer { try? before.write(to: file, atomically: true, encoding: .utf8) }
            try change(before).write(to: file, atomically: true, encoding: .utf8)
            return try TopologyLoader.load(path: copy.appendingPathComponent("spec.yaml").path).specDigest
        }
        let comment = try digest(after: "spec.yaml") { $0 + "# a comment\n" }
        let template = try digest(after: "vault-cr.yaml") { $0 + "# a comment\n" }
        let manifest = try digest(after: "rbac.yaml") { $0 + "# a comment\n" }
        #expect(Set([original.specDigest, comment, template, manifest]).count == 4, "each edit is a change of the spec")
    }

    // MARK: standard input

    @Test func aSpecOnStandardInputResolvesItsTemplatesAgainstBaseAndIsNamedStdin() throws {
        let text = try String(contentsOfFile: Self.spec, encoding: .utf8)
        let session = Session(runner: ScriptedRunnerStub())
        let loaded = try session.load(standardInput: text, base: PlanFixture.vaultRaftDirectory)
        #expect(loaded.origin == .standardInput(base: PlanFixture.vaultRaftDirectory))
        #expect(loaded.origin.displayName == "<stdin>")
        #expect(loaded.specDigest == (try TopologyLoader.load(path: Self.spec)).specDigest)
        #expect(loaded.templates.count == 2 && loaded.manifests.count == 1)

        let broken = text.replacingOccurrences(of: "leader: primary", with: "leader: nobody")
        do {
            _ = try session.load(standardInput: broken, base: PlanFixture.vaultRaftDirectory)
            Issue.record("a broken spec loaded")
        } catch {
            let line = try #require(
                text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("leader: primary") })
            #expect(error.items.first?.file == "<stdin>")
            #expect(error.items.first?.mark.line == line + 1)
            #expect(error.rendered(limit: 5).hasPrefix("<stdin>:\(line + 1):"))
        }
    }

    @Test func withoutBaseTemplatesAreRelativeToTheCurrentDirectoryAndAMissingOneSaysWhereItLooked() throws {
        let text = try String(contentsOfFile: Self.spec, encoding: .utf8)
        do {
            _ = try Session(runner: ScriptedRunnerStub()).load(standardInput: text, base: "no-such-dir")
            Issue.record("loaded without its templates")
        } catch {
            #expect(error.items.contains { $0.message == "file 'vault-cr.yaml' does not exist (looked for no-such-dir/vault-cr.yaml)" })
            #expect(error.items.allSatisfy { $0.file == "<stdin>" })
        }
    }

    // MARK: a git revision (the real git)

    @Test(.enabled(if: GitRepository.available, "git is not installed"))
    func aRevisionIsReadWithItsTemplatesWhateverTheWorkTreeHolds() async throws {
        let repository = try GitRepository.withVaultRaft()
        defer { repository.remove() }
        let spec = repository.path("examples/vault-raft/spec.yaml")
        let committed = try TopologyLoader.load(path: spec)
        let commit = repository.head
        // Uncommitted edits of the spec and a template: --rev HEAD does not see them.
        try repository.write("examples/vault-raft/vault-cr.yaml", try repository.read("examples/vault-raft/vault-cr.yaml") + "# local\n")
        try repository.write("examples/vault-raft/spec.yaml", try repository.read("examples/vault-raft/spec.yaml") + "# local\n")
        let session = Session(runner: SubprocessRunner())
        let loaded = try await session.load(path: spec, revision: "HEAD")
        #expect(loaded.origin == .revision(path: spec, revision: "HEAD", commit: commit))
        #expect(loaded.specDigest == committed.specDigest)
        #expect(loaded.specDigest != (try TopologyLoader.load(path: spec)).specDigest)
        #expect(loaded.source.file == "\(spec)@HEAD")
        #expect(loaded.manifests.first?.reference.display == repository.path("examples/vault-raft/rbac.yaml") + "@HEAD")
        // Manifests are handed to kubectl from memory, never from the (edited) disk.
        let arguments = ManifestArguments(loaded.topology.manifests, loaded: loaded)
        #expect(arguments.files.isEmpty)
        #expect(arguments.inline == (try repository.read("examples/vault-raft/rbac.yaml")))

        // Its git state is the revision's commit, clean; the file's is HEAD, dirty.
        #expect(await session.gitState(loaded) == SpecGitState(revision: "HEAD", commit: commit, dirty: false))
        let local = try TopologyLoader.load(path: spec)
        #expect(await session.gitState(local) == SpecGitState(revision: "HEAD", commit: commit, dirty: true))
        try repository.commitAll("local edits")
        #expect(await session.gitState(local) == SpecGitState(revision: "HEAD", commit: repository.head, dirty: false))
        // An older revision, by name.
        let old = try await session.load(path: spec, revision: "HEAD~1")
        #expect(old.specDigest == committed.specDigest)
    }

    @Test(.enabled(if: GitRepository.available, "git is not installed"))
    func badRevisionsAndPathsSayWhatToDo() async throws {
        let repository = try GitRepository.withVaultRaft()
        defer { repository.remove() }
        let session = Session(runner: SubprocessRunner())
        let spec = repository.path("examples/vault-raft/spec.yaml")
        func message(_ path: String, _ revision: String) async -> String {
            do {
                _ = try await session.load(path: path, revision: revision)
                return "loaded"
            } catch {
                switch error {
                case .source(let message): return message
                case .diagnostics(let d): return d.rendered(limit: 5)
                }
            }
        }
        let unknown = await message(spec, "origin/nosuch")
        #expect(unknown.hasPrefix("revision 'origin/nosuch' names no commit in the repository at "), "\(unknown)")
        #expect(unknown.contains("git fetch"), "\(unknown)")
        #expect(await message(spec, "--all") == "--rev '--all' starts with '-'; name a branch, tag or commit")

        // A spec the revision does not have.
        try repository.write("examples/vault-raft/new.yaml", try repository.read("examples/vault-raft/spec.yaml"))
        let missing = await message(repository.path("examples/vault-raft/new.yaml"), "HEAD")
        #expect(missing.contains("new.yaml does not exist at revision HEAD (commit \(repository.head.prefix(12))"), "\(missing)")
        #expect(missing.contains("ls-tree -r --name-only HEAD"), "\(missing)")

        // A template the revision does not have: positioned in the spec as the revision has it.
        let text = try repository.read("examples/vault-raft/spec.yaml").replacingOccurrences(
            of: "template: vault-cr.yaml", with: "template: new-cr.yaml")
        try repository.write("examples/vault-raft/spec.yaml", text)
        try repository.write("examples/vault-raft/new-cr.yaml", try repository.read("examples/vault-raft/vault-cr.yaml"))
        try repository.git(["add", "examples/vault-raft/spec.yaml"])
        try repository.git(["commit", "-q", "-m", "names a template that is not committed"])
        let template = await message(spec, "HEAD")
        let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("new-cr.yaml") })
        #expect(template.hasPrefix("\(spec)@HEAD:\(line + 1):"), "\(template)")
        #expect(template.contains("file 'new-cr.yaml' does not exist (looked for "), "\(template)")
        #expect(template.contains("new-cr.yaml@HEAD)"), "\(template)")

        // Outside a work tree.
        let outside = await message(
            PlanFixture.vaultRaftDirectory.replacingOccurrences(of: PlanFixture.root.path, with: "/nonexistent") + "/spec.yaml", "HEAD")
        #expect(outside.contains("is not in a git work tree"), "\(outside)")
    }

    @Test(.enabled(if: GitRepository.available, "git is not installed"))
    func aSpecOutsideAWorkTreeHasNoCommitAndThatIsNoError() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("multidc-nogit-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(at: PlanFixture.root.appendingPathComponent("examples/vault-raft"), to: directory)
        let loaded = try TopologyLoader.load(path: directory.appendingPathComponent("spec.yaml").path)
        let state = await Session(runner: SubprocessRunner()).gitState(loaded)
        #expect(state.commit == nil && state.dirty == nil)
        #expect(state.problem?.hasPrefix("not in a git work tree") == true, "\(state)")
        // No git at all says so.
        let missing = await Session(runner: ScriptedRunnerStub(missing: true)).gitState(loaded)
        #expect(missing.problem == "not in a git work tree (git is not installed)")
        // stdin.
        let stdin = await Session(runner: ScriptedRunnerStub()).gitState(
            try Session(runner: ScriptedRunnerStub()).load(
                standardInput: try String(contentsOfFile: Self.spec, encoding: .utf8), base: PlanFixture.vaultRaftDirectory))
        #expect(stdin.problem == "not in a git work tree: the spec came from standard input")
    }
}

/// A runner that answers nothing (exit 127), or — `missing` — throws as if no tool were installed.
struct ScriptedRunnerStub: CommandRunner {
    var missing = false
    func run(_ command: Command) async throws -> CommandResult {
        if missing { throw CommandRunnerError(code: .executableNotFound, command: command.description, message: "not found") }
        return CommandResult(exitCode: 127, stderr: "no answer\n")
    }
}
