import Foundation
import TFCSupport
#if canImport(Glibc)
import Glibc
#endif

/// A child process in its own process group, with its stdout and stderr on pipes and a
/// "lifeline" pipe on its stdin.
///
/// The child is started through `/bin/sh`, which forks a tiny watcher into the same
/// process group and then `exec`s the real program (so `pid` is the program's pid). The
/// watcher blocks reading the lifeline; only this process holds the lifeline's write end.
/// When this process ends in any way (quit, crash, SIGKILL), the kernel closes it, the
/// watcher reads end-of-file and SIGKILLs the whole group: the program and whatever it
/// started (terraform's provider plugins). After a normal exit `finish()` closes the
/// lifeline, which sweeps any leftovers of the group the same way.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    let stdoutFD: Int32
    let stderrFD: Int32
    private var lifelineFD: Int32
    private let lock = NSLock()
    private var reaped = false

    static let wrapperScript = """
    cd -- "$1" || exit 125
    shift
    exec 3<&0 </dev/null
    ( trap '' INT TERM HUP; read _ignored <&3; kill -KILL 0 ) >/dev/null 2>&1 </dev/null &
    exec 3<&-
    exec "$@"
    """

    /// Starts `executable arguments...` in `directory` with exactly `environment`.
    init(executable: String, arguments: [String], directory: String, environment: [String: String]) throws {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        var lifePipe: [Int32] = [-1, -1]
        func closeAll() {
            for fd in outPipe + errPipe + lifePipe where fd >= 0 { close(fd) }
        }
        guard Self.makePipe(&outPipe), Self.makePipe(&errPipe), Self.makePipe(&lifePipe) else {
            let reason = String(cString: strerror(errno))
            closeAll()
            throw TerraformRunnerError.spawnFailed("cannot create pipes: \(reason)")
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, lifePipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // Own process group: signals for the whole group reach terraform and its plugins,
        // and the terminal's Ctrl-C reaches only tfchallenge, which forwards it.
        posix_spawnattr_setpgroup(&attr, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attr, &mask)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ["/bin/sh", "-c", Self.wrapperScript, "tfchallenge-child", directory, executable] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var cArgv: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = envp.map { strdup($0) } + [nil]
        defer {
            for p in cArgv { free(p) }
            for p in cEnv { free(p) }
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, "/bin/sh", &actions, &attr, &cArgv, &cEnv)
        close(outPipe[1])
        close(errPipe[1])
        close(lifePipe[0])
        guard rc == 0 else {
            close(outPipe[0]); close(errPipe[0]); close(lifePipe[1])
            throw TerraformRunnerError.spawnFailed("cannot start /bin/sh: \(String(cString: strerror(rc)))")
        }
        pid = child
        stdoutFD = outPipe[0]
        stderrFD = errPipe[0]
        lifelineFD = lifePipe[1]
    }

    /// A pipe whose ends are not inherited by other children (close-on-exec; the spawn's
    /// dup2 onto 0, 1, 2 clears the flag on the child's copies only).
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// Sends `signal` to the program itself, unless it has already been reaped.
    func signal(_ sig: Int32) {
        lock.lock(); defer { lock.unlock() }
        if !reaped { _ = kill(pid, sig) }
    }

    /// Sends `signal` to the whole process group. Safe after the program was reaped as
    /// long as the lifeline is open (the watcher keeps the group id alive).
    func signalGroup(_ sig: Int32) {
        lock.lock(); defer { lock.unlock() }
        if lifelineFD >= 0 { _ = kill(-pid, sig) }
    }

    /// Blocks until the program exits; returns its status (128 + N when killed by signal N).
    func waitForExit() -> Int32 {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        lock.lock()
        reaped = true
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        lock.unlock()
        return exitCode(waitStatus: status)
    }

    /// Closes the lifeline: the watcher sweeps the group and exits.
    func finish() {
        lock.lock(); defer { lock.unlock() }
        if lifelineFD >= 0 {
            close(lifelineFD)
            lifelineFD = -1
        }
    }

    deinit {
        if lifelineFD >= 0 { close(lifelineFD) }
    }
}
