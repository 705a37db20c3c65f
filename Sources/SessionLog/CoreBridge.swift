import Challenge
import Core
import Foundation
import TFCSupport
import Views

// The log and the TUI's core: every `Event` is a record (its kind, and its JSON
// form without the kind), and a log folds back through the same `update` and
// the same `view` as the live screen.

/// Turns Core events into records and back.
public enum EventCodec {
    /// The record's kind and payload for `event`.
    public static func encode(_ event: Event) throws -> (kind: String, data: JSONValue) {
        let v = try JSONValue.encoding(event)
        guard case .object(let members) = v else { return (event.kind, v) }
        return (event.kind, .object(members.filter { $0.key != "kind" }))
    }

    /// The event of a record; nil for a kind Core does not know (skipped).
    /// Throws when the kind is known but the payload does not fit it.
    public static func decode(_ record: LogRecord) throws -> Event? {
        guard Event.kinds.contains(record.kind) else { return nil }
        if let fast = fastDecode(record) { return fast }
        return try slowDecode(record)
    }

    /// Through `JSONDecoder` and the core's own `Decodable`: the reference.
    static func slowDecode(_ record: LogRecord) throws -> Event? {
        guard Event.kinds.contains(record.kind) else { return nil }
        var members = [JSONMember("kind", .string(record.kind))]
        if case .object(let m) = record.data { members += m.filter { $0.key != "kind" } }
        do {
            return try JSONValue.object(members).decode(Event.self)
        } catch EventDecodingError.unknownKind {
            return nil
        }
    }
}

extension EventCodec {
    /// The most frequent kinds read straight from the tree (a replay of a long
    /// session folds hundreds of thousands of them). Nil means "use the
    /// reference decoder"; a test holds both to the same answers.
    static func fastDecode(_ r: LogRecord) -> Event? {
        let d = r.data
        switch r.kind {
        case "tick": return d["time"]?.doubleValue.map { .tick($0) }
        case "key": return d["key"]?.stringValue.map { .key(Key($0)) }
        case "marker": return d["text"]?.stringValue.map { .marker($0) }
        case "notice": return d["text"]?.stringValue.map { .notice($0) }
        case "file_changed": return d["path"]?.stringValue.map { .fileChanged($0) }
        case "checks_started": return .checksStarted
        case "checks_finished": return .checksFinished
        case "resize":
            guard case .number(let ct)? = d["cols"], case .number(let rt)? = d["rows"],
                  let c = Int(ct), let rows = Int(rt) else { return nil }
            return .resize(Size(cols: c, rows: rows))
        case "run_started":
            return d["command"]?.stringValue.flatMap(TerraformCommand.init(rawValue:)).map { .runStarted($0) }
        case "terraform":
            guard case .object(let m)? = d["event"], m.count == 1 else { return nil }
            let body = m[0].value
            guard case .object(let fields) = body else { return nil }
            func str(_ k: String) -> String? { body[k]?.stringValue }
            func int(_ k: String) -> Int? {
                guard let n = body[k], case .number(let text) = n else { return nil }
                return Int(text)
            }
            switch m[0].key {
            case "applyProgress":
                guard fields.count == 3, let a = str("address"), let act = str("action"), let e = int("elapsed") else { return nil }
                return .terraform(.applyProgress(address: a, action: act, elapsed: e))
            case "applyComplete":
                guard let a = str("address"), let act = str("action"), let e = int("elapsed") else { return nil }
                let id: String?
                switch body["id"] {
                case nil, .null?: id = nil
                case .string(let s)?: id = s
                default: return nil
                }
                guard fields.count == (body["id"] == nil ? 3 : 4) else { return nil }
                return .terraform(.applyComplete(address: a, action: act, id: id, elapsed: e))
            case "applyStart":
                guard fields.count == 2, let a = str("address"), let act = str("action") else { return nil }
                return .terraform(.applyStart(address: a, action: act))
            case "plannedChange":
                guard fields.count == 2, let a = str("address"), let act = str("action") else { return nil }
                return .terraform(.plannedChange(address: a, action: act))
            default:
                return nil
            }
        default:
            return nil
        }
    }
}

/// The live session's log: the TUI's `EventSink`. Each event is written as it
/// happens (redacted, flushed; synced for command exits, check results and
/// markers). A file change carries the diff of the file against what the
/// recorder saw before. Writing never throws into the UI: the first failure is
/// kept in `failure` and reported through `onFailure`.
public final class SessionRecorder: EventSink, @unchecked Sendable {
    public let writer: SessionLogWriter
    public let workspace: URL?
    private let lock = NSLock()
    private var files: [String: String] = [:]
    private var failureValue: SessionLogError?
    private let onFailure: (@Sendable (SessionLogError) -> Void)?

