import Foundation
import YAML

/// Why a spec could not be loaded: its own problems (positioned diagnostics), or the place it
/// was to come from (a revision git does not know, a path that revision does not have, no git).
package enum SpecLoadError: Error, Sendable {
    case diagnostics(Diagnostics)
    /// A sentence saying what is wrong and what to do.
    case source(String)
}

/// The git facts of a spec at hand: the commit its repository's HEAD (or the `--rev` revision)
/// names, and whether the spec's files differ from it. Never an error: a spec outside a work
/// tree, or no git at all, says why in `problem`.
package struct SpecGitState: Sendable, Hashable {
    /// The revision the spec is compared at: `HEAD`, or the `--rev` as written.
    package var revision: String
    /// The commit it names; nil: none (`problem` says why).
    package var commit: String?
    /// Whether the spec, its templates or its manifests have uncommitted changes (untracked
    /// included); nil: not known.
    package var dirty: Bool?
    /// Why there is no commit: `not in a git work tree`, `… (git is not installed)`, …
    package var problem: String?

    package init(revision: String = "HEAD", commit: String? = nil, dirty: Bool? = nil, problem: String? = nil) {
        self.revision = revision
        self.commit = commit
        self.dirty = dirty
        self.problem = problem
    }
}

extension Session {
    /// A spec read from standard input (`multidc diff -`): messages name it `<stdin>`, and its
    /// templates and manifests resolve against `base` (`--base DIR`), else the current directory.
    package func load(standardInput text: String, base: String?) throws(Diagnostics) -> LoadedTopology {
        var loaded = try TopologyLoader.load(
            text: text, file: SpecOrigin.standardInputName, options: .init(directory: base ?? "", displayDirectory: base))
        loaded.origin = .standardInput(base: base ?? "")
        return loaded
    }

