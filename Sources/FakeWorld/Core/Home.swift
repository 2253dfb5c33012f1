import Foundation

/// The directory all of the world's state lives in (`$FAKEWORLD_HOME`).
struct Home {
    let root: URL

    static func from(_ env: [String: String]) throws(ToolFailure) -> Home {
        guard let path = env["FAKEWORLD_HOME"], !path.isEmpty else {
            throw ToolFailure(
                stderr:
                    "fakeworld: FAKEWORLD_HOME is not set; point it at a directory for the world's state (created if missing), e.g. export FAKEWORLD_HOME=$(mktemp -d)",
                code: 1)
        }
        let url = URL(fileURLWithPath: path, isDirectory: true)
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw ToolFailure(stderr: "fakeworld: cannot create FAKEWORLD_HOME \(path): \(error.localizedDescription)", code: 1)
        }
        return Home(root: url)
    }

    var stateFile: URL { root.appendingPathComponent("state.json") }
    var lockFile: URL { root.appendingPathComponent("state.lock") }
    var callLog: URL { root.appendingPathComponent("calls.log") }
    var helmRepos: URL { root.appendingPathComponent("helm-repositories.json") }
}
