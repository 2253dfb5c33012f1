import Synchronization

@testable import MultiDC

/// Collects executor events from any task.
final class EventLog: Sendable {
    private let events = Mutex<[ExecutionEvent]>([])
    var all: [ExecutionEvent] { events.withLock { $0 } }
    func record(_ event: ExecutionEvent) { events.withLock { $0.append(event) } }
    var callback: @Sendable (ExecutionEvent) -> Void { { [self] in record($0) } }

    /// Job ids in the order they started (first attempt).
    var startOrder: [String] {
        all.compactMap { if case .started(1) = $0.kind { $0.jobID } else { nil } }
    }
    /// Job ids in the order they succeeded.
    var successOrder: [String] {
        all.compactMap { $0.kind == .succeeded ? $0.jobID : nil }
    }
    func kinds(of id: String) -> [ExecutionEvent.Kind] { all.filter { $0.jobID == id }.map(\.kind) }
}

/// A counter of how many jobs run at once, and the maximum seen.
final class Concurrency: Sendable {
    private let state = Mutex((current: 0, max: 0))
    var max: Int { state.withLock { $0.max } }
    func enter() {
        state.withLock {
            $0.current += 1; $0.max = Swift.max($0.max, $0.current)
        }
    }
    func leave() { state.withLock { $0.current -= 1 } }
}

/// Counts calls, thread-safely.
final class Counter: Sendable {
    private let value = Mutex(0)
    var count: Int { value.withLock { $0 } }
    @discardableResult func next() -> Int {
        value.withLock {
            $0 += 1; return $0
        }
    }
}

struct PermanentError: Error, CustomStringConvertible {
    var description: String
}