    /// A spec, its templates and its manifests as the git revision `revision` has them
    /// (`multidc diff --rev origin/main spec.yaml`), read with three git calls: `rev-parse` (the
    /// repository and the commit), `cat-file --batch` for the spec, then one for the files it
    /// names. Messages name the files `spec.yaml@origin/main`.
    package func load(path: String, revision: String, limits: ParseLimits = .default) async throws(SpecLoadError) -> LoadedTopology {
        if let problem = Git.revisionProblem(revision) {
            throw .source("--rev '\(revision)' \(problem); name a branch, tag or commit")
        }
        let fileName = (path as NSString).lastPathComponent
        let directory = PathResolver.absolute((path as NSString).deletingLastPathComponent)
        // The nearest directory that exists: a spec whose directory left the work tree is still
        // read from the revision that has it.
        var existing = directory
        var below: [String] = []
        var isDirectory: ObjCBool = false
        while existing != "/", !(FileManager.default.fileExists(atPath: existing, isDirectory: &isDirectory) && isDirectory.boolValue) {
            below.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        let location: Git.Location
        switch await gitLocation(existing, revision: revision) {
        case .success(let found): location = found
        case .failure(let why):
            throw .source(
                "cannot read \(path) at revision \(revision): \(existing) is \(why); --rev reads the spec from its directory's git repository"
            )
        }
        guard let commit = location.commit else {
            throw .source(
                "revision '\(revision)' names no commit in the repository at \(location.topLevel)"
                    + (location.revisionProblem.map { " (git: \($0))" } ?? "")
                    + "; name a branch, tag or commit (`git -C \(location.topLevel) log --oneline`, `git -C \(location.topLevel) branch -a`), or `git fetch` a remote branch first"
            )
        }
        let base = location.prefix + below.joined(separator: "/")
        /// The path the repository gives a file of the spec's directory tree (nil: outside it).
        func repositoryPath(_ absolute: String) -> String? {
            Git.normalize(base + "/" + PathResolver.relative(from: directory, to: absolute))
        }
        let specPath = Git.normalize(base + "/" + fileName) ?? fileName
        let specBytes: [UInt8]
        switch try await catFile(location.topLevel, ["\(commit):\(specPath)"]).first {
        case .blob(let bytes)?: specBytes = bytes
        case .tree?: throw .source("\(path) is a directory at revision \(revision) (commit \(commit.prefix(12)))")
        default:
            throw .source(
                "\(path) does not exist at revision \(revision) (commit \(commit.prefix(12))): the repository at \(location.topLevel) has no \(specPath) there; `git -C \(location.topLevel) ls-tree -r --name-only \(revision)` lists its files"
            )
        }
        let name = "\(path)@\(revision)"
        guard specBytes.count <= limits.maxBytes else {
            throw .source("\(name): \(SourceFile.ReadError.tooLarge(size: specBytes.count, limit: limits.maxBytes))")
        }
        guard let text = String(validating: specBytes, as: UTF8.self) else { throw .source("\(name): \(SourceFile.ReadError.notUTF8)") }

        var files = RevisionFiles(revision: revision)
        var wanted: [(absolute: String, name: String)] = []
        for absolute in TopologyLoader.referencedFiles(text: text, file: path, options: .init(limits: limits, files: files)) {
            guard let relative = repositoryPath(absolute), !relative.contains("\n") else { continue }
            wanted.append((absolute, "\(commit):\(relative)"))
        }
        if !wanted.isEmpty {
            let objects = try await catFile(location.topLevel, wanted.map(\.name))
            for (file, object) in zip(wanted, objects) {
                switch object {
                case .blob(let bytes): files.entries[file.absolute] = .blob(bytes)
                case .tree: files.entries[file.absolute] = .tree
                case .missing, .other: break
                }
            }
        }
        do {
            var loaded = try TopologyLoader.load(text: text, file: path, options: .init(limits: limits, files: files))
            loaded.origin = .revision(path: path, revision: revision, commit: commit)
            return loaded
        } catch {
            throw .diagnostics(error)
        }
    }

    /// `git cat-file --batch` of `names`, in order.
    private func catFile(_ topLevel: String, _ names: [String]) async throws(SpecLoadError) -> [Git.Object] {
        let command = Git.catFile(topLevel: topLevel, names: names)
        do {
            return try Git.parseCatFile(try await runner.check(command), count: names.count)
        } catch {
            throw .source("cannot read the revision's files: \(error)")
        }
    }

    /// `git rev-parse` in `directory`: the work tree, and the commit `revision` names.
    func gitLocation(_ directory: String, revision: String = "HEAD") async -> Result<Git.Location, Git.Unavailable> {
        do {
            return Git.parseLocate(try await runner.run(Git.locate(directory: directory, revision: revision)))
        } catch let error as CommandRunnerError where error.code == .executableNotFound {
            return .failure(Git.Unavailable("not in a git work tree (git is not installed)"))
        } catch {
            return .failure(Git.Unavailable("not in a git work tree (git did not answer: \(error))"))
        }
    }

    /// Where the loaded spec stands in git (docs/tools.md#git): for a file, `rev-parse` in its
    /// directory, then `status` of the spec and every local file it names (two git calls); for
    /// `--rev`, the commit read at load time (none); for stdin, nothing.
    package func gitState(_ loaded: LoadedTopology) async -> SpecGitState {
        switch loaded.origin {
        case .standardInput:
            return SpecGitState(problem: "not in a git work tree: the spec came from standard input")
        case .revision(_, let revision, let commit):
            return SpecGitState(revision: revision, commit: commit, dirty: false)
        case .file(let path):
            let directory = PathResolver.absolute((path as NSString).deletingLastPathComponent)
            let location: Git.Location
            switch await gitLocation(directory) {
            case .success(let found): location = found
            case .failure(let why): return SpecGitState(problem: why.description)
            }
            guard let commit = location.commit else {
                return SpecGitState(problem: "the git repository at \(location.topLevel) has no commit yet")
            }
            let files = [directory + "/" + (path as NSString).lastPathComponent] + loaded.localFiles
            let paths = files.compactMap { Git.normalize(location.prefix + PathResolver.relative(from: directory, to: $0)) }
            var dirty: Bool?
            if let result = try? await runner.run(Git.status(topLevel: location.topLevel, paths: paths)) {
                dirty = try? Git.parseDirty(result)
            }
            return SpecGitState(commit: commit, dirty: dirty)
        }
    }
}
