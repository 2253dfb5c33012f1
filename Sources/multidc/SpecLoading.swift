import ArgumentParser
import MultiDC
import YAML

/// Loads a spec for a command; on errors prints them (file:line:column, source line, caret)
/// and exits 1.
enum SpecLoading {
    static func load(_ path: String, session: Session) throws -> LoadedTopology {
        do {
            return try session.load(path)
        } catch {
            DiagnosticOutput.printText(error.items)
            let count = error.items.count
            DiagnosticOutput.printError("\(count) error\(count == 1 ? "" : "s") in \(path)")
            throw ExitCode(1)
        }
    }

    /// The session in-process CLI tests hand the commands (a scripted runner, a virtual clock).
    @TaskLocal static var testSession: Session?

    static func session() -> Session {
        testSession ?? Session(runner: SubprocessRunner())
    }
}
