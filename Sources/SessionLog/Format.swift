import Foundation

/// A format version `MAJOR.MINOR`. A reader accepts any minor version of its own
/// major (new minors only add kinds or fields, which readers skip) and refuses a
/// newer major.
public struct FormatVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let ma = Int(parts[0]), let mi = Int(parts[1]), ma >= 0, mi >= 0 else { return nil }
        self.init(major: ma, minor: mi)
    }
    public var description: String { "\(major).\(minor)" }
    public static func < (a: FormatVersion, b: FormatVersion) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
}

/// A terminal's size in character cells.
public struct TerminalSize: Sendable, Hashable, Codable {
    public var cols: Int
    public var rows: Int
    public init(cols: Int, rows: Int) {
        self.cols = cols
        self.rows = rows
    }
}

/// Line 1 of a session log.
public struct LogHeader: Sendable, Equatable {
    /// The `format` field's value: what this file is.
    public static let formatName = "tfchallenge-session"
    /// The version this program writes; it reads every `1.x`.
    public static let currentVersion = FormatVersion(major: 1, minor: 0)

    public var version: FormatVersion
    public var challenge: String
    public var startedAt: Date
    public var terminal: TerminalSize
    public var programVersion: String
    /// The workspace's path (optional: replays show it where the live screen did).
    public var workspace: String = ""

    public init(version: FormatVersion = LogHeader.currentVersion, challenge: String, startedAt: Date,
                terminal: TerminalSize, programVersion: String) {
        self.version = version
        self.challenge = challenge
        self.startedAt = startedAt
        self.terminal = terminal
        self.programVersion = programVersion
    }

    public var json: JSONValue {
        .fields([
            "format": .string(Self.formatName),
            "version": .string(version.description),
            "challenge": .string(challenge),
            "started_at": .string(ISO8601.format(startedAt)),
            "terminal": .fields(["cols": .integer(terminal.cols), "rows": .integer(terminal.rows)]),
            "program_version": .string(programVersion),
        ] as KeyValuePairs<String, JSONValue>).adding(workspace.isEmpty ? nil : JSONMember("workspace", .string(workspace)))
    }

    /// Reads a header, or says why the value is not one this program can read.
    public init(json: JSONValue) throws(SessionLogError) {
        guard json.members != nil else { throw .notASessionLog("line 1 is not a JSON object") }
        guard json["format"]?.stringValue == Self.formatName else {
            throw .notASessionLog("line 1 has no \"format\":\"\(Self.formatName)\"")
        }
        guard let vt = json["version"]?.stringValue, let v = FormatVersion(vt) else {
            throw .notASessionLog("the header's version is missing or not MAJOR.MINOR")
        }
        guard v.major <= Self.currentVersion.major else {
            throw .newerVersion(found: v, supported: Self.currentVersion)
        }
        guard let st = json["started_at"]?.stringValue, let started = ISO8601.parse(st) else {
            throw .notASessionLog("the header's started_at is missing or not an ISO 8601 time")
        }
        let cols = json["terminal"]?["cols"]?.intValue ?? 80
        let rows = json["terminal"]?["rows"]?.intValue ?? 24
        self.init(version: v, challenge: json["challenge"]?.stringValue ?? "", startedAt: started,
                  terminal: TerminalSize(cols: max(cols, 0), rows: max(rows, 0)),
                  programVersion: json["program_version"]?.stringValue ?? "")
        workspace = json["workspace"]?.stringValue ?? ""
    }
}

/// One event of a session: when (seconds since the header's start, millisecond
/// precision), what kind, and its payload. The log carries any kind; what a kind
/// means is up to the reader.
public struct LogRecord: Sendable, Equatable {
    public var t: Double
    public var kind: String
    public var data: JSONValue

    public init(t: Double, kind: String, data: JSONValue = .null) {
        self.t = t
        self.kind = kind
        self.data = data
    }

