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

    /// Marks curses as active (the handlers end it); installs them if needed.
    func activate() {
        install()
        lock.lock(); defer { lock.unlock() }
        cursesActive = 1
    }

    /// Installs the handlers. Called before ncurses starts: ncurses installs its
    /// own SIGINT/SIGTERM handlers (which exit with status 1) only where it
    /// finds the default action, so ours come first and the process still dies
    /// of the signal.
    func install() {
        lock.lock(); defer { lock.unlock() }
        // A parent may have started us with these blocked; the handlers must run.
        var set = sigset_t()
        sigemptyset(&set)
        for sig in fatalSignals { sigaddset(&set, sig) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        guard !installed else { return }
        installed = true
        atexit {
            if cursesActive != 0 {
                cursesActive = 0
                curs_set(1)
                endwin()
            }
        }
        for sig in fatalSignals {
            var old = tfc_sigaction_zero()
            let rc = tfc_sigaction_install(sig, { sig in
                if cursesActive != 0 {
                    cursesActive = 0
                    curs_set(1)
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
