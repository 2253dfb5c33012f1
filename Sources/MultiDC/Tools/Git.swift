import Foundation

/// argv builders and output parsers for `git` (docs/tools.md#git): which repository and commit a
/// spec's directory belongs to, whether the spec's files differ from that commit, and the files
/// of a commit (`--rev`). Every call is a read; none takes a lock (`--no-optional-locks`).
package enum Git {
    package static let executable = "git"

    /// `git -C DIR rev-parse --show-toplevel --show-prefix --verify REV^{commit}`: the work tree's
    /// root, DIR relative to it, then the commit REV names — one line each, in that order
    /// (docs/tools.md#git-rev-parse). `REV` must not start with `-` (`revisionProblem`).
    package static func locate(directory: String, revision: String = "HEAD") -> Command {
        Command(executable, ["-C", directory, "rev-parse", "--show-toplevel", "--show-prefix", "--verify", "\(revision)^{commit}"])
    }

    /// What `locate` found.
    package struct Location: Sendable, Hashable {
        /// The work tree's root, absolute (git's own spelling, symlinks resolved).
        package var topLevel: String
        /// The directory relative to the root: "" at the root, else ending in `/`.
        package var prefix: String
        /// The commit the revision names; nil when it names none (no commit yet, or a name git
        /// does not know): `revisionProblem` is git's message.
        package var commit: String?
        package var revisionProblem: String?

        package init(topLevel: String, prefix: String, commit: String?, revisionProblem: String? = nil) {
            self.topLevel = topLevel
            self.prefix = prefix
            self.commit = commit
            self.revisionProblem = revisionProblem
        }
    }

    /// Why a directory has no git facts: not in a work tree, or git did not run.
    package struct Unavailable: Error, Sendable, Hashable, CustomStringConvertible {
        /// `not in a git work tree`, `git is not installed`, …
        package var reason: String
        /// git's own last line, when it said something.
        package var detail: String?

        package init(_ reason: String, detail: String? = nil) {
            self.reason = reason
            self.detail = detail
        }

        package var description: String { detail.map { "\(reason) (git: \($0))" } ?? reason }
    }

    /// The location, or why there is none. The root and prefix lines are printed before the
    /// revision is resolved, so a bad revision still tells where the work tree is; a directory
    /// outside any work tree prints nothing (`fatal: not a git repository …`, exit 128).
    package static func parseLocate(_ result: CommandResult) -> Result<Location, Unavailable> {
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 2, lines[0].hasPrefix("/") else {
            let last = result.lastErrorLine
            return .failure(Unavailable("not in a git work tree", detail: last.isEmpty ? nil : last))
        }
        let commit = lines.count >= 3 && isObjectName(lines[2]) ? lines[2] : nil
        return .success(
            Location(
                topLevel: lines[0], prefix: lines[1], commit: result.isSuccess ? commit : nil,
                revisionProblem: result.isSuccess && commit != nil
                    ? nil : (result.lastErrorLine.isEmpty ? "\(result.status)" : result.lastErrorLine)))
    }

    /// Why a revision given by the user cannot be passed to git as one argument (nil: it can).
    /// A leading `-` would read as an option; a line break or NUL cannot travel in `cat-file --batch`.
    package static func revisionProblem(_ revision: String) -> String? {
        if revision.isEmpty { return "is empty" }
        if revision.hasPrefix("-") { return "starts with '-'" }
        if revision.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) { return "contains a line break" }
        return nil
    }

    /// `git --no-optional-locks --literal-pathspecs -C ROOT status --porcelain -z
    /// --untracked-files=normal -- PATH…`: one entry per changed, staged or untracked file among
    /// PATHs (repository-relative); none when they are all as committed (docs/tools.md#git-status).
    package static func status(topLevel: String, paths: [String]) -> Command {
        Command(
            executable,
            ["--no-optional-locks", "--literal-pathspecs", "-C", topLevel, "status", "--porcelain", "-z", "--untracked-files=normal", "--"]
                + paths)
    }

    /// Whether `status` listed any file.
    package static func parseDirty(_ result: CommandResult) throws(ToolOutputError) -> Bool {
        guard result.isSuccess else { throw ToolOutputError(tool: "git status", message: result.lastErrorLine) }
        return !result.standardOutput.isEmpty
    }

    /// `git -C ROOT cat-file --batch` with one object name per line on stdin (`COMMIT:path`):
    /// each object's type, size and bytes (docs/tools.md#git-cat-file).
    package static func catFile(topLevel: String, names: [String]) -> Command {
        Command(
            executable, ["-C", topLevel, "cat-file", "--batch"], standardInput: .init(names.map { $0 + "\n" }.joined()))
    }

    /// One object of `cat-file --batch`'s output.
    package enum Object: Sendable, Hashable {
        case blob([UInt8])
        case tree
        /// No such object (`NAME missing`): the path is not in the commit.
        case missing
        /// Another type (a submodule's `commit`) or `ambiguous`.
        case other(String)
    }

    /// The objects of `cat-file --batch`, in input order: `<oid> SP <type> SP <size> LF
    /// <contents> LF`, or `<name> SP missing LF` (and `ambiguous`).
    package static func parseCatFile(_ result: CommandResult, count: Int) throws(ToolOutputError) -> [Object] {
        guard result.isSuccess else { throw ToolOutputError(tool: "git cat-file", message: result.lastErrorLine) }
        let bytes = result.standardOutput
        var objects: [Object] = []
        var index = 0
        while objects.count < count {
            guard let newline = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) else {
                throw ToolOutputError(tool: "git cat-file", message: "output ends after \(objects.count) of \(count) objects")
            }
            let header = String(decoding: bytes[index..<newline], as: UTF8.self)
            index = newline + 1
            if header.hasSuffix(" missing") {
                objects.append(.missing)
                continue
            }
            if header.hasSuffix(" ambiguous") {
                objects.append(.other("ambiguous"))
                continue
            }
            let fields = header.split(separator: " ")
            guard fields.count == 3, let size = Int(fields[2]), size >= 0, index + size < bytes.count + 1 else {
                throw ToolOutputError(tool: "git cat-file", message: "unexpected header '\(header)'")
            }
            let content = Array(bytes[index..<min(bytes.count, index + size)])
            guard content.count == size else {
                throw ToolOutputError(tool: "git cat-file", message: "object of \(size) bytes is cut short")
            }
            index += size + 1
            switch fields[1] {
            case "blob": objects.append(.blob(content))
            case "tree": objects.append(.tree)
            default: objects.append(.other(String(fields[1])))
            }
        }
        return objects
    }

    /// A full hexadecimal object name (SHA-1: 40 digits; SHA-256: 64).
    package static func isObjectName(_ text: String) -> Bool {
        (text.count == 40 || text.count == 64) && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// A repository path with `.` and `..` resolved (`a/b/../c` → `a/c`); nil when it climbs
    /// out of the repository.
    package static func normalize(_ path: String) -> String? {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            default: parts.append(part)
            }
        }
        return parts.joined(separator: "/")
    }
}
