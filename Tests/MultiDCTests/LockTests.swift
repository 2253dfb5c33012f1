import Foundation
import Testing

@testable import MultiDC

@Suite("Topology lock")
struct LockTests {
    let directory: String = NSTemporaryDirectory() + "multidc-lock-tests-\(UUID().uuidString)"
    let started = Date(timeIntervalSince1970: 1_795_755_600)  // 2026-11-27T05:00:00Z

    @Test func secondAcquireIsRefusedNamingTheHolder() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lock = try TopologyLock.acquire(topology: "vault-raft", command: "apply", directory: directory, now: started)
        #expect(lock.isHeld)
        #expect(lock.path == directory + "/vault-raft.lock")
        let error = try #require(throws: TopologyLockError.self) {
            try TopologyLock.acquire(topology: "vault-raft", command: "destroy", directory: directory)
        }
        #expect(error.code == .held)
        #expect(error.holder?.pid == getpid())
        #expect(error.holder?.command == "apply")
        #expect(error.holder?.started == "2026-11-27T05:00:00Z")
        #expect(
            error.description.hasPrefix(
                "another multidc apply (pid \(getpid()), started 2026-11-27T05:00:00Z) holds the lock for topology vault-raft (\(lock.path)); wait for it to finish"
            ))
        #expect(error.description.contains("A holder that died releases the lock by itself"))
        lock.release()
    }

    @Test func releaseAndDeinitFreeTheLock() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try TopologyLock.acquire(topology: "t", command: "apply", directory: directory)
        first.release()
        #expect(!first.isHeld)
        first.release()  // idempotent
        do {
            let second = try TopologyLock.acquire(topology: "t", command: "destroy", directory: directory)
            #expect(second.holder.command == "destroy")
        }  // deinit releases
        let third = try TopologyLock.acquire(topology: "t", command: "apply", directory: directory)
        #expect(third.isHeld)
    }

    @Test func differentTopologiesDoNotConflict() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let a = try TopologyLock.acquire(topology: "a", command: "apply", directory: directory)
        let b = try TopologyLock.acquire(topology: "b", command: "apply", directory: directory)
        #expect(a.isHeld && b.isHeld)
    }

    @Test func holderInfoIsWrittenAsJSON() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lock = try TopologyLock.acquire(topology: "vault-raft", command: "apply", directory: directory, now: started)
        let data = try Data(contentsOf: URL(fileURLWithPath: lock.path))
        let holder = try JSONDecoder().decode(LockHolder.self, from: data)
        #expect(holder == lock.holder)
        #expect(holder.topology == "vault-raft")
        lock.release()
        #expect(try Data(contentsOf: URL(fileURLWithPath: lock.path)).isEmpty, "release clears the holder info")
    }

    @Test func lockDirectoryFollowsTheEnvironment() {
        #expect(TopologyLock.lockDirectory(environment: ["MULTIDC_STATE_DIR": "/s", "XDG_RUNTIME_DIR": "/run/user/1"]) == "/s/locks")
        #expect(TopologyLock.lockDirectory(environment: ["XDG_RUNTIME_DIR": "/run/user/1", "HOME": "/h"]) == "/run/user/1/multidc/locks")
        #expect(TopologyLock.lockDirectory(environment: ["HOME": "/h"]) == "/h/.cache/multidc/locks")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock"), "needs /usr/bin/flock (util-linux)"))
    func anotherProcessSeesTheLock() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func childCanLock(_ path: String) throws -> Bool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
            process.arguments = ["--nonblock", "--exclusive", path, "true"]
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
        let lock = try TopologyLock.acquire(topology: "vault-raft", command: "apply", directory: directory)
        #expect(try !childCanLock(lock.path))
        lock.release()
        #expect(try childCanLock(lock.path))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock"), "needs /usr/bin/flock (util-linux)"))
    func lockHeldByAnotherProcessIsRefusedAndFreedWhenItDies() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/", withIntermediateDirectories: true)
        let path = directory + "/vault-raft.lock"
        // The child (one process: sh, then cat) takes the lock on fd 9, says so, then holds
        // it until its stdin closes.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "exec 9>>\"$0\"; /usr/bin/flock --exclusive 9; echo locked; exec cat", path]
        let stdout = Pipe()
        let stdin = Pipe()
        child.standardOutput = stdout
        child.standardInput = stdin
        try child.run()
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }
        let line = stdout.fileHandleForReading.readData(ofLength: 7)
        #expect(String(decoding: line, as: UTF8.self) == "locked\n")

        let error = try #require(throws: TopologyLockError.self) {
            try TopologyLock.acquire(topology: "vault-raft", command: "apply", directory: directory)
        }
        #expect(error.code == .held)
        #expect(error.holder == nil, "the child wrote no holder info")
        #expect(error.description.hasPrefix("another multidc process holds the lock for topology vault-raft"))

        try stdin.fileHandleForWriting.close()  // cat ends, the holder is gone
        child.waitUntilExit()
        let lock = try TopologyLock.acquire(topology: "vault-raft", command: "apply", directory: directory)
        #expect(lock.isHeld, "a dead holder's lock is free")
    }
}
