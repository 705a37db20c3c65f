import Foundation

/// A TODO as the log names it.
public struct TodoRef: Sendable, Hashable {
    public var file: String
    public var line: Int
    public var text: String
    public init(file: String, line: Int, text: String) {
        self.file = file
        self.line = line
        self.text = text
    }
    /// Identity across edits: the same text in the same file (line numbers move as code is added above).
    var key: String { file + "\u{0}" + text }
}

/// What happened when in a session: a fold over its records. `watch` draws it
/// beside the live panes; `replay --summary` prints it.
public struct SessionTimeline: Sendable {
    public struct Resolved: Sendable, Equatable {
        public var todo: TodoRef
        public var t: Double
    }
    public struct Run: Sendable, Equatable {
        public var command: String
        public var started: Double
        public var finished: Double?
        public var exitCode: Int?
        public var interrupted: Bool
        public var ok: Bool? { exitCode.map { $0 == 0 && !interrupted } }
    }
    public struct FileChange: Sendable, Equatable {
        public var t: Double
        public var path: String
        public var diff: String
    }
    public struct CheckState: Sendable, Equatable {
        public var passed: Bool
        public var firstPassed: Double?
        public var lastChange: Double
        public var error: String?
    }
    public struct Marker: Sendable, Equatable {
        public var t: Double
        public var label: String
    }

    /// The kinds whose payloads the timeline reads (a reader may skip the rest's).
    public static let kindsRead: Set<String> = [
        LogKind.todos, LogKind.fileChanged, LogKind.runStarted, LogKind.runExited, LogKind.checkResult,
        LogKind.resize, LogKind.marker, LogKind.target, LogKind.end,
    ]

    /// The four checks, in board order; other check names are kept too.
    public static let checkOrder = ["write", "read", "list", "isolation"]

    public var header: LogHeader?
    /// The time of the last record.
    public private(set) var now: Double = 0
    public private(set) var records = 0
    public private(set) var openTodos: [TodoRef] = []
    public private(set) var initialTodoCount: Int?
    public private(set) var resolved: [Resolved] = []
    public private(set) var runs: [Run] = []
    public private(set) var checks: [String: CheckState] = [:]
    public private(set) var allPassedAt: Double?
    public private(set) var fileChanges: [FileChange] = []
    public private(set) var markers: [Marker] = []
    public private(set) var lastFileChange: Double?
    public private(set) var terminal: TerminalSize?
    public private(set) var target: String?
    public private(set) var ended: Double?
    /// Keep diff texts (a summary needs them; a benchmark of a huge log may not).
    public var keepDiffs = true

    public init(header: LogHeader? = nil) {
        self.header = header
        self.terminal = header?.terminal
    }

    /// The checks that exist, in board order.
    public var checkNames: [String] {
        Self.checkOrder.filter { checks[$0] != nil } + checks.keys.filter { !Self.checkOrder.contains($0) }.sorted()
    }

