import Foundation

/// A tmux server of the test's own: a unique `-L` socket, no configuration
/// (`-f /dev/null`), killed when the value goes away. Every tmux command runs
/// through `spawnAndWait` (at most 10 s each). Screens are read with
/// `capture-pane` and awaited by polling with a deadline, never by sleeping.
public final class Tmux {
    public struct Timeout: Error, CustomStringConvertible {
        public var what: String
        public var screen: String
        public var description: String { "timed out waiting for \(what); the screen was:\n\(screen)" }
    }

    public struct CommandFailed: Error, CustomStringConvertible {
        public var args: [String]
        public var status: Int32
        public var output: String
        public var description: String { "tmux \(args.joined(separator: " ")) exited \(status): \(output)" }
    }

    public let socket = "tfc-tmux-\(getpid())-\(UUID().uuidString.prefix(8))"
    /// The session that `capture`, `format`, `send`, `type`, `resize` and `waitFor` address.
    public let session: String

    /// A server with no session yet: start one with `run(["new-session", "-d", "-s", session, ...])`.
    public init(session: String = "main") {
        self.session = session
    }

    /// Starts `argv` in a detached `cols` x `rows` session, under a shell that prints
    /// `[exit N]` when it ends and then stays, so the screen it left can be read.
    public convenience init(_ argv: [String], cols: Int, rows: Int, environment: [String: String],
                            directory: String) throws {
        self.init()
        var args = ["new-session", "-d", "-s", session, "-x", "\(cols)", "-y", "\(rows)", "-c", directory]
        for (k, v) in environment.sorted(by: { $0.key < $1.key }) { args += ["-e", "\(k)=\(v)"] }
        let command = argv.map(Tmux.quote).joined(separator: " ")
        args.append("\(command); echo \"[exit $?]\"; exec sleep 3600")
        try run(args)
    }

    deinit { kill() }

    /// `s` quoted for a POSIX shell.
    public static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs one tmux command on this server, to its end; its exit status and output.
    public func result(_ args: [String]) throws -> (status: Int32, output: String) {
        try spawnAndWait(["tmux", "-L", socket, "-f", "/dev/null"] + args, timeout: 10)
    }

    /// Runs one tmux command on this server; its output, or `CommandFailed` if it did not exit 0.
    @discardableResult
    public func run(_ args: [String]) throws -> String {
        let (status, text) = try result(args)
        guard status == 0 else { throw CommandFailed(args: args, status: status, output: text) }
        return text
    }

    /// The visible text of `target`'s pane (this session's by default); empty if it cannot be read.
    public func capture(_ target: String? = nil) -> String {
        (try? run(["capture-pane", "-p", "-t", target ?? session])) ?? ""
    }

    /// A tmux format of the session's pane (`#{pane_dead}`, `#{alternate_on}`, ...).
    public func format(_ f: String) -> String {
        ((try? run(["display-message", "-p", "-t", session, f])) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The pid of the program the pane's shell runs (its first child), while it runs.
    public func programPID() -> Int32? {
        guard let shell = Int32(format("#{pane_pid}")) else { return nil }
        guard let text = try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
        else { return nil }
        return text.split(separator: " ").compactMap { Int32($0) }.first
    }

    /// Sends keys by their tmux names (`Enter`, `Escape`, `q`, ...).
    public func send(_ keys: String...) throws {
        try run(["send-keys", "-t", session] + keys)
    }

    /// Types `text` literally.
    public func type(_ text: String) throws {
        try run(["send-keys", "-t", session, "-l", text])
    }

    public func resize(cols: Int, rows: Int) throws {
        try run(["resize-window", "-t", session, "-x", "\(cols)", "-y", "\(rows)"])
    }

    /// Polls the screen every 50 ms until `condition` holds; returns that screen.
    @discardableResult
    public func waitFor(_ what: String, timeout: Double = 15, _ condition: (String) -> Bool) throws -> String {
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
    public func waitFor(text: String, timeout: Double = 15) throws -> String {
        try waitFor("'\(text)'", timeout: timeout) { $0.contains(text) }
    }

    /// Waits for a pane format to reach `value`.
    public func waitFor(format f: String, equal value: String, timeout: Double = 15) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while format(f) != value {
            if Date() > deadline { throw Timeout(what: "\(f) == \(value) (is \(format(f)))", screen: capture()) }
            usleep(50_000)
        }
    }

    /// Ends the server and everything it runs.
    public func kill() {
        _ = try? run(["kill-server"])
    }
}
