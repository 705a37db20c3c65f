/// Everything that happens to the screen. The runtime posts events to the UI
/// thread; each goes through the `EventSink` (the session log), then `update`.
/// A log replayed through `update` gives the same screens.
///
/// JSON form (stable, one object per event): `{"kind": "<kind>", ...payload}`.
/// Kinds: `todos`, `file_changed`, `run_started`, `terraform`, `run_exited`,
/// `checks_started`, `check_result`, `checks_finished`, `target`, `resize`,
/// `key`, `mouse`, `tick`, `marker`, `notice`. Decoding an unknown kind throws
/// `EventDecodingError.unknownKind`, so a reader can skip it.
public enum Event: Sendable, Equatable {
    /// A full scan of the workspace's TODOs (not a delta).
    case todos([TodoItem])
    /// A workspace file changed on disk (path relative to the workspace).
    case fileChanged(String)
    case runStarted(TerraformCommand)
    /// One decoded event of the running terraform command.
    case terraform(TerraformEvent)
    /// The running command ended. `exitCode` is nil when it could not start or
    /// was killed by a signal; `message` says why when it is not a plain exit.
    case runExited(TerraformCommand, exitCode: Int32?, interrupted: Bool, message: String)
    case checksStarted
    case checkResult(CheckResult)
    case checksFinished
    case target(Target)
    case resize(Size)
    case key(Key)
    case mouse(MouseEvent)
    /// Seconds since the session started.
    case tick(Double)
    /// A marker set by the interviewer or the program ("apply succeeded").
    case marker(String)
    /// A one-line message for the status bar (the runtime's own news).
    case notice(String)
    /// Where this session is recorded (shown in the status bar for the whole session).
    case sessionLog(String)

    public var kind: String {
        switch self {
        case .todos: return "todos"
        case .fileChanged: return "file_changed"
        case .runStarted: return "run_started"
        case .terraform: return "terraform"
        case .runExited: return "run_exited"
        case .checksStarted: return "checks_started"
        case .checkResult: return "check_result"
        case .checksFinished: return "checks_finished"
        case .target: return "target"
        case .resize: return "resize"
        case .key: return "key"
        case .mouse: return "mouse"
        case .tick: return "tick"
        case .marker: return "marker"
        case .notice: return "notice"
        case .sessionLog: return "session_log"
        }
    }

    public static let kinds: [String] = [
        "todos", "file_changed", "run_started", "terraform", "run_exited", "checks_started", "check_result",
        "checks_finished", "target", "resize", "key", "mouse", "tick", "marker", "notice",
        "session_log",
    ]
}

public enum EventDecodingError: Error, Equatable, CustomStringConvertible {
    case unknownKind(String)
    public var description: String {
        switch self {
        case .unknownKind(let k): return "unknown event kind '\(k)'"
        }
    }
}

/// Where every event goes before `update` sees it. The session log plugs its
/// writer in here. Called on the UI thread, in order; must not block for long.
public protocol EventSink: Sendable {
    func record(_ event: Event)
}

extension Event: Codable {
    enum Keys: String, CodingKey {
        case kind, items, path, command, event, exitCode = "exit_code", interrupted, message, result
        case state, endpoint, reason, account, region, cols, rows, key, action, x, y, time, text
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .todos(let items): try c.encode(items, forKey: .items)
        case .fileChanged(let path): try c.encode(path, forKey: .path)
        case .runStarted(let command): try c.encode(command, forKey: .command)
        case .terraform(let e): try c.encode(e, forKey: .event)
        case .runExited(let command, let code, let interrupted, let message):
            try c.encode(command, forKey: .command)
            try c.encodeIfPresent(code, forKey: .exitCode)
            try c.encode(interrupted, forKey: .interrupted)
            try c.encode(message, forKey: .message)
        case .checksStarted, .checksFinished: break
        case .checkResult(let r): try c.encode(r, forKey: .result)
        case .target(let t):
            switch t {
            case .sandboxUnknown: try c.encode("unknown", forKey: .state)
            case .sandboxStarting: try c.encode("starting", forKey: .state)
            case .sandboxUp(let endpoint):
                try c.encode("up", forKey: .state)
                try c.encode(endpoint, forKey: .endpoint)
            case .sandboxDown(let reason):
                try c.encode("down", forKey: .state)
                try c.encode(reason, forKey: .reason)
            case .aws(let account, let region):
                try c.encode("aws", forKey: .state)
                try c.encode(account, forKey: .account)
                try c.encode(region, forKey: .region)
            }
        case .resize(let s):
            try c.encode(s.cols, forKey: .cols)
            try c.encode(s.rows, forKey: .rows)
        case .key(let k): try c.encode(k, forKey: .key)
        case .mouse(let m):
            try c.encode(m.action, forKey: .action)
            try c.encode(m.x, forKey: .x)
            try c.encode(m.y, forKey: .y)
        case .tick(let t): try c.encode(t, forKey: .time)
        case .marker(let text), .notice(let text): try c.encode(text, forKey: .text)
        case .sessionLog(let path): try c.encode(path, forKey: .path)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "todos": self = .todos(try c.decode([TodoItem].self, forKey: .items))
        case "file_changed": self = .fileChanged(try c.decode(String.self, forKey: .path))
        case "run_started": self = .runStarted(try c.decode(TerraformCommand.self, forKey: .command))
        case "terraform": self = .terraform(try c.decode(TerraformEvent.self, forKey: .event))
        case "run_exited":
            self = .runExited(try c.decode(TerraformCommand.self, forKey: .command),
                              exitCode: try c.decodeIfPresent(Int32.self, forKey: .exitCode),
                              interrupted: try c.decodeIfPresent(Bool.self, forKey: .interrupted) ?? false,
                              message: try c.decodeIfPresent(String.self, forKey: .message) ?? "")
        case "checks_started": self = .checksStarted
        case "checks_finished": self = .checksFinished
        case "check_result": self = .checkResult(try c.decode(CheckResult.self, forKey: .result))
        case "target":
            switch try c.decode(String.self, forKey: .state) {
            case "starting": self = .target(.sandboxStarting)
            case "up": self = .target(.sandboxUp(endpoint: try c.decode(String.self, forKey: .endpoint)))
            case "down": self = .target(.sandboxDown(reason: try c.decodeIfPresent(String.self, forKey: .reason) ?? ""))
            case "aws": self = .target(.aws(account: try c.decode(String.self, forKey: .account),
                                            region: try c.decode(String.self, forKey: .region)))
            default: self = .target(.sandboxUnknown)
            }
        case "resize": self = .resize(Size(cols: try c.decode(Int.self, forKey: .cols),
                                           rows: try c.decode(Int.self, forKey: .rows)))
        case "key": self = .key(try c.decode(Key.self, forKey: .key))
        case "mouse": self = .mouse(MouseEvent(try c.decode(MouseEvent.Action.self, forKey: .action),
                                               x: try c.decode(Int.self, forKey: .x), y: try c.decode(Int.self, forKey: .y)))
        case "tick": self = .tick(try c.decode(Double.self, forKey: .time))
        case "marker": self = .marker(try c.decode(String.self, forKey: .text))
        case "notice": self = .notice(try c.decode(String.self, forKey: .text))
        case "session_log": self = .sessionLog(try c.decode(String.self, forKey: .path))
        default: throw EventDecodingError.unknownKind(kind)
        }
    }
}
