import Core
import Foundation
import SessionLog
import Views
import TFCSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `watch`, `replay` and `export`: the interviewer's commands over session logs.
enum LogCommands {
    static var all: [Command] { [watch, replay, export] }

    /// The screen a log is drawn with. One place, so watch, replay and export agree.
    static func makeScreen(header: LogHeader?) -> CoreScreen {
        CoreScreen(header: header, options: ViewOptions(ascii: !unicodeLocale()))
    }

    /// Whether the locale draws UTF-8 (box characters); else the views' ASCII fallback.
    static func unicodeLocale() -> Bool {
        let env = ProcessInfo.processInfo.environment
        let value = env["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 } ?? env["LC_CTYPE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? env["LANG"] ?? ""
        return value.uppercased().contains("UTF-8") || value.uppercased().contains("UTF8")
    }

    /// The watch screen: the candidate's panes and the timeline, side by side on a
    /// wide terminal, stacked otherwise.
    static func watchFrame(screen: CoreScreen, timeline: SessionTimeline, size: TerminalSize, wallNow: Double,
                           status: String) -> Frame {
        let rows = max(0, size.rows - 1)
        var plain: [String] = []
        var styled: [String] = []
        if size.cols >= 140 {
            let right = 44
            let left = size.cols - right - 1
            let f = screen.frame(size: TerminalSize(cols: left, rows: rows))
            let tl = timeline.timelineLines(width: right, height: rows, wallNow: wallNow)
            for y in 0..<rows {
                let t = y < tl.count ? tl[y] : String(repeating: " ", count: right)
                plain.append(f.lines[y] + "│" + t)
                styled.append((f.styledLines?[y] ?? f.lines[y]) + "\u{1B}[0m│" + t)
            }
        } else {
            let bottom = min(9, rows / 3)
            let f = screen.frame(size: TerminalSize(cols: size.cols, rows: rows - bottom))
            let tl = timeline.timelineLines(width: size.cols, height: bottom, wallNow: wallNow)
            plain = f.lines + tl
            styled = (f.styledLines ?? f.lines) + tl.map { "\u{1B}[0m" + $0 }
        }
        let bar = fit(status, size.cols)
        return Frame(size: size, lines: plain + [bar], styledLines: styled + ["\u{1B}[0;7m" + bar + "\u{1B}[0m"])
    }

    /// `--idle-cap SECONDS` of replay and export: default 2, 0 for none (nil).
    static func idleCap(_ args: ParsedArguments, command: String) throws -> Double? {
        guard let s = args.value("idle-cap") else { return 2 }
        guard let v = Double(s), v >= 0 else {
            throw UsageError("--idle-cap must be a number of seconds, not '\(s)'", command: command)
        }
        return v == 0 ? nil : v
    }

    static func logPath(_ args: ParsedArguments, _ ctx: CommandContext) -> String {
        args.positionals.first ?? ctx.paths.sessions.path
    }

    // MARK: watch

    static let watch = Command(
        name: "watch", summary: "follow a live session read-only (the interviewer's view)",
        synopsis: "watch [LOG|DIR] [--once]",
        details: """
        Follows a session log as the candidate's tfchallenge writes it, like tail -F: the check board, \
        the TODO count and a timeline (each TODO resolved, each apply, when each check first passed, \
        time since the last file change). A DIR follows its newest log, and moves to a newer one when \
        a new session starts. Without an argument: the sessions directory. Keys: q quits.
        """,
        flags: [FlagSpec("once", help: "print the timeline as it is now and exit (no terminal needed)")],
        maxPositionals: 1
    ) { args, ctx in
        let target = logPath(args, ctx)
        let isDir = directoryExists(target)
        if args.has("once") {
            let path = try SessionLogReader.resolve(target)
            let log = try SessionLogReader.read(path: path)
            var tl = SessionTimeline(header: log.header)
            var screen = makeScreen(header: log.header)
            for r in log.records {
                tl.apply(r)
                screen.apply(r)
            }
            let size = screen.liveSize
            let lines = screen.frame(size: size).lines + [""] + tl.timelineLines(width: size.cols, height: 30)
            ctx.console.print(lines.map { $0.replacingOccurrences(of: " +$", with: "", options: .regularExpression) }
                .joined(separator: "\n"))
            for p in log.problems { ctx.console.error("tfchallenge watch: \(path): \(p)") }
            return ExitCode.success
        }
        guard ctx.console.interactive else {
            throw UsageError("watch needs a terminal; use --once to print the timeline", command: "watch")
        }
        if !isDir && !FileManager.default.fileExists(atPath: target) {
            ctx.console.error("tfchallenge watch: waiting for \(target) to appear (q quits)")
        }
        let term = try RawTerminal()
        defer { term.restore() }
        var path = isDir ? SessionLogReader.newestLog(in: target) : target
        var tailer = path.map { LogTailer(path: $0) }
        var screen = makeScreen(header: nil)
        var timeline = SessionTimeline()
        timeline.keepDiffs = false
        var lastResolve = ContinuousClock.now
        var lastFrame: Frame?
        var problems = 0
        let wallStart = Date()
        while true {
            if isDir, ContinuousClock.now - lastResolve > .seconds(1) {
                lastResolve = ContinuousClock.now
                let newest = SessionLogReader.newestLog(in: target)
                if newest != path, let newest {
                    path = newest
                    tailer = LogTailer(path: newest)
                    screen = makeScreen(header: nil)
                    timeline = SessionTimeline()
                }
            }
            if let t = tailer {
                for e in try t.poll() {
                    switch e {
                    case .restarted:
                        screen = makeScreen(header: nil)
                        timeline = SessionTimeline()
                    case .header(let h):
                        screen = makeScreen(header: h)
                        timeline = SessionTimeline(header: h)
                    case .record(let r):
                        screen.apply(r)
                        timeline.apply(r)
                    case .problem: problems += 1
                    }
                }
            }
            let size = RawTerminal.size() ?? TerminalSize(cols: 80, rows: 24)
            let startedAt = timeline.header?.startedAt ?? wallStart
            let wallNow = timeline.ended ?? max(timeline.now, Date().timeIntervalSince(startedAt))
            let frame = watchFrame(screen: screen, timeline: timeline, size: size, wallNow: wallNow,
                                   status: "watch \(path ?? target) · read-only · \(problems) bad lines · q quits")
            if frame != lastFrame {
                term.draw(frame)
                lastFrame = frame
            }
            if let key = term.readKey(timeoutMs: 100), key == UInt8(ascii: "q") || key == 3 || key == 4 {
                break
            }
        }
        return ExitCode.success
    }

    // MARK: replay

    static let replay = Command(
        name: "replay", summary: "replay a recorded session, or print its summary",
        synopsis: "replay LOG [--speed X] [--idle-cap SECONDS] [--start TIME] [--summary]",
        details: """
        Replays the session's screens at the recorded pace (--start TIME begins there, paused). Keys: space pause, . step one event, \
        + and - speed (0.25x to 64x), ] and [ next/previous check change or marker, 0-9 seek to that \
        tenth of the session, q quit. --summary prints a report instead (no terminal needed): duration, \
        TODOs resolved and when, applies and their results, when all four checks passed, the file diffs.
        """,
        flags: [
            FlagSpec("summary", help: "print a report of the session and exit"),
            FlagSpec("speed", value: "X", help: "start at this speed, 0.25 to 64 (default 1)"),
            FlagSpec("idle-cap", value: "SECONDS", help: "shorten pauses longer than this (default 2; 0: keep them)"),
            FlagSpec("start", value: "TIME", help: "start at this recorded time (SECONDS, M:SS or H:MM:SS), paused"),
        ],
        maxPositionals: 1
    ) { args, ctx in
        guard let path = args.positionals.first else {
            throw UsageError("replay needs a session log", command: "replay")
        }
        var speed = 1.0
        if let s = args.value("speed") {
            guard let v = Double(s.hasSuffix("x") ? String(s.dropLast()) : s), v >= 0.25, v <= 64 else {
                throw UsageError("--speed must be a number from 0.25 to 64, not '\(s)'", command: "replay")
            }
            speed = v
        }
        let idleCap = try LogCommands.idleCap(args, command: "replay")
        var start: Double?
        if let s = args.value("start") {
            guard let v = parseClock(s) else {
                throw UsageError("--start must be SECONDS, M:SS or H:MM:SS, not '\(s)'", command: "replay")
            }
            start = v
        }
        if args.has("summary") {
            var timeline: SessionTimeline?
            var pending: [LogRecord] = []
            let scan = try SessionLogReader.scan(path: path, dataKinds: SessionTimeline.kindsRead) { r in
                if timeline == nil { pending.append(r) } else { timeline?.apply(r) }
                return true
            }
            var tl = timeline ?? SessionTimeline(header: scan.header)
            tl.header = scan.header
            tl.apply(pending)
            ctx.console.print(tl.summary(problems: scan.problems, truncated: scan.truncatedLastLine))
            return ExitCode.success
        }
        guard ctx.console.interactive else {
            throw UsageError("replay needs a terminal; use --summary for a report", command: "replay")
        }
        let log = try SessionLogReader.read(path: path)
        for p in log.problems { ctx.console.error("tfchallenge replay: \(path): \(p)") }
        try runPlayer(log, speed: speed, idleCap: idleCap, start: start)
        return ExitCode.success
    }

    /// Records where a jump stops: a check's result changed, or a marker.
    static func stops(_ records: [LogRecord]) -> [Int] {
        var last: [String: Bool] = [:]
        var out: [Int] = []
        for (i, r) in records.enumerated() {
            if r.kind == LogKind.marker { out.append(i); continue }
            if r.kind == LogKind.checkResult, let name = r.data["check"]?.stringValue {
                let passed = r.data["passed"]?.boolValue ?? false
                if last[name] != passed { out.append(i) }
                last[name] = passed
            }
        }
        return out
    }

    /// `90`, `1:30`, `0:01:30` or `1.5` (seconds) as seconds.
    static func parseClock(_ text: String) -> Double? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        var total = 0.0
        for (i, p) in parts.enumerated() {
            guard let v = Double(p), v >= 0, v.isFinite else { return nil }
            if i > 0 && v >= 60 { return nil }
            total = total * 60 + v
        }
        return total
    }

