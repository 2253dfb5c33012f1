import Foundation

/// Where the loader finds the files a spec names (its templates and manifests) and how it names
/// them in messages: the disk (`LocalFiles`), or the files of one git commit fetched before
/// loading (`RevisionFiles`, for `--rev`). The loader reaches files only through one of these,
/// by the absolute path `PathResolver` gives them.
package protocol SpecFiles: Sendable {
    /// What is at an absolute path.
    func entry(_ path: String) -> SpecFileEntry
    /// The bytes of the file at an absolute path (at most `limit` of them), or why not.
    func bytes(_ path: String, limit: Int) throws(SourceFile.ReadError) -> [UInt8]
    /// A path as messages show it (`vault-cr.yaml@origin/main` for a file of a revision).
    func display(_ path: String) -> String
}

/// What a path names.
package enum SpecFileEntry: Sendable, Hashable {
    case file
    case directory
    case missing
}

extension SpecFiles {
    /// The file's text, or why it cannot be read (`notUTF8` included).
    func text(_ path: String, limit: Int) throws(SourceFile.ReadError) -> String {
        try SourceFile.text(bytes(path, limit: limit))
    }
}

/// The disk: what `FileManager` and a bounded `read` see.
package struct LocalFiles: SpecFiles {
    package init() {}

    package func entry(_ path: String) -> SpecFileEntry {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
        return isDirectory.boolValue ? .directory : .file
    }

    package func bytes(_ path: String, limit: Int) throws(SourceFile.ReadError) -> [UInt8] {
        try SourceFile.bytes(path, limit: limit)
    }

    package func display(_ path: String) -> String { path }
}

/// The files of one git commit that a spec names, fetched before loading (`git cat-file
/// --batch`, docs/tools.md#git-cat-file), by the absolute path each has in the work tree. A path
/// that was not fetched, or that the commit does not have, is missing.
package struct RevisionFiles: SpecFiles {
    /// What one path is in the commit.
    package enum Entry: Sendable, Hashable {
        case blob([UInt8])
        case tree
    }

    /// The revision as the user wrote it (`origin/main`): messages name files `PATH@REVISION`.
    package let revision: String
    package var entries: [String: Entry]

    package init(revision: String, entries: [String: Entry] = [:]) {
        self.revision = revision
        self.entries = entries
    }

    package func entry(_ path: String) -> SpecFileEntry {
        switch entries[path] {
        case .blob?: .file
        case .tree?: .directory
        case nil: .missing
        }
    }

    package func bytes(_ path: String, limit: Int) throws(SourceFile.ReadError) -> [UInt8] {
        switch entries[path] {
        case .blob(let bytes)?:
            if bytes.count > limit { throw .tooLarge(size: bytes.count, limit: limit) }
            return bytes
        case .tree?: throw .isDirectory
        case nil: throw .noSuchFile
        }
    }

    package func display(_ path: String) -> String { "\(path)@\(revision)" }
}
