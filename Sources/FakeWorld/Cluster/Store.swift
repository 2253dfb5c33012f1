import Foundation

/// Loads and saves the world's state under the cross-process lock.
struct Store {
    let home: Home
    private let lock: FileLock

    init(home: Home) throws(ToolFailure) {
        self.home = home
        self.lock = try FileLock(path: home.lockFile.path)
    }

    /// Runs `body` on the current state under the lock and saves what it leaves (even when it throws
    /// a ToolFailure: work done before an error, such as objects applied before a failing one, stays).
    func transaction<T>(_ body: (inout WorldState) throws -> T) throws -> T {
        try lock.withLock {
            var state = try load()
            do {
                let value = try body(&state)
                save(state)
                return value
            } catch {
                save(state)
                throw error
            }
        }
    }

    /// Read-only snapshot (still under the lock, so never a half-written file).
    func read() -> WorldState { lock.withLock { (try? load()) ?? WorldState() } }

    /// The saved state; a file that does not decode is an error (never silently a new world).
    private func load() throws(ToolFailure) -> WorldState {
        guard let data = try? Data(contentsOf: home.stateFile), !data.isEmpty else { return WorldState() }
        do { return try JSONDecoder().decode(WorldState.self, from: data) } catch {
            throw ToolFailure(stderr: "fakeworld: cannot read \(home.stateFile.path): \(error); remove it to start a new world")
        }
    }

    private func save(_ state: WorldState) {
        guard let data = try? JSONEncoder().encode(state) else { return }
        try? data.write(to: home.stateFile, options: .atomic)
    }
}
