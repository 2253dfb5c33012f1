import Foundation
import Subprocess
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// The production `CommandRunner`, on swift-subprocess.
///
/// - argv only: the executable is spawned directly (looked up on `PATH` when it has no `/`),
///   never through a shell.
/// - Each child starts in its own process group, so ending it (timeout or Task cancellation)
///   reaches everything it started: SIGTERM to the group, then SIGKILL after `gracePeriod`.
/// - Output is collected up to `outputLimit` bytes per stream; past that the call throws
///   `.outputLimitExceeded` and the child is ended.
/// - Creating a runner sets SIGPIPE to ignored in this process (once): a child that exits
///   without reading its stdin must give an EPIPE to the writer, not kill multidc. Children
///   are unaffected (swift-subprocess resets every signal to its default when spawning).
package struct SubprocessRunner: CommandRunner {
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// Timeout for commands that carry none.
    package var defaultTimeout: Duration
    /// Maximum bytes collected from standard output, and again from standard error.
    package var outputLimit: Int
    /// Time between SIGTERM and SIGKILL when a child is ended.
    package var gracePeriod: Duration

    package init(defaultTimeout: Duration = .seconds(600), outputLimit: Int = 16 << 20, gracePeriod: Duration = .seconds(2)) {
        self.defaultTimeout = defaultTimeout
        self.outputLimit = outputLimit
        self.gracePeriod = gracePeriod
        Self.ignoreBrokenPipes
    }

    private enum Outcome: Sendable {
        case finished(Result<CommandResult, any Error>)
        case timedOut
        case cancelled
    }

    package func run(_ command: Command) async throws -> CommandResult {
        let timeout = command.timeout ?? defaultTimeout
        let description = command.description
        if Task.isCancelled {
            throw CommandRunnerError(code: .cancelled, command: description, message: "cancelled before it started")
        }
        let leader = LeaderBox()
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do { return .finished(.success(try await spawn(command, leader: leader))) } catch { return .finished(.failure(error)) }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                    return .timedOut
                } catch {
                    return .cancelled
                }
            }
            let first = await group.next()!
            // Ends the child (teardown) if it still runs; leaving the group waits for it.
            group.cancelAll()
            return first
        }
        // The teardown waits only for the leader; whatever else of its group is left (a
        // grandchild that ignores SIGTERM) is killed now, whenever the call was cut short.
        let cutShort: Bool
        switch outcome {
        case .finished(.success): cutShort = Task.isCancelled
        case .finished(.failure), .timedOut, .cancelled: cutShort = true
        }
        if cutShort, let pid = leader.pid.withLock({ $0 }), pid > 0 { _ = kill(-pid, SIGKILL) }
        switch outcome {
        case .finished(.success(let result)):
            if Task.isCancelled, case .signaled = result.status {
                throw CommandRunnerError(code: .cancelled, command: description, message: "cancelled; the process group was ended")
            }
            return result
        case .finished(.failure(let error)):
            if Task.isCancelled || error is CancellationError {
                throw CommandRunnerError(code: .cancelled, command: description, message: "cancelled; the process group was ended")
            }
            throw Self.translate(error, command: command, description: description)
        case .timedOut:
            throw CommandRunnerError(
                code: .timedOut, command: description, message: "timed out after \(timeout); the process group was ended")
        case .cancelled:
            throw CommandRunnerError(code: .cancelled, command: description, message: "cancelled; the process group was ended")
        }
    }

    private func spawn(_ command: Command, leader: LeaderBox) async throws -> CommandResult {
        let executable: Executable = command.executable.contains("/") ? .path(FilePath(command.executable)) : .name(command.executable)
        var overrides: [Environment.Key: String?] = [:]
        for (key, value) in command.environment {
            guard let envKey = Environment.Key(rawValue: key) else { continue }
            overrides[envKey] = value.value
        }
        var options = PlatformOptions()
        options.processGroupID = 0  // setpgid(0, 0): the child leads a new process group
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: gracePeriod)]
        let environment: Environment = overrides.isEmpty ? .inherit : .inherit.updating(overrides)
        let arguments = Arguments(command.arguments)
        let terminationStatus: Subprocess.TerminationStatus
        let standardOutput: [UInt8]
        let standardError: [UInt8]
        if let input = command.standardInput {
            // Write stdin ourselves: a child that exits without reading gives EPIPE, which is
            // not our failure (its status and stderr say what happened), and the writer is
            // always finished (closed), whatever happened.
            let bytes = input.bytes
            let result = try await Subprocess.run(
                executable, arguments: arguments, environment: environment, platformOptions: options,
                input: .inputWriter, output: .bytes(limit: outputLimit), error: .bytes(limit: outputLimit)
            ) { execution in
                leader.pid.withLock { $0 = execution.processIdentifier.value }
                let writer = execution.standardInputWriter
                if !bytes.isEmpty { _ = try? await writer.write(bytes) }
                try? await writer.finish()
            }
            (terminationStatus, standardOutput, standardError) = (result.terminationStatus, result.standardOutput, result.standardError)
        } else {
            let result = try await Subprocess.run(
                executable, arguments: arguments, environment: environment, platformOptions: options,
                input: .none, output: .bytes(limit: outputLimit), error: .bytes(limit: outputLimit)
            ) { execution in
                leader.pid.withLock { $0 = execution.processIdentifier.value }
            }
            (terminationStatus, standardOutput, standardError) = (result.terminationStatus, result.standardOutput, result.standardError)
        }
        let status: TerminationStatus
        switch terminationStatus {
        case .exited(let code): status = .exited(Int32(code))
        case .signaled(let signal): status = .signaled(Int32(signal))
        }
        return CommandResult(status: status, standardOutput: standardOutput, standardError: standardError)
    }

    private static func translate(_ error: any Error, command: Command, description: String) -> CommandRunnerError {
        guard let error = error as? SubprocessError else {
            return CommandRunnerError(code: .failed, command: description, message: "\(error)")
        }
        switch error.code {
        case .executableNotFound:
            return CommandRunnerError(
                code: .executableNotFound, command: description, message: "\(command.executable): executable not found on PATH")
        case .outputLimitExceeded:
            return CommandRunnerError(code: .outputLimitExceeded, command: description, message: "output exceeded the limit")
        default:
            return CommandRunnerError(code: .failed, command: description, message: "\(error)")
        }
    }
}

/// The spawned child's pid (its process group id), shared with the task that may have to kill the group.
private final class LeaderBox: Sendable {
    let pid = Mutex<pid_t?>(nil)
}
