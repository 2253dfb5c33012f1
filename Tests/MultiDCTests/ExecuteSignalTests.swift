import Foundation
import MultiDCTestSupport
import Testing

@testable import MultiDC

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("Signal trap", .serialized)
struct ExecuteSignalTests {
    @Test(.timeLimit(.minutes(1)))
    func signalCancelsTheTask() async throws {
        let clock = ManualClock(autoAdvance: false)
        let task = Task { try await clock.sleep(for: .seconds(3600)) }
        let trap = SignalTrap(cancelling: task, signals: [SIGUSR2])
        defer { trap.cancel() }
        await clock.waitForSleepers(1)
        kill(getpid(), SIGUSR2)
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(trap.receivedSignal == SIGUSR2)
    }

    @Test(.timeLimit(.minutes(1)))
    func handlerSeesEachSignal() async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        let trap = SignalTrap(signals: [SIGUSR1]) { continuation.yield($0) }
        defer { trap.cancel() }
        kill(getpid(), SIGUSR1)
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next() == SIGUSR1)
        #expect(trap.receivedSignal == SIGUSR1)
    }

    @Test(.timeLimit(.minutes(1)))
    func aCancelledTrapNoLongerHearsButAnotherStillDoes() async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let first = SignalTrap(signals: [SIGUSR1]) { _ in continuation.yield("first") }
        let second = SignalTrap(signals: [SIGUSR1]) { _ in continuation.yield("second") }
        defer { second.cancel() }
        first.cancel()
        kill(getpid(), SIGUSR1)
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next() == "second")
        #expect(first.receivedSignal == nil)
        #expect(second.receivedSignal == SIGUSR1)
    }

    @Test func exitCodes() {
        #expect(SignalTrap.exitCode(for: SIGINT) == 130)
        #expect(SignalTrap.exitCode(for: SIGTERM) == 143)
    }
}