    /// The record's line (without the newline).
    public var jsonText: String {
        var out: [UInt8] = []
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func write(into out: inout [UInt8]) {
        out.append(contentsOf: "{\"t\":".utf8)
        out.append(contentsOf: LogRecord.formatTime(t).utf8)
        out.append(contentsOf: ",\"kind\":".utf8)
        JSONValue.writeString(kind, into: &out)
        out.append(contentsOf: ",\"data\":".utf8)
        data.write(into: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// Seconds with exactly three decimals: `12.345`.
    public static func formatTime(_ t: Double) -> String {
        let ms = t.isFinite ? Int((max(t, 0) * 1000).rounded()) : 0
        let frac = ms % 1000
        return "\(ms / 1000)." + (frac < 10 ? "00" : frac < 100 ? "0" : "") + "\(frac)"
    }

    /// Reads a record from a parsed line.
    public init(json: JSONValue) throws(SessionLogError) {
        guard case .object(let members) = json else { throw .badRecord("not a JSON object") }
        var t: Double?
        var kind: String?
        var data: JSONValue = .null
        for m in members {
            switch m.key {
            case "t": t = m.value.doubleValue
            case "kind": kind = m.value.stringValue
            case "data": data = m.value
            default: break
            }
        }
        guard let t, t.isFinite, t >= 0 else { throw .badRecord("\"t\" is missing or not a non-negative number") }
        guard let kind, !kind.isEmpty else { throw .badRecord("\"kind\" is missing or not a string") }
        self.init(t: t, kind: kind, data: data)
    }
}

/// Everything that can go wrong with a session log, with messages meant for people.
public enum SessionLogError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case isDirectory(path: String)
    case empty(path: String)
    case notASessionLog(String)
    case newerVersion(found: FormatVersion, supported: FormatVersion)
    case badRecord(String)
    case writeFailed(path: String, reason: String)
    case noLogInDirectory(path: String)

    public var description: String {
        switch self {
        case .missing(let p): return "no session log at \(p)"
        case .unreadable(let p, let r): return "cannot read the session log \(p): \(r)"
        case .isDirectory(let p): return "\(p) is a directory, not a session log"
        case .empty(let p): return "\(p) is empty: the session wrote nothing yet"
        case .notASessionLog(let why): return "not a tfchallenge session log: \(why)"
        case .newerVersion(let found, let supported):
            return "this log has format version \(found), written by a newer tfchallenge; this program reads "
                + "version \(supported.major).x. Upgrade tfchallenge to read it."
        case .badRecord(let why): return why
        case .writeFailed(let p, let r): return "cannot write the session log \(p): \(r)"
        case .noLogInDirectory(let p): return "no session log (*.ndjson) in \(p)"
        }
    }
}

/// A line the reader could not use, named by its 1-based line number.
public struct LogProblem: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
    public var description: String { "line \(line): \(message)" }
}

/// ISO 8601 times with milliseconds, in UTC.
enum ISO8601 {
    static func format(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    static func parse(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }
}

/// Turns lines into a header and records, one at a time: the reader and the
/// tailer share it, so both judge a line the same way.
public struct LogLineDecoder: Sendable {
    public private(set) var header: LogHeader?
    public private(set) var lineNumber = 0
    /// When set, records of other kinds keep `data` null (it is checked, not built).
    public var dataKinds: Set<String>?

    public init(dataKinds: Set<String>? = nil) {
        self.dataKinds = dataKinds
    }

    public enum Item: Sendable, Equatable {
        case header(LogHeader)
        case record(LogRecord)
        case problem(LogProblem)
        case blank
    }

    /// Decodes the next line (its bytes, without the newline). A bad header
    /// throws: nothing after it can be trusted.
    public mutating func decode(_ line: UnsafeBufferPointer<UInt8>) throws(SessionLogError) -> Item {
        lineNumber += 1
        var end = line.count
        if end > 0 && line[end - 1] == 0x0D { end -= 1 }  // tolerate CRLF
        let body = UnsafeBufferPointer(rebasing: line[0..<end])
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            return .blank
        }
        let value: JSONValue
        let parsed: Result<JSONValue, JSONParseError>
        if let kinds = dataKinds, header != nil {
            parsed = JSONValue.parseRecordBuffer(body) { kinds.contains($0) }
        } else {
            parsed = JSONValue.parseBuffer(body)
        }
        switch parsed {
        case .success(let v): value = v
        case .failure(let e):
            if header == nil { throw .notASessionLog("line 1 is not JSON (\(e))") }
            return .problem(LogProblem(line: lineNumber, message: "not valid JSON: \(e)"))
        }
        if header == nil {
            let h = try LogHeader(json: value)
            header = h
            return .header(h)
        }
        do {
            return .record(try LogRecord(json: value))
        } catch {
            return .problem(LogProblem(line: lineNumber, message: error.description))
        }
    }
}
