import ArgumentParser
import Foundation
import MultiDC
import YAML

/// Where diff, apply, status, destroy and output read the spec from: a file, standard input
/// (`-`, templates relative to `--base`), or a git revision (`--rev`).
struct SpecSourceOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Read the spec, its templates and its manifests as this git revision has them (git show REV:path), e.g. origin/main.",
            valueName: "rev"))
    var rev: String?

    @Option(
        help: ArgumentHelp(
            "With - (the spec on standard input): the directory its templates and manifests are relative to (default: the current directory).",
            valueName: "dir"),
        completion: .directory)
    var base: String?

    /// Refuses the combinations that mean nothing, with the reason (a usage error, exit 64).
    func check(spec: String) throws {
        if spec == "-" && rev != nil {
            throw ValidationError("--rev reads the spec file from git; it cannot be combined with - (standard input)")
        }
        if spec != "-" && base != nil {
            throw ValidationError(
                "--base is for a spec read from standard input (-); templates of a spec file are relative to its directory")
        }
    }
}

/// Loads a spec for a command; on errors prints them (file:line:column, source line, caret)
/// and exits 1.
enum SpecLoading {
    static func load(_ path: String, session: Session) throws -> LoadedTopology {
        do {
            return try session.load(path)
        } catch {
            throw failed(error, name: path)
        }
    }

    /// The spec named on the command line: a file, `-` (standard input), or a file at `--rev`.
    static func load(_ spec: String, source: SpecSourceOptions, session: Session) async throws -> LoadedTopology {
        if spec == "-" {
            let text = try standardInput()
            do {
                return try session.load(standardInput: text, base: source.base)
            } catch {
                throw failed(error, name: SpecOrigin.standardInputName)
            }
        }
        guard let revision = source.rev else { return try load(spec, session: session) }
        do {
            return try await session.load(path: spec, revision: revision)
        } catch {
            switch error {
            case .diagnostics(let diagnostics): throw failed(diagnostics, name: "\(spec)@\(revision)")
            case .source(let message):
                DiagnosticOutput.printError("error: \(message)")
                throw ExitCode(1)
            }
        }
    }

    /// Prints the diagnostics and the count; the exit status 1 to throw.
    static func failed(_ error: Diagnostics, name: String) -> ExitCode {
        DiagnosticOutput.printText(error.items)
        let count = error.items.count
        DiagnosticOutput.printError("\(count) error\(count == 1 ? "" : "s") in \(name)")
        return ExitCode(1)
    }

    /// The spec text on standard input (bounded like a spec file), refused when stdin is a terminal.
    static func standardInput() throws -> String {
        if let text = testStandardInput { return text }
        if Terminal.stdinIsTTY {
            DiagnosticOutput.printError(
                "error: - reads the spec from standard input, which is a terminal; pipe it in, e.g. git show origin/main:spec.yaml | multidc diff -"
            )
            throw ExitCode(1)
        }
        do {
            return try MultiDC.SourceFile.read("/dev/stdin", limit: ParseLimits.default.maxBytes)
        } catch {
            DiagnosticOutput.printError("error: cannot read the spec from standard input: \(error)")
            throw ExitCode(1)
        }
    }

    /// The session in-process CLI tests hand the commands (a scripted runner, a virtual clock).
    @TaskLocal static var testSession: Session?
    /// Standard input as in-process CLI tests give it (nil: the process's own).
    @TaskLocal static var testStandardInput: String?

    static func session() -> Session {
        testSession ?? Session(runner: SubprocessRunner())
    }
}
