import Foundation
import Subprocess
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
public struct SubprocessRunner: CommandRunner {
    /// Timeout for commands that carry none.
    public var defaultTimeout: Duration
    /// Maximum bytes collected from standard output, and again from standard error.
    public var outputLimit: Int
    /// Time between SIGTERM and SIGKILL when a child is ended.
    public var gracePeriod: Duration

    public init(defaultTimeout: Duration = .seconds(600), outputLimit: Int = 16 << 20, gracePeriod: Duration = .seconds(2)) {
        self.defaultTimeout = defaultTimeout
        self.outputLimit = outputLimit
        self.gracePeriod = gracePeriod
    }

    private enum Outcome: Sendable {
        case finished(Result<CommandResult, any Error>)
        case timedOut
        case cancelled
    }

    public func run(_ command: Command) async throws -> CommandResult {
        let timeout = command.timeout ?? defaultTimeout
        let description = command.description
        if Task.isCancelled {
            throw CommandRunnerError(code: .cancelled, command: description, message: "cancelled before it started")
        }
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do { return .finished(.success(try await spawn(command))) } catch { return .finished(.failure(error)) }
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
            throw CommandRunnerError(code: .timedOut, command: description, message: "timed out after \(timeout); the process group was ended")
        case .cancelled:
            throw CommandRunnerError(code: .cancelled, command: description, message: "cancelled; the process group was ended")
        }
    }

    private func spawn(_ command: Command) async throws -> CommandResult {
        let executable: Executable = command.executable.contains("/") ? .path(FilePath(command.executable)) : .name(command.executable)
        var overrides: [Environment.Key: String?] = [:]
        for (key, value) in command.environment {
            guard let envKey = Environment.Key(rawValue: key) else { continue }
            overrides[envKey] = value.value
        }
        var options = PlatformOptions()
        options.processGroupID = 0  // setpgid(0, 0): the child leads a new process group
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: gracePeriod)]
        let result = try await Subprocess.run(
            executable,
            arguments: Arguments(command.arguments),
            environment: overrides.isEmpty ? .inherit : .inherit.updating(overrides),
            platformOptions: options,
            input: .array(command.standardInput?.bytes ?? []),
            output: .bytes(limit: outputLimit),
            error: .bytes(limit: outputLimit)
        )
        let status: TerminationStatus
        switch result.terminationStatus {
        case .exited(let code): status = .exited(Int32(code))
        case .signaled(let signal): status = .signaled(Int32(signal))
        }
        return CommandResult(status: status, standardOutput: result.standardOutput, standardError: result.standardError)
    }

    private static func translate(_ error: any Error, command: Command, description: String) -> CommandRunnerError {
        guard let error = error as? SubprocessError else {
            return CommandRunnerError(code: .failed, command: description, message: "\(error)")
        }
        switch error.code {
        case .executableNotFound:
            return CommandRunnerError(code: .executableNotFound, command: description, message: "\(command.executable): executable not found on PATH")
        case .outputLimitExceeded:
            return CommandRunnerError(code: .outputLimitExceeded, command: description, message: "output exceeded the limit")
        default:
            return CommandRunnerError(code: .failed, command: description, message: "\(error)")
        }
    }
}
