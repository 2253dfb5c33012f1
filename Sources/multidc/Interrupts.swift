import Foundation
import MultiDC
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension SignalTrap {
    /// The signals apply and destroy handle: Ctrl-C, SIGTERM, and SIGHUP (the terminal went
    /// away) like SIGTERM.
    static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// A trap that cancels `task` (running tools are stopped, temporary files removed, the
    /// report printed, the lock released last); at the confirmation prompt, where nothing has
    /// been changed yet, it ends the process at once with 128 + the signal.
    static func interrupting<Success, Failure>(_ task: Task<Success, Failure>, lock: TopologyLock?) -> SignalTrap {
        SignalTrap(signals: handled) { signal in
            if Terminal.prompting.withLock({ $0 }) {
                Terminal.out("\n")
                Terminal.err("interrupted at the prompt: nothing was changed")
                lock?.release()
                Foundation.exit(SignalTrap.exitCode(for: signal))
            }
            task.cancel()
        }
    }
}
