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

    static func session() -> Session {
        Session(runner: SubprocessRunner())
    }
}
