import CNcurses
import Foundation

// Set while curses owns the terminal; read by the signal handlers and atexit.
nonisolated(unsafe) private var cursesActive: sig_atomic_t = 0
// The actions that were installed before ours, restored before re-raising.
nonisolated(unsafe) private var previousActions = [tfc_sigaction_t](repeating: tfc_sigaction_zero(), count: 65)

private let fatalSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

/// Puts the terminal back however the program ends: `close()`, `exit`
/// (atexit), a crash (SIGSEGV, SIGILL from a Swift trap, SIGABRT) or a signal
/// (SIGINT, SIGTERM, SIGHUP). The handlers end curses, then restore the
/// previous action and re-raise, so another part's handler (the terraform
/// runner killing its children) and the default exit status still happen.
public final class TerminalRestore: @unchecked Sendable {
    public static let shared = TerminalRestore()
    private let lock = NSLock()
    private var installed = false

    func activate() {
        lock.lock(); defer { lock.unlock() }
        cursesActive = 1
        guard !installed else { return }
        installed = true
        atexit {
            if cursesActive != 0 {
                cursesActive = 0
                endwin()
            }
        }
        for sig in fatalSignals {
            var old = tfc_sigaction_zero()
            let rc = tfc_sigaction_install(sig, { sig in
                if cursesActive != 0 {
                    cursesActive = 0
                    endwin()
                }
                var previous = previousActions[Int(sig)]
                tfc_sigaction_restore(sig, &previous)
                raise(sig)
            }, &old)
            if rc == 0 { previousActions[Int(sig)] = old }
        }
    }

    func deactivate() {
        lock.lock(); defer { lock.unlock() }
        cursesActive = 0
    }
}