    /// The kinds that are synced to the disk when written.
    public static let durableKinds: Set<String> = ["run_exited", "check_result", "checks_finished", "marker", LogKind.end]

    /// Largest file the recorder keeps to diff (bigger ones are logged without a diff).
    public static let maxDiffedFile = 512 * 1024

    public init(writer: SessionLogWriter, workspace: URL?, onFailure: (@Sendable (SessionLogError) -> Void)? = nil) {
        self.writer = writer
        self.workspace = workspace
        self.onFailure = onFailure
        if let workspace { snapshotFiles(in: workspace) }
    }

    /// Creates the log at `path` for a session in `workspace`.
    public static func start(path: String, challenge: String, workspace: URL?, size: Size,
                             environment: [String: String], startedAt: Date = Date(),
                             onFailure: (@Sendable (SessionLogError) -> Void)? = nil) throws(SessionLogError) -> SessionRecorder {
        var header = LogHeader(challenge: challenge, startedAt: startedAt,
                               terminal: TerminalSize(cols: size.cols, rows: size.rows),
                               programVersion: TFChallengeVersion.current)
        header.workspace = workspace?.path ?? ""
        let writer = try SessionLogWriter(path: path, header: header, redactor: .fromEnvironment(environment),
                                          durableKinds: durableKinds)
        return SessionRecorder(writer: writer, workspace: workspace, onFailure: onFailure)
    }

    /// The first write that failed, if any.
    public var failure: SessionLogError? { lock.lock(); defer { lock.unlock() }; return failureValue }

    public func record(_ event: Event) {
        lock.lock(); defer { lock.unlock() }
        learnSecrets(from: event)
        do {
            var (kind, data) = try EventCodec.encode(event)
            if case .fileChanged(let path) = event, case .object(var members) = data {
                members.append(JSONMember("diff", .string(diff(of: path))))
                data = .object(members)
            }
            try writer.append(kind: kind, data: data)
        } catch let e as SessionLogError {
            fail(e)
        } catch {
            fail(.writeFailed(path: writer.path, reason: "cannot encode a \(event.kind) event: \(error)"))
        }
    }

    /// Adds a secret to scrub from every later record.
    public func addSecret(_ secret: String) { writer.addSecret(secret) }

    /// Writes the end of the session and closes the log.
    public func finish(reason: String) {
        lock.lock(); defer { lock.unlock() }
        do {
            try writer.append(kind: LogKind.end, data: .fields(["reason": .string(reason)]))
            try writer.close()
        } catch {
            fail(error)
        }
    }

    private func fail(_ e: SessionLogError) {
        guard failureValue == nil else { return }
        failureValue = e
        onFailure?(e)
    }

    /// Sensitive terraform outputs: their values are scrubbed from then on.
    private func learnSecrets(from event: Event) {
        guard case .terraform(.outputs(let outputs)) = event else { return }
        var r = Redactor()
        for (_, o) in outputs where o.sensitive {
            guard let json = o.valueJSON, let data = json.data(using: .utf8) else { continue }
            if let v = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) { r.addLeaves(of: v) }
        }
        if r.count > 0 {
            var w = writer.redactor
            w.merge(r)
            writer.redactor = w
        }
    }

    /// The workspace's Terraform files as the file watcher sees them (the same list,
    /// so hidden directories like `.terraform` are neither walked nor kept).
    private func snapshotFiles(in dir: URL) {
        guard let names = try? TodoScanner.terraformFiles(in: dir) else { return }
        for name in names {
            if let text = readSmall(dir.appendingPathComponent(name)) { files[name] = text }
        }
    }

    private func readSmall(_ url: URL) -> String? {
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: url.path),
              let size = (attrs[.size] as? NSNumber)?.intValue, size <= Self.maxDiffedFile,
              let data = try? Data(contentsOf: url) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    private func diff(of path: String) -> String {
        guard let workspace else { return "" }
        let url = workspace.appendingPathComponent(path)
        let old = files[path] ?? ""
        guard FileManager.default.fileExists(atPath: url.path) else {
            files[path] = nil
            return old.isEmpty ? "" : unifiedDiff(old: old, new: "", path: path)
        }
        guard let new = readSmall(url) else { return "(file too large to diff)" }
        files[path] = new
        return unifiedDiff(old: old, new: new, path: path)
    }
}