    static func runPlayer(_ log: SessionLogContents, speed: Double, idleCap: Double?, start: Double? = nil) throws {
        let records = log.records
        var clock = ReplayClock(times: records.map(\.t), idleCap: idleCap)
        clock.setSpeed(speed)
        let stopList = stops(records)
        var screen = makeScreen(header: log.header)
        func rebuild(_ n: Int) {
            screen = makeScreen(header: log.header)
            for r in records[0..<n] { screen.apply(r) }
        }
        func apply(_ result: ReplayClock.SeekResult?) {
            switch result {
            case .forward(let range): for r in records[range] { screen.apply(r) }
            case .rebuild(let n): rebuild(n)
            case nil: break
            }
        }
        if let start {
            clock.pause()
            apply(clock.seek(toRecordedTime: start))
        }
        let term = try RawTerminal()
        defer { term.restore() }
        var lastTick = ContinuousClock.now
        var lastFrame: Frame?
        while true {
            let now = ContinuousClock.now
            let dt = now - lastTick
            lastTick = now
            apply(.forward(clock.tick(by: dt.inSeconds)))
            let size = RawTerminal.size() ?? log.header.terminal
            let live = screen.liveSize
            let fits = live.cols <= size.cols && live.rows <= size.rows - 1
            let body = screen.frame(size: fits ? live : TerminalSize(cols: size.cols, rows: max(0, size.rows - 1)))
            let state = clock.paused ? "paused" : clock.finished ? "end" : "playing"
            let status = fit("\(state) \(formatClock(clock.position))/\(formatClock(clock.duration)) x\(clock.speed) · "
                + "space pause · . step · +/- speed · [ ] jump · 0-9 seek · q quit", size.cols)
            let frame = Frame(size: size, lines: body.lines + [status],
                              styledLines: (body.styledLines ?? body.lines) + ["\u{1B}[0;7m" + status + "\u{1B}[0m"])
            if frame != lastFrame {
                term.draw(frame)
                lastFrame = frame
            }
            let wait = min(100, max(5, Int((clock.untilNext ?? 0.1) * 1000)))
            guard let key = term.readKey(timeoutMs: wait) else { continue }
            switch key {
            case UInt8(ascii: "q"), 3, 4: return
            case UInt8(ascii: " "): clock.togglePause()
            case UInt8(ascii: "."): apply(.forward(clock.step()))
            case UInt8(ascii: "+"), UInt8(ascii: "="): clock.faster()
            case UInt8(ascii: "-"): clock.slower()
            case UInt8(ascii: "]"): apply(clock.jumpForward(to: stopList))
            case UInt8(ascii: "["): apply(clock.jumpBackward(to: stopList))
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                apply(clock.seek(toReplayTime: clock.duration * Double(key - UInt8(ascii: "0")) / 10))
            default: break
            }
        }
    }

