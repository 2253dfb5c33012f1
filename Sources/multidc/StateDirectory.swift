import ArgumentParser
import Foundation
import MultiDC

#if canImport(Glibc)
    import Glibc
#endif

/// Checks the directory the topology lock lives in before taking the lock, so that a bad
/// `MULTIDC_STATE_DIR` (a file, a path without permission) is reported as what is wrong with
/// which path, and from which variable, rather than as a raw system error.
enum StateDirectory {
    /// Prints the problem and exits 1 when the lock directory cannot be created.
    static func check(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let problem = problem(environment: environment) else { return }
        Terminal.err("error: \(problem)")
        throw ExitCode(1)
    }

    /// What is wrong with the lock directory, or nil.
    static func problem(environment: [String: String]) -> String? {
        let directory = TopologyLock.lockDirectory(environment: environment)
        let source: String
        if let dir = environment["MULTIDC_STATE_DIR"], !dir.isEmpty {
            source = "MULTIDC_STATE_DIR=\(NameRules.escaped(dir))"
        } else if let dir = environment["XDG_RUNTIME_DIR"], !dir.isEmpty {
            source = "XDG_RUNTIME_DIR=\(NameRules.escaped(dir))"
        } else {
            source = "the default state directory"
        }
        // Create it component by component, to name the component that fails.
        var path = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            path += "/" + component
            var info = stat()
            if stat(path, &info) == 0 {
                guard (info.st_mode & S_IFMT) == S_IFDIR else {
                    return "cannot use the state directory of \(source): '\(NameRules.escaped(path))' is not a directory"
                }
                continue
            }
            guard errno == ENOENT else {
                return "cannot use the state directory of \(source): '\(NameRules.escaped(path))': \(String(cString: strerror(errno)))"
            }
            if mkdir(path, 0o755) != 0, errno != EEXIST {
                return "cannot create the state directory of \(source): '\(NameRules.escaped(path))': \(String(cString: strerror(errno)))"
            }
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            return "cannot use the state directory of \(source): '\(NameRules.escaped(directory))': \(String(cString: strerror(errno)))"
        }
        return nil
    }
}