    public mutating func apply(_ r: LogRecord) {
        records += 1
        now = max(now, r.t)
        switch r.kind {
        case LogKind.todos:
            let list = (r.data["items"]?.arrayValue ?? []).compactMap { v -> TodoRef? in
                guard let file = v["file"]?.stringValue else { return nil }
                return TodoRef(file: file, line: v["line"]?.intValue ?? 0, text: v["text"]?.stringValue ?? "")
            }
            if initialTodoCount == nil { initialTodoCount = list.count }
            let now = Set(list.map(\.key))
            for old in openTodos where !now.contains(old.key) {
                resolved.append(Resolved(todo: old, t: r.t))
            }
            // A TODO that comes back is open again (its old resolution stays in the history).
            openTodos = list
        case LogKind.fileChanged:
            let path = r.data["path"]?.stringValue ?? "?"
            fileChanges.append(FileChange(t: r.t, path: path, diff: keepDiffs ? (r.data["diff"]?.stringValue ?? "") : ""))
            lastFileChange = r.t
        case LogKind.runStarted:
            runs.append(Run(command: r.data["command"]?.stringValue ?? "?", started: r.t, finished: nil,
                            exitCode: nil, interrupted: false))
        case LogKind.runExited:
            let command = r.data["command"]?.stringValue ?? "?"
            let exit = r.data["exit_code"]?.intValue ?? -1
            let interrupted = r.data["interrupted"]?.boolValue ?? false
            if let i = runs.lastIndex(where: { $0.command == command && $0.finished == nil }) {
                runs[i].finished = r.t
                runs[i].exitCode = exit
                runs[i].interrupted = interrupted
            } else {
                runs.append(Run(command: command, started: r.t, finished: r.t, exitCode: exit, interrupted: interrupted))
            }
        case LogKind.checkResult:
            let result = r.data["result"]
            guard let name = result?["name"]?.stringValue else { break }
            let passed = result?["status"]?.stringValue == "pass"
            var c = checks[name] ?? CheckState(passed: false, firstPassed: nil, lastChange: r.t, error: nil)
            if c.passed != passed || checks[name] == nil { c.lastChange = r.t }
            c.passed = passed
            c.error = passed ? nil : result?["message"]?.stringValue
            if passed && c.firstPassed == nil { c.firstPassed = r.t }
            checks[name] = c
            if allPassedAt == nil && Self.checkOrder.allSatisfy({ checks[$0]?.passed == true }) {
                allPassedAt = r.t
            }
        case LogKind.resize:
            if let c = r.data["cols"]?.intValue, let rows = r.data["rows"]?.intValue {
                terminal = TerminalSize(cols: c, rows: rows)
            }
        case LogKind.marker:
            markers.append(Marker(t: r.t, label: r.data["text"]?.stringValue ?? ""))
        case LogKind.target:
            let d = r.data
            switch d["state"]?.stringValue {
            case "up": target = "sandbox up at \(d["endpoint"]?.stringValue ?? "?")"
            case "down": target = "sandbox down" + (d["reason"]?.stringValue.map { ": \($0)" } ?? "")
            case "starting": target = "sandbox starting"
            case "aws": target = "AWS account \(d["account"]?.stringValue ?? "?") in \(d["region"]?.stringValue ?? "?")"
            default: target = nil
            }
        case LogKind.end:
            ended = r.t
        default:
            break
        }
    }

    /// Applies records in order.
    public mutating func apply<S: Sequence>(_ records: S) where S.Element == LogRecord {
        for r in records { apply(r) }
    }
}

/// `m:ss` or `h:mm:ss` for a number of seconds.
public func formatClock(_ seconds: Double) -> String {
    let s = max(0, Int(seconds.isFinite ? seconds : 0))
    let h = s / 3600, m = (s % 3600) / 60, sec = s % 60
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return h > 0 ? "\(h):\(two(m)):\(two(sec))" : "\(m):\(two(sec))"
}

