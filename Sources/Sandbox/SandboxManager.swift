import Foundation
import TFCSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts, finds and stops the embedded AWS: `sandbox/moto_server.py` run by the venv's
/// python, on 127.0.0.1 and a free port, seeded and with authentication on.
///
/// Files in `paths.home` (mode 0700): `sandbox.json` (the state, 0600, written by
/// temp + rename only once the server is ready), `sandbox.log` (the server's stderr; no
/// secrets), `sandbox.lock` (an `flock` held by `up`, `down` and `status`, so two
/// tfchallenge processes never start two servers).
///
/// The server runs in its own session and process group (its pid is the group id), so it
/// outlives the `tfchallenge sandbox up` that started it, a Ctrl-C in that terminal does
/// not reach it, and `down` stops the whole group.
///
/// Tests and other short-lived owners pass `exitWithParent: true`: the server then
/// stops by itself when the process that started it is gone (see `SandboxTestSupport`).
public struct SandboxManager: Sendable {
    public var paths: Paths
    /// How long `up` waits for the server's ready line.
    public var startTimeout: Duration
    /// Whether the server stops by itself when this process exits.
    public var exitWithParent: Bool

    public init(paths: Paths, startTimeout: Duration = .seconds(60), exitWithParent: Bool = false) {
        self.paths = paths
        self.startTimeout = startTimeout
        self.exitWithParent = exitWithParent
    }

    public var stateFile: URL { paths.home.appendingPathComponent("sandbox.json") }
    public var logFile: URL { paths.home.appendingPathComponent("sandbox.log") }
    public var lockFile: URL { paths.home.appendingPathComponent("sandbox.lock") }
    public var serverScript: URL { paths.sandboxScripts.appendingPathComponent("moto_server.py") }

    // MARK: - Public operations

    /// Starts the sandbox, or finds it running. `started` is false when it was already up.
    public func up() throws -> (state: SandboxState, started: Bool) {
        try withLock {
            if case .up(let state) = checkStatus() { return (state, false) }
            return (try start(), true)
        }
    }

    /// Stops the sandbox and removes its state. Returns false when it was not running.
    @discardableResult
    public func down() throws -> Bool {
        try withLock {
            guard let state = readState() else { return false }
            let wasRunning = POSIX.isAlive(state.pid) && isOurServer(state.pid)
            if wasRunning { try stop(pid: state.pid) }
            removeState()
            return wasRunning
        }
    }

    /// Up (pid alive and answering HTTP on its port), down, or stale (then cleaned up).
    public func status() -> SandboxStatus {
        do {
            return try withLock(timeout: .seconds(5)) { checkStatus() }
        } catch {
            // Someone else holds the lock (starting or stopping): answer from the file alone.
            guard let state = readState() else { return .down }
            return POSIX.isAlive(state.pid) && POSIX.httpAnswers(state.port) ? .up(state) : .down
        }
    }

    /// The running sandbox's state, or nil when it is not up.
    public func current() -> SandboxState? {
        if case .up(let state) = status() { return state }
        return nil
    }

    // MARK: - Steps

    private func checkStatus() -> SandboxStatus {
        guard FileManager.default.fileExists(atPath: stateFile.path) else { return .down }
        guard let state = readState() else {
            removeState()
            return .stale(reason: "the state file \(stateFile.path) was unreadable")
        }
        guard POSIX.isAlive(state.pid), isOurServer(state.pid) else {
            removeState()
            return .stale(reason: "the server process \(state.pid) is gone")
        }
        guard POSIX.httpAnswers(state.port) else {
            try? stop(pid: state.pid)
            removeState()
            return .stale(reason: "the server process \(state.pid) did not answer on port \(state.port) and was stopped")
        }
        return .up(state)
    }

    private func start() throws -> SandboxState {
        let fm = FileManager.default
        guard fm.isExecutableFile(atPath: paths.python.path) else {
            throw SandboxError.pythonMissing(python: paths.python.path)
        }
        guard fm.fileExists(atPath: serverScript.path) else {
            throw SandboxError.serverScriptMissing(path: serverScript.path)
        }
        removeState()
        let log = try POSIX.open(logFile.path, O_WRONLY | O_CREAT | O_TRUNC)
        let pipe = try POSIX.pipe()
        var arguments = [paths.python.path, serverScript.path, "--port", "0"]
        if exitWithParent { arguments += ["--parent-pid", String(getpid())] }
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        // moto's own switch for the same thing: the server turns authentication on itself.
        environment.removeValue(forKey: "INITIAL_NO_AUTH_ACTION_COUNT")
        let pid = try POSIX.spawnSessionLeader(arguments, environment: environment,
                                               stdout: pipe.write.raw, stderr: log.raw)
        pipe.write.close()
        log.close()

        let deadline = ContinuousClock.now + startTimeout
        let result: POSIX.LineResult
        do {
            result = try POSIX.readLine(pipe.read.raw, deadline: deadline)
        } catch {
            try? stop(pid: pid)
            throw SandboxError.system("reading the sandbox server's ready line: \(error)")
        }
        pipe.read.close()
        let line: String
        switch result {
        case .line(let text):
            line = text
        case .endOfFile:
            let reason = waitForExit(pid).map { "it exited with \($0)" } ?? "it closed its output"
            try? stop(pid: pid)
            throw SandboxError.startFailed(reason: reason, log: logFile.path, logTail: logTail())
        case .timedOut:
            try? stop(pid: pid)
            throw SandboxError.startTimedOut(seconds: Int(startTimeout.components.seconds),
                                             log: logFile.path, logTail: logTail())
        }
        let state: SandboxState
        do {
            state = try Self.decodeReadyLine(line, pid: pid, startedAt: Date())
        } catch {
            try? stop(pid: pid)
            throw SandboxError.startFailed(reason: "its ready line was not understood (\(error))",
                                           log: logFile.path, logTail: logTail())
        }
        do {
            try writeState(state)
        } catch {
            try? stop(pid: pid)
            removeState()
            throw SandboxError.system("writing \(stateFile.path): \(error)")
        }
        return state
    }

