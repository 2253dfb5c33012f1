/// Where a spec is read from: a file, standard input (`multidc diff -`), or a file as a git
/// revision has it (`multidc diff --rev origin/main spec.yaml`).
package enum SpecOrigin: Sendable, Hashable {
    /// A file, by the path the user gave.
    case file(String)
    /// Standard input; relative paths in it resolve against `base` ("" is the current directory).
    case standardInput(base: String)
    /// A file at a git revision: the path the user gave, the revision as written, and the commit
    /// it named when the spec was read.
    case revision(path: String, revision: String, commit: String)

    /// The name `<stdin>` stands for standard input in messages (`<stdin>:3:5`).
    package static let standardInputName = "<stdin>"

    /// The spec's name in messages: the path, `<stdin>`, or `spec.yaml@origin/main`.
    package var displayName: String {
        switch self {
        case .file(let path): path
        case .standardInput: Self.standardInputName
        case .revision(let path, let revision, _): "\(path)@\(revision)"
        }
    }
}