extension SessionTimeline {
    /// The plain-text report of `replay --summary`.
    public func summary(problems: [LogProblem] = [], truncated: Bool = false) -> String {
        var out: [String] = []
        if let h = header {
            out.append("session: \(h.challenge.isEmpty ? "(no challenge)" : h.challenge), started \(ISO8601.format(h.startedAt)), "
                + "tfchallenge \(h.programVersion), terminal \(h.terminal.cols)x\(h.terminal.rows)")
        }
        out.append("duration: \(formatClock(ended ?? now)) (\(records) events)")
        if let target { out.append("target: \(target)") }
        out.append("")
        let total = initialTodoCount ?? 0
        out.append("TODOs: \(resolved.count) resolved, \(openTodos.count) open (\(total) at the start)")
        for r in resolved {
            out.append("  \(formatClock(r.t))  resolved  \(r.todo.file):\(r.todo.line)  \(r.todo.text)")
        }
        for t in openTodos { out.append("           open      \(t.file):\(t.line)  \(t.text)") }
        out.append("")
        out.append("terraform runs: \(runs.count)")
        for run in runs {
            let result: String
            if run.interrupted { result = "interrupted" }
            else if let code = run.exitCode { result = code == 0 ? "ok" : "failed (exit \(code))" }
            else { result = "did not finish" }
            let took = run.finished.map { " in \(formatClock($0 - run.started))" } ?? ""
            out.append("  \(formatClock(run.started))  \(run.command.padding(toLength: 8, withPad: " ", startingAt: 0)) \(result)\(took)")
        }
        out.append("")
        out.append("checks:")
        for name in checkNames {
            guard let c = checks[name] else { continue }
            let first = c.firstPassed.map { "first passed at \(formatClock($0))" } ?? "never passed"
            out.append("  \(name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(c.passed ? "pass" : "FAIL")  \(first)")
        }
        if checks.isEmpty { out.append("  (no check ran)") }
        out.append(allPassedAt.map { "all four checks passed at \(formatClock($0))" } ?? "the four checks never all passed")
        if !markers.isEmpty {
            out.append("")
            out.append("markers:")
            for m in markers { out.append("  \(formatClock(m.t))  \(m.label)") }
        }
        out.append("")
        out.append("file changes: \(fileChanges.count)")
        for f in fileChanges {
            out.append("  \(formatClock(f.t))  \(f.path)")
            for line in f.diff.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
                out.append("      \(line)")
            }
        }
        if !problems.isEmpty || truncated {
            out.append("")
            out.append("log problems:")
            for p in problems { out.append("  \(p)") }
            if truncated { out.append("  the last line was cut short (the writer stopped mid-line); it was dropped") }
        }
        return out.joined(separator: "\n")
    }

    /// The timeline pane of `watch`, fitted to `width` x `height` cells.
    public func timelineLines(width: Int, height: Int, wallNow: Double? = nil) -> [String] {
        guard width > 0, height > 0 else { return [] }
        let at = wallNow ?? now
        var lines: [String] = []
        let title = header.map { "\($0.challenge) · started \(ISO8601.format($0.startedAt))" } ?? "waiting for a session…"
        lines.append(title)
        lines.append("elapsed \(formatClock(at))" + (ended != nil ? " (ended)" : "")
            + "  ·  last file change " + (lastFileChange.map { "\(formatClock(at - $0)) ago" } ?? "none yet"))
        let board = Self.checkOrder.map { name -> String in
            guard let c = checks[name] else { return "\(name) ·" }
            return "\(name) \(c.passed ? "✓" : "✗")"
        }.joined(separator: "  ")
        lines.append("checks: " + board + (allPassedAt.map { "  · all passed at \(formatClock($0))" } ?? ""))
        lines.append("TODOs: \(openTodos.count) open, \(resolved.count) resolved")
        lines.append("")
        var events: [(Double, String)] = []
        for r in resolved { events.append((r.t, "TODO done  \(r.todo.file):\(r.todo.line) \(r.todo.text)")) }
        for run in runs where run.command == "apply" || run.command == "destroy" {
            let res = run.interrupted ? "interrupted" : run.exitCode.map { $0 == 0 ? "ok" : "failed" } ?? "running"
            events.append((run.started, "\(run.command) \(res)"))
        }
        for name in Self.checkOrder { if let t = checks[name]?.firstPassed { events.append((t, "check \(name) first passed")) } }
        for m in markers { events.append((m.t, "marker  \(m.label)")) }
        events.sort { $0.0 < $1.0 }
        let room = max(0, height - lines.count)
        for e in events.suffix(room) { lines.append("\(formatClock(e.0))  \(e.1)") }
        return lines.prefix(height).map { fit($0, width) }
    }
}

/// Cuts or pads a line to exactly `width` characters.
func fit(_ s: String, _ width: Int) -> String {
    guard width > 0 else { return "" }
    let n = s.count
    if n == width { return s }
    if n < width { return s + String(repeating: " ", count: width - n) }
    return String(s.prefix(max(0, width - 1))) + "…"
}
