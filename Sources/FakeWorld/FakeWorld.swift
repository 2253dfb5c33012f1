import Foundation

/// The entry point: one binary acting as `kind`, `kubectl`, `helm` (by the name it was invoked
/// under) or as `fakeworld` itself (install, image, help).
package enum FakeWorld {
    package static let version = "0.1.0"

    /// Runs one invocation and returns what to print. `argv0` is the invoked name (or path).
    package static func run(argv0: String, invocation: Invocation) -> ToolResult {
        let tool = URL(fileURLWithPath: argv0).lastPathComponent
        var inv = invocation
        inv.tool = tool
        let started = Date()
        let result: ToolResult
        switch tool {
        case "kind", "kubectl", "helm":
            result = runTool(inv)
        default:
            result = FakeWorldCommand.run(inv)
        }
        if let home = try? Home.from(inv.environment) {
            CallLog.record(home: home, tool: tool, args: inv.args, code: result.code, started: started, ended: Date())
        }
        return result
    }

    static func runTool(_ inv: Invocation) -> ToolResult {
        do {
            let home = try Home.from(inv.environment)
            let settings = try Settings.from(inv.environment)
            let world = World(home: home, store: try Store(home: home), settings: settings, invocation: inv)
            switch inv.tool {
            case "kind": return try KindCommand(world: world).run(inv.args)
            case "kubectl": return try Kubectl(world: world).run(inv.args)
            default: return try Helm(world: world).run(inv.args)
            }
        } catch let failure as ToolFailure {
            return ToolResult(
                stdout: failure.stdout,
                stderr: failure.stderr.hasSuffix("\n") || failure.stderr.isEmpty ? failure.stderr : failure.stderr + "\n",
                code: failure.code)
        } catch {
            return ToolResult(stderr: "fakeworld: internal error: \(error)\n", code: 1)
        }
    }
}

/// What every tool command gets: the state store, the settings, docker and the clock.
struct World {
    let home: Home
    let store: Store
    let settings: Settings
    let invocation: Invocation
    var docker: Docker { Docker(environment: invocation.environment) }
    var env: [String: String] { invocation.environment }
    var now: Double { invocation.now().timeIntervalSince1970 }

    func sleep(_ seconds: Double) {
        if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
    }
}
