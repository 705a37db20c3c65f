import Foundation

/// A tmux server of the test's own (unique `-L` socket) running one program in
/// a detached session of a fixed size. Screens are read with `capture-pane`
/// and awaited by polling with a deadline, never by sleeping.
final class Tmux {
    struct Timeout: Error, CustomStringConvertible {
        var what: String
        var screen: String
        var description: String { "timed out waiting for \(what); the screen was:\n\(screen)" }
    }

    let socket = "tfc-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"
    let session = "main"

    /// Starts `argv` in a `cols` x `rows` session, under a shell that prints
    /// `[exit N]` when it ends and then stays, so the screen it left can be read.
    init(_ argv: [String], cols: Int, rows: Int, environment: [String: String], directory: String) throws {
        var args = ["-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "\(cols)", "-y", "\(rows)",
                    "-c", directory]
        for (k, v) in environment.sorted(by: { $0.key < $1.key }) { args += ["-e", "\(k)=\(v)"] }
        let command = argv.map(Tmux.quote).joined(separator: " ")
        args.append("\(command); echo \"[exit $?]\"; exec sleep 3600")
        try tmux(args)
    }

    /// The pid of the program (the child of the pane's shell), while it runs.
    func programPID() -> Int32? {
        guard let shell = Int32(format("#{pane_pid}")) else { return nil }
        guard let text = try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
        else { return nil }
        return text.split(separator: " ").compactMap { Int32($0) }.first
    }

    deinit { kill() }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs one tmux command on this server, to its end (at most 10 s).
    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        let (status, text) = try spawnAndWait(["tmux", "-L", socket] + args, timeout: 10)
        guard status == 0 else {
            throw NSError(domain: "tmux", code: Int(status),
                          userInfo: [NSLocalizedDescriptionKey: "tmux \(args.joined(separator: " ")): \(text)"])
        }
        return text
    }

    func capture() -> String {
        (try? tmux(["capture-pane", "-p", "-t", session])) ?? ""
    }

    /// A tmux format of the pane (`#{pane_dead}`, `#{alternate_on}`, ...).
    func format(_ f: String) -> String {
        ((try? tmux(["display-message", "-p", "-t", session, f])) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func send(_ keys: String...) throws {
        try tmux(["send-keys", "-t", session] + keys)
    }

    /// Types `text` literally.
    func type(_ text: String) throws {
        try tmux(["send-keys", "-t", session, "-l", text])
    }

    func resize(cols: Int, rows: Int) throws {
        try tmux(["resize-window", "-t", session, "-x", "\(cols)", "-y", "\(rows)"])
    }

    /// Polls the screen every 50 ms until `condition` holds; returns that screen.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 15, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = capture()
        while !condition(screen) {
            if Date() > deadline { throw Timeout(what: what, screen: screen) }
            usleep(50_000)
            screen = capture()
        }
        return screen
    }

    @discardableResult
    func waitFor(text: String, timeout: Double = 15) throws -> String {
        try waitFor("'\(text)'", timeout: timeout) { $0.contains(text) }
    }

    /// Waits for a pane format to reach `value`.
    func waitFor(format f: String, equal value: String, timeout: Double = 15) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while format(f) != value {
            if Date() > deadline { throw Timeout(what: "\(f) == \(value) (is \(format(f)))", screen: capture()) }
            usleep(50_000)
        }
    }

    func kill() {
        _ = try? tmux(["kill-server"])
    }
}

/// The built `tfchallenge` next to the test bundle.
func tfchallengeBinary() -> URL? {
    var candidates: [URL] = []
    if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent()) }
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    candidates.append(root.appendingPathComponent(".build/debug"))
    for dir in candidates {
        var d = dir
        for _ in 0..<4 {
            let u = d.appendingPathComponent("tfchallenge")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
            d = d.deletingLastPathComponent()
        }
    }
    return nil
}

/// Runs `binary args` to its end (killed after `timeout` seconds); returns status and output.
func runTool(_ binary: URL, _ args: [String], environment: [String: String], timeout: Double = 120) throws
    -> (status: Int32, output: String)
{
    let outFile = FileManager.default.temporaryDirectory.appendingPathComponent("tfc-e2e-out-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: outFile.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: outFile) }
    let handle = try FileHandle(forWritingTo: outFile)
    defer { try? handle.close() }
    let p = Process()
    p.executableURL = binary
    p.arguments = args
    p.environment = environment
    p.standardOutput = handle
    p.standardError = handle
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { usleep(20_000) }
    if p.isRunning { p.terminate() }
    p.waitUntilExit()
    return (p.terminationStatus, (try? String(contentsOf: outFile, encoding: .utf8)) ?? "")
}

/// Pids of live processes whose command line or working directory mentions `path`.
func processesMentioning(_ path: String) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    var found: [Int32] = []
    for e in entries {
        guard let pid = Int32(e), pid != getpid() else { continue }
        let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(e)/cmdline")))
            .map { String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "\0", with: " ") } ?? ""
        let cwd = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(e)/cwd")) ?? ""
        let stat = (try? String(contentsOfFile: "/proc/\(e)/stat", encoding: .utf8)) ?? ""
        if stat.contains(") Z ") { continue }  // zombies hold nothing
        if cmdline.hasPrefix("tmux ") { continue }  // the test's own server names the workspace in its argv
        if cmdline.contains(path) || cwd.hasPrefix(path) { found.append(pid) }
    }
    return found
}

/// Runs `argv` (found on PATH) with output to a file and stdin from /dev/null,
/// reaping it with waitpid. Output goes through a file, not a pipe: the server
/// that `tmux new-session` forks keeps the descriptors it was given, so a pipe
/// would never see its end.
func spawnAndWait(_ argv: [String], timeout: Double) throws -> (Int32, String) {
    let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("tfc-spawn-\(UUID().uuidString)").path
    defer { unlink(outPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    // The test runner's threads block most signals; tmux (and the program it
    // runs) must start with none blocked and default actions, or SIGTERM and
    // kill-server would not reach them.
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
    var pid: pid_t = 0
    let rc = posix_spawnp(&pid, argv[0], &actions, &attributes, &cArgs, environ)
    guard rc == 0 else {
        throw NSError(domain: "spawn", code: Int(rc), userInfo: [NSLocalizedDescriptionKey: "cannot run \(argv[0])"])
    }
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