    // MARK: export

    static let export = Command(
        name: "export", summary: "export a recorded session as an asciicast (asciinema) file",
        synopsis: "export LOG --asciicast OUT.cast [--idle-cap SECONDS]",
        details: """
        Writes asciicast v2, which `asciinema play` shows: the session's screens as they changed, \
        the terminal's resizes and the markers. Secrets are redacted again on the way out.
        """,
        flags: [
            FlagSpec("asciicast", value: "OUT.cast", help: "the file to write"),
            FlagSpec("idle-cap", value: "SECONDS", help: "idle time limit for players (default 2; 0: none)"),
        ],
        maxPositionals: 1
    ) { args, ctx in
        guard let path = args.positionals.first else {
            throw UsageError("export needs a session log", command: "export")
        }
        guard let out = args.value("asciicast") else {
            throw UsageError("export needs --asciicast OUT.cast", command: "export")
        }
        let idleCap = try LogCommands.idleCap(args, command: "export")
        let log = try SessionLogReader.read(path: path)
        for p in log.problems { ctx.console.error("tfchallenge export: \(path): \(p)") }
        let cast = exportAsciicast(header: log.header, records: log.records, screen: makeScreen(header: log.header),
                                   redactor: Redactor.fromEnvironment(ctx.environment), idleTimeLimit: idleCap)
        guard FileManager.default.createFile(atPath: out, contents: Data(cast.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            ctx.console.error("tfchallenge export: cannot write \(out)")
            return ExitCode.failure
        }
        ctx.console.print("wrote \(out) (\(log.records.count) events, \(cast.split(separator: "\n").count - 1) frames and marks)")
        return ExitCode.success
    }
}

/// Cuts or pads a line to exactly `width` characters.
func fit(_ s: String, _ width: Int) -> String {
    guard width > 0 else { return "" }
    let n = s.count
    if n == width { return s }
    if n < width { return s + String(repeating: " ", count: width - n) }
    return String(s.prefix(width - 1)) + "…"
}

// What a signal handler needs to give the terminal back: plain globals, because
// a handler can capture nothing and may only make async-signal-safe calls.
nonisolated(unsafe) private var rawTerminalSaved = termios()
nonisolated(unsafe) private var rawTerminalActive: sig_atomic_t = 0

/// SIGTERM/SIGHUP/SIGQUIT while a viewer runs: restore the terminal, then die of the signal.
private func rawTerminalSignal(_ sig: Int32) {
    if rawTerminalActive != 0 {
        _ = tcsetattr(0, TCSANOW, &rawTerminalSaved)
        let leave: StaticString = "\u{1B}[?25h\u{1B}[?1049l"
        _ = write(1, leave.utf8Start, leave.utf8CodeUnitCount)
    }
    signal(sig, SIG_DFL)
    raise(sig)
}

/// The controlling terminal in raw mode, for the read-only viewers (watch,
/// replay): no echo, keys one byte at a time, the alternate screen. Restored by
/// `restore()` or when the value goes away.
final class RawTerminal {
    private var saved = termios()
    private var active = false

