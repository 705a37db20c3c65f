import Foundation

/// A child that could not be started.
public struct SpawnError: Error, CustomStringConvertible {
    public var program: String
    public var code: Int32
    public var description: String { "cannot run \(program): \(String(cString: strerror(code)))" }
}

/// Runs `argv` (`argv[0]` found on PATH unless it holds a slash) to its end, with
/// stdin from /dev/null and stdout and stderr to a file, reaped with waitpid; killed
/// after `timeout` seconds. Returns the exit status (128 + signal if signalled) and
/// the output. `environment` nil means this process's own.
///
/// Output goes through a file, not a pipe: the server that `tmux new-session` forks
/// keeps the descriptors it was given, so a pipe would never see its end (and
/// Foundation's `Process` was seen waiting forever on such a client). The child
/// starts with no signal blocked and every action at its default: the test runner's
/// threads block most signals, and a tmux server or pane that inherited that mask
/// would outlive SIGTERM and kill-server's SIGHUP.
public func spawnAndWait(_ argv: [String], environment: [String: String]? = nil, timeout: Double)
    throws -> (status: Int32, output: String)
{
    precondition(!argv.isEmpty, "spawnAndWait needs a program")
    let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("tfc-spawn-\(UUID().uuidString)").path
    defer { unlink(outPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var all = sigset_t()
    sigfillset(&all)
    sigdelset(&all, SIGKILL)
    sigdelset(&all, SIGSTOP)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { for p in cArgs { free(p) } }
    let cEnv: [UnsafeMutablePointer<CChar>?]? = environment.map { env in
        env.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
    }
    defer { for p in cEnv ?? [] { free(p) } }
    var pid: pid_t = 0
    let rc: Int32
    if var envp = cEnv {
        rc = posix_spawnp(&pid, argv[0], &actions, &attributes, &cArgs, &envp)
    } else {
        rc = posix_spawnp(&pid, argv[0], &actions, &attributes, &cArgs, environ)
    }
    guard rc == 0 else { throw SpawnError(program: argv[0], code: rc) }
    var status: Int32 = 0
    let deadline = Date().addingTimeInterval(timeout)
    while waitpid(pid, &status, WNOHANG) == 0 {
        if Date() > deadline {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            break
        }
        usleep(2_000)
    }
    let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    return ((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), text)
}

/// The package's built product `name` (`tfchallenge`, `tfchallenge-loggen`, ...),
/// looked for next to the test bundle and up to three folders above it, then in
/// the checkout's `.build/debug`.
public func builtProduct(_ name: String) -> URL? {
    var candidates: [URL] = []
    if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent()) }
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    candidates.append(root.appendingPathComponent(".build/debug"))
    for dir in candidates {
        var d = dir
        for _ in 0..<4 {
            let u = d.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
            d = d.deletingLastPathComponent()
        }
    }
    return nil
}

/// Pids of live processes whose command line or working directory mentions `path`
/// (tmux itself aside: the test's own server names the path in its argv).
public func processesMentioning(_ path: String) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    var found: [Int32] = []
    for e in entries {
        guard let pid = Int32(e), pid != getpid() else { continue }
        let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(e)/cmdline")))
            .map { String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "\0", with: " ") } ?? ""
        let cwd = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(e)/cwd")) ?? ""
        let stat = (try? String(contentsOfFile: "/proc/\(e)/stat", encoding: .utf8)) ?? ""
        if stat.contains(") Z ") { continue }  // zombies hold nothing
        if cmdline.hasPrefix("tmux ") { continue }
        if cmdline.contains(path) || cwd.hasPrefix(path) { found.append(pid) }
    }
    return found
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; then checks it once more.
public func eventually(timeout: Duration = .seconds(10), _ condition: () throws -> Bool) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try condition()
}