    /// SIGTERM to the server's process group, then SIGKILL after a deadline. Returns once
    /// neither the server nor anything in its group is left.
    private func stop(pid: pid_t) throws {
        func gone() -> Bool { !POSIX.isAlive(pid) && !POSIX.groupExists(pid) }
        if gone() { return }
        if kill(-pid, SIGTERM) != 0 { kill(pid, SIGTERM) }
        // A stopped (SIGSTOP, Ctrl-Z) server would only see the SIGTERM once continued.
        if kill(-pid, SIGCONT) != 0 { kill(pid, SIGCONT) }
        if waitUntil(.seconds(10), gone) { return }
        if kill(-pid, SIGKILL) != 0 { kill(pid, SIGKILL) }
        if waitUntil(.seconds(5), gone) { return }
        throw SandboxError.stopFailed(pid: pid)
    }

    private func waitUntil(_ limit: Duration, _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// The exit status of our child `pid`, waiting briefly for it to finish exiting.
    private func waitForExit(_ pid: pid_t) -> String? {
        let deadline = ContinuousClock.now + .seconds(2)
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid {
                let signal = status & 0x7f
                return signal == 0 ? "status \((status >> 8) & 0xff)" : "signal \(signal)"
            }
            if rc < 0 { return nil }
            usleep(20_000)
        }
        return nil
    }

    /// Whether `pid` runs our server script (guards against a recycled pid).
    private func isOurServer(_ pid: pid_t) -> Bool {
        guard let commandLine = POSIX.commandLine(pid) else { return true }
        return commandLine.contains("moto_server.py")
    }

    private func logTail(lines: Int = 15) -> [String] {
        guard let data = FileManager.default.contents(atPath: logFile.path) else { return [] }
        let all = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        return all.suffix(lines).map(String.init)
    }

    // MARK: - Files

    private func withLock<T>(timeout: Duration? = nil, _ body: () throws -> T) throws -> T {
        try paths.ensureHome()
        let deadline = ContinuousClock.now + (timeout ?? startTimeout + .seconds(30))
        guard let lock = try POSIX.lock(lockFile.path, deadline: deadline) else {
            throw SandboxError.lockTimedOut(path: lockFile.path)
        }
        defer { lock.close() }
        return try body()
    }

    func readState() -> SandboxState? {
        guard let data = FileManager.default.contents(atPath: stateFile.path) else { return nil }
        return try? Self.decoder.decode(SandboxState.self, from: data)
    }

    /// Writes the state to a 0600 temporary file in the same directory, then renames it
    /// over the state file: a reader sees the old file, the new one, or none, never half.
    private func writeState(_ state: SandboxState) throws {
        let data = try Self.encoder.encode(state)
        let temporary = paths.home.appendingPathComponent(".sandbox.json.\(getpid()).tmp")
        unlink(temporary.path)
        let fd = try POSIX.open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        let written = data.withUnsafeBytes { write(fd.raw, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd.raw) == 0 else {
            let failure = POSIXFailure("write \(temporary.path)")
            fd.close()
            unlink(temporary.path)
            throw failure
        }
        fd.close()
        guard rename(temporary.path, stateFile.path) == 0 else {
            let failure = POSIXFailure("rename to \(stateFile.path)")
            unlink(temporary.path)
            throw failure
        }
    }

    private func removeState() {
        unlink(stateFile.path)
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    // MARK: - The ready line

    private struct ReadyLine: Decodable {
        struct Key: Decodable {
            var access_key_id: String
            var secret_access_key: String
        }
        struct Client: Decodable {
            var access_key_id: String
            var secret_access_key: String
            var user_name: String
            var arn: String
        }
        var ready: Bool
        var port: Int
        var region: String
        var account_id: String
        var admin: Key
        var client: Client
        var other_buckets: [String]
        var moto_version: String
    }

    /// The state described by the server's ready line (JSON on one line).
    static func decodeReadyLine(_ line: String, pid: pid_t, startedAt: Date) throws -> SandboxState {
        let ready = try JSONDecoder().decode(ReadyLine.self, from: Data(line.utf8))
        guard ready.ready, (1...65535).contains(ready.port) else {
            throw SandboxError.system("the ready line has no usable port")
        }
        // Whole seconds, so the state read back from the file (ISO 8601) is equal to this one.
        let seconds = Date(timeIntervalSince1970: startedAt.timeIntervalSince1970.rounded(.down))
        return SandboxState(
            endpoint: "http://127.0.0.1:\(ready.port)", port: ready.port, pid: pid, region: ready.region,
            accountId: ready.account_id,
            admin: SandboxCredentials(accessKeyId: ready.admin.access_key_id,
                                      secretAccessKey: ready.admin.secret_access_key),
            client: SandboxCredentials(accessKeyId: ready.client.access_key_id,
                                       secretAccessKey: ready.client.secret_access_key),
            clientUserName: ready.client.user_name, clientUserArn: ready.client.arn,
            otherBuckets: ready.other_buckets, startedAt: seconds, motoVersion: ready.moto_version)
    }
}
