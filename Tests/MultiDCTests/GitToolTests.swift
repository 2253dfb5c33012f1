import Foundation
import Testing

@testable import MultiDC

/// `Tools/Git.swift`: the argv of each call and the parsers, on outputs copied from git 2.39.5
/// runs (docs/tools.md#git).
@Suite struct GitToolTests {
    @Test func argvOfEveryCall() {
        #expect(
            Git.locate(directory: "/repo/examples", revision: "origin/main").argv == [
                "git", "-C", "/repo/examples", "rev-parse", "--show-toplevel", "--show-prefix", "--verify", "origin/main^{commit}",
            ])
        #expect(
            Git.status(topLevel: "/repo", paths: ["examples/spec.yaml", "examples/vault-cr.yaml"]).argv == [
                "git", "--no-optional-locks", "--literal-pathspecs", "-C", "/repo", "status", "--porcelain", "-z",
                "--untracked-files=normal", "--", "examples/spec.yaml", "examples/vault-cr.yaml",
            ])
        let cat = Git.catFile(topLevel: "/repo", names: ["abc:spec.yaml", "abc:t.yaml"])
        #expect(cat.argv == ["git", "-C", "/repo", "cat-file", "--batch"])
        #expect(cat.standardInput?.bytes == Array("abc:spec.yaml\nabc:t.yaml\n".utf8))
    }

    static let sha = "28e01371af70759a458532248742339ded685ed7"

    @Test func locateInASubdirectoryAtTheRootAndWithABadRevision() throws {
        let sub = Git.parseLocate(CommandResult(stdout: "/tmp/gt\nsub/\n\(Self.sha)\n"))
        #expect(try sub.get() == Git.Location(topLevel: "/tmp/gt", prefix: "sub/", commit: Self.sha))
        // At the root --show-prefix prints an empty line.
        let root = Git.parseLocate(CommandResult(stdout: "/tmp/gt\n\n\(Self.sha)\n"))
        #expect(try root.get().prefix == "" && root.get().commit == Self.sha)
        // A bad revision (or no commit yet): the first two lines, then git dies.
        let bad = try Git.parseLocate(
            CommandResult(exitCode: 128, stdout: "/tmp/gt\nsub/\n", stderr: "fatal: Needed a single revision\n")
        ).get()
        #expect(bad.commit == nil && bad.topLevel == "/tmp/gt")
        #expect(bad.revisionProblem == "fatal: Needed a single revision")
    }

    @Test func outsideAWorkTreeIsNoLocation() {
        let result = CommandResult(exitCode: 128, stderr: "fatal: not a git repository (or any of the parent directories): .git\n")
        guard case .failure(let why) = Git.parseLocate(result) else {
            Issue.record("a location outside a work tree")
            return
        }
        #expect(why.description == "not in a git work tree (git: fatal: not a git repository (or any of the parent directories): .git)")
    }

    @Test func catFileBatchReadsBlobsTreesAndMissingNamesInOrder() throws {
        // As `printf 'HEAD:sub/spec.yaml\nHEAD:sub/nope.yaml\nHEAD:sub/d\n' | git cat-file --batch` printed it.
        var out = Array("d508cf756344aaf9123c531122a9d2d410c4ecfa blob 5\nx: 1\n\n".utf8)
        out += Array("HEAD:sub/nope.yaml missing\n".utf8)
        out += Array("a7ec2b3f2befe7ec207211a4ee3f7ff2926b7248 tree 34\n".utf8) + [UInt8](repeating: 0x41, count: 34) + [10]
        out += Array("HEAD:abc ambiguous\n".utf8)
        let objects = try Git.parseCatFile(CommandResult(status: .exited(0), standardOutput: out), count: 4)
        #expect(objects == [.blob(Array("x: 1\n".utf8)), .missing, .tree, .other("ambiguous")])
        // A blob holding a line that looks like a header is still read by its size.
        let tricky = Array("d508cf756344aaf9123c531122a9d2d410c4ecfa blob 14\nx missing\n: 1\n\n".utf8)
        #expect(
            try Git.parseCatFile(CommandResult(status: .exited(0), standardOutput: tricky), count: 1) == [
                .blob(Array("x missing\n: 1\n".utf8))
            ])
        #expect(throws: ToolOutputError.self) {
            try Git.parseCatFile(CommandResult(status: .exited(0), standardOutput: Array("abc blob 99\nshort\n".utf8)), count: 1)
        }
        #expect(throws: ToolOutputError.self) { try Git.parseCatFile(CommandResult(stdout: ""), count: 1) }
    }

    @Test func statusIsDirtyWhenItListsAnything() throws {
        #expect(try Git.parseDirty(CommandResult(stdout: "")) == false)
        #expect(try Git.parseDirty(CommandResult(stdout: "?? sub/spec.yaml\u{0}")) == true)
        #expect(try Git.parseDirty(CommandResult(stdout: " M vault-cr.yaml\u{0}")) == true)
        #expect(throws: ToolOutputError.self) {
            try Git.parseDirty(CommandResult(exitCode: 128, stderr: "fatal: ../x: '../x' is outside repository at '/r'\n"))
        }
    }

    @Test func pathsAndRevisions() {
        #expect(Git.normalize("examples/x/../vault-raft/./spec.yaml") == "examples/vault-raft/spec.yaml")
        #expect(Git.normalize("/spec.yaml") == "spec.yaml")
        #expect(Git.normalize("a/../../etc/passwd") == nil)
        #expect(Git.revisionProblem("origin/main") == nil)
        #expect(Git.revisionProblem("--output=/tmp/x") == "starts with '-'")
        #expect(Git.revisionProblem("") == "is empty")
        #expect(Git.revisionProblem("a\nb") == "contains a line break")
        #expect(Git.isObjectName(Self.sha) && !Git.isObjectName("HEAD") && !Git.isObjectName(Self.sha.uppercased()))
    }
}
