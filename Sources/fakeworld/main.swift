import FakeWorld
import Foundation

// The thin executable: dispatch on the invoked name, print, exit.
let arguments = CommandLine.arguments
let invocation = Invocation(
    tool: "", args: Array(arguments.dropFirst()), environment: ProcessInfo.processInfo.environment,
    readStdin: { FileHandle.standardInput.readDataToEndOfFile() })
let result = FakeWorld.run(argv0: arguments.first ?? "fakeworld", invocation: invocation)
FileHandle.standardOutput.write(Data(result.stdout.utf8))
FileHandle.standardError.write(Data(result.stderr.utf8))
exit(result.code)