/// A unified diff (two lines of context) of two texts. Line-based LCS; texts
/// over 4,000 lines are summarised instead.
public func unifiedDiff(old: String, new: String, path: String, context: Int = 2) -> String {
    if old == new { return "" }
    let a = old.isEmpty ? [] : old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let b = new.isEmpty ? [] : new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard a.count <= 4000, b.count <= 4000 else { return "(\(a.count) lines -> \(b.count) lines; too long to diff)" }
    // Trim the common head and tail, then LCS on the middle.
    var head = 0
    while head < a.count && head < b.count && a[head] == b[head] { head += 1 }
    var tail = 0
    while tail < a.count - head && tail < b.count - head && a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
    let am = Array(a[head..<(a.count - tail)]), bm = Array(b[head..<(b.count - tail)])
    let n = am.count, m = bm.count
    var lcs = [[Int32]](repeating: [Int32](repeating: 0, count: m + 1), count: n + 1)
    if n > 0 && m > 0 {
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = am[i] == bm[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
    }
    // The edit script over the whole texts: (op, lineA, lineB).
    enum Op { case same, del, add }
    var script: [(Op, Int, Int)] = (0..<head).map { (.same, $0, $0) }
    var i = 0, j = 0
    while i < n || j < m {
        if i < n && j < m && am[i] == bm[j] { script.append((.same, head + i, head + j)); i += 1; j += 1 }
        else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) { script.append((.del, head + i, head + j)); i += 1 }
        else { script.append((.add, head + i, head + j)); j += 1 }
    }
    for k in 0..<tail { script.append((.same, a.count - tail + k, b.count - tail + k)) }
    // Hunks: changed entries with `context` same lines around them.
    var out = ["--- a/\(path)", "+++ b/\(path)"]
    var k = 0
    while k < script.count {
        guard script[k].0 != .same else { k += 1; continue }
        let start = max(0, k - context)
        var end = k
        var lastChange = k
        while end < script.count && (script[end].0 != .same || end - lastChange <= context * 2) {
            if script[end].0 != .same { lastChange = end }
            end += 1
        }
        end = min(script.count, lastChange + context + 1)
        let hunk = script[start..<end]
        let aStart = hunk.first.map { $0.1 + 1 } ?? 0
        let bStart = hunk.first.map { $0.2 + 1 } ?? 0
        let aLen = hunk.filter { $0.0 != .add }.count
        let bLen = hunk.filter { $0.0 != .del }.count
        out.append("@@ -\(aStart),\(aLen) +\(bStart),\(bLen) @@")
        for (op, ia, ib) in hunk {
            switch op {
            case .same: out.append(" " + a[ia])
            case .del: out.append("-" + a[ia])
            case .add: out.append("+" + b[ib])
            }
        }
        k = end
    }
    return out.joined(separator: "\n")
}

/// The candidate's screen rebuilt from a log: the records' events folded
/// through Core's `update`, drawn by Views' `view`. The same screen as live.
public struct CoreScreen: SessionScreen {
    public private(set) var state: State
    public var options: ViewOptions
    /// Records of kinds Core does not know (skipped).
    public private(set) var skipped = 0
    /// Records of a known kind whose payload did not decode.
    public private(set) var undecodable = 0

    public init(header: LogHeader?, options: ViewOptions = ViewOptions()) {
        let size = header.map { Size(cols: $0.terminal.cols, rows: $0.terminal.rows) } ?? Size(cols: 80, rows: 24)
        state = State(workspace: header?.workspace ?? "", size: size)
        self.options = options
    }

    public mutating func apply(_ record: LogRecord) {
        let event: Event?
        do { event = try EventCodec.decode(record) } catch { undecodable += 1; return }
        guard let event else { skipped += 1; return }
        state = update(state, event).0
    }

    /// The screen at the size the candidate's terminal had.
    public var liveSize: TerminalSize { TerminalSize(cols: state.size.cols, rows: state.size.rows) }

    public func buffer(size: TerminalSize) -> Buffer {
        view(state, size: Size(cols: size.cols, rows: size.rows), options: options)
    }

    public func frame(size: TerminalSize) -> Frame {
        let buf = buffer(size: size)
        return Frame(size: size, lines: buf.lines, styledLines: ansiLines(buf))
    }
}

/// The buffer's rows with SGR sequences for its styles (continuation cells skipped).
public func ansiLines(_ buf: Buffer) -> [String] {
    func code(_ c: Color, base: Int) -> String? {
        c == .default ? nil : String(base + Int(c.rawValue) - 1)
    }
    func sgr(_ s: Style) -> String {
        var parts = ["0"]
        if s.bold { parts.append("1") }
        if s.dim { parts.append("2") }
        if s.underline { parts.append("4") }
        if s.reverse { parts.append("7") }
        if let f = code(s.fg, base: 30) { parts.append(f) }
        if let b = code(s.bg, base: 40) { parts.append(b) }
        return "\u{1B}[" + parts.joined(separator: ";") + "m"
    }
    return (0..<buf.height).map { y in
        var line = ""
        var current = Style.plain
        for x in 0..<buf.width {
            let cell = buf[x, y]
            if cell.isContinuation { continue }
            if cell.style != current {
                line += sgr(cell.style)
                current = cell.style
            }
            line += cell.text
        }
        if current != .plain { line += "\u{1B}[0m" }
        return line
    }
}