    init() throws {
        guard tcgetattr(0, &saved) == 0 else {
            throw UsageError("stdin is not a terminal", command: "terminal")
        }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        guard tcsetattr(0, TCSANOW, &raw) == 0 else {
            throw UsageError("cannot set the terminal to raw mode", command: "terminal")
        }
        active = true
        rawTerminalSaved = saved
        rawTerminalActive = 1
        for sig in [SIGTERM, SIGHUP, SIGQUIT] { signal(sig, rawTerminalSignal) }
        emit("\u{1B}[?1049h\u{1B}[?25l")
    }

    deinit { restore() }

    func restore() {
        guard active else { return }
        active = false
        rawTerminalActive = 0
        for sig in [SIGTERM, SIGHUP, SIGQUIT] { signal(sig, SIG_DFL) }
        emit("\u{1B}[?25h\u{1B}[?1049l")
        _ = tcsetattr(0, TCSANOW, &saved)
    }

    func emit(_ s: String) {
        var bytes = Array(s.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress.map { $0 + done }, $0.count - done) }
            if n < 0 { if errno == EINTR { continue }; return }
            done += n
        }
    }

    func draw(_ frame: Frame) { emit(frame.ansi) }

    /// One byte of input, or nil when none came within the timeout.
    func readKey(timeoutMs: Int) -> UInt8? {
        var p = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(timeoutMs)) > 0 else { return nil }
        var b: UInt8 = 0
        return read(0, &b, 1) == 1 ? b : nil
    }

    /// The terminal's size, or nil when stdout is not a terminal.
    static func size() -> TerminalSize? {
        var w = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0, w.ws_row > 0 else { return nil }
        return TerminalSize(cols: Int(w.ws_col), rows: Int(w.ws_row))
    }
}

/// The session log of the candidate's screen, for the command that runs the TUI:
/// add `SessionLogOption.flags` to its flags, open the recorder with `open`,
/// pass it to the UI loop as its `EventSink`, and call `finish` when it ends.
/// By default every session writes `<home>/sessions/<challenge>-<UTC time>.ndjson`.
enum SessionLogOption {
    static let flags = [
        FlagSpec("log", value: "FILE", help: "write the session log to FILE (default: a new file in <home>/sessions)"),
        FlagSpec("no-log", help: "do not write a session log"),
    ]

    /// The recorder the flags ask for, or nil with `--no-log`. The log's path is
    /// `recorder.writer.path` (for the status bar).
    static func open(_ args: ParsedArguments, _ ctx: CommandContext, challenge: String, workspace: URL?,
                     size: Size, onFailure: (@Sendable (SessionLogError) -> Void)? = nil) throws -> SessionRecorder? {
        if args.has("no-log") {
            if args.has("log") { throw UsageError("--log and --no-log contradict each other", command: "run") }
            return nil
        }
        let path = args.value("log")
            ?? SessionLogWriter.defaultPath(sessionsDirectory: ctx.paths.sessions, challenge: challenge)
        return try SessionRecorder.start(path: path, challenge: challenge, workspace: workspace, size: size,
                                         environment: ctx.environment, onFailure: onFailure)
    }
}
