import Foundation
import TFCSupport

/// A screen as text: `rows` lines of exactly `cols` characters, plus optional
/// ANSI-styled lines (same text, with SGR sequences) for exports.
public struct Frame: Sendable, Equatable {
    public var size: TerminalSize
    public var lines: [String]
    public var styledLines: [String]?

    public init(size: TerminalSize, lines: [String], styledLines: [String]? = nil) {
        self.size = size
        self.lines = lines
        self.styledLines = styledLines
    }

    /// The text that paints this frame on a terminal from the top-left corner.
    public var ansi: String {
        "\u{1B}[H\u{1B}[2J" + (styledLines ?? lines).joined(separator: "\r\n")
    }
}

/// Draws a session's screen from its records: `CoreScreen` plugs in the TUI's
/// views (the same screen as live).
public protocol SessionScreen {
    mutating func apply(_ record: LogRecord)
    func frame(size: TerminalSize) -> Frame
}

/// Writes asciicast v2 (asciinema's format): a header line, then
/// `[seconds, "o", text]` output, `[seconds, "r", "COLSxROWS"]` resizes and
/// `[seconds, "m", label]` markers. Everything written passes the redactor.
public struct AsciicastWriter: Sendable {
    public var redactor: Redactor
    public private(set) var text = ""
    private var lastT = 0.0

    public init(width: Int, height: Int, timestamp: Date, title: String? = nil,
                idleTimeLimit: Double? = nil, redactor: Redactor) {
        self.redactor = redactor
        var header: [JSONMember] = [
            JSONMember("version", .integer(2)),
            JSONMember("width", .integer(max(1, width))),
            JSONMember("height", .integer(max(1, height))),
            JSONMember("timestamp", .integer(Int(timestamp.timeIntervalSince1970))),
        ]
        if let idleTimeLimit { header.append(JSONMember("idle_time_limit", .real(idleTimeLimit))) }
        if let title { header.append(JSONMember("title", .string(redactor.redact(title)))) }
        header.append(JSONMember("env", .fields(["TERM": .string("xterm-256color"), "SHELL": .string("/bin/sh")])))
        text = JSONValue.object(header).jsonText + "\n"
    }

    private mutating func event(_ t: Double, _ code: String, _ data: String) {
        let time = max(t, lastT)
        lastT = time
        let line = JSONValue.array([.number(LogRecord.formatTime(time)), .string(code), .string(redactor.redact(data))])
        text += line.jsonText + "\n"
    }

    public mutating func output(_ t: Double, _ data: String) { event(t, "o", data) }
    public mutating func resize(_ t: Double, cols: Int, rows: Int) { event(t, "r", "\(cols)x\(rows)") }
    public mutating func marker(_ t: Double, _ label: String) { event(t, "m", label) }
}

/// Exports a session's records as asciicast v2, drawing each record's screen
/// with `screen`. A frame is written only when the screen changed, and at most
/// one per `frameInterval` of recorded time.
public func exportAsciicast<S: SessionScreen>(header: LogHeader, records: [LogRecord], screen: S,
                                              redactor: Redactor, idleTimeLimit: Double? = 2,
                                              frameInterval: Double = 1.0 / 30) -> String {
    var screen = screen
    var size = header.terminal
    if size.cols <= 0 || size.rows <= 0 { size = TerminalSize(cols: 80, rows: 24) }
    var cast = AsciicastWriter(width: size.cols, height: size.rows, timestamp: header.startedAt,
                               title: "tfchallenge: \(header.challenge)", idleTimeLimit: idleTimeLimit,
                               redactor: redactor)
    var last = screen.frame(size: size)
    cast.output(0, last.ansi)
    for (i, r) in records.enumerated() {
        screen.apply(r)
        if r.kind == LogKind.resize, let c = r.data["cols"]?.intValue, let rows = r.data["rows"]?.intValue,
           c > 0, rows > 0 {
            size = TerminalSize(cols: c, rows: rows)
            cast.resize(r.t, cols: c, rows: rows)
        }
        if r.kind == LogKind.marker { cast.marker(r.t, r.data["text"]?.stringValue ?? "") }
        // A burst of events (terraform output) becomes one frame per 1/30 s: draw
        // only when the next record is later than that, or this is the last one.
        if i + 1 < records.count && records[i + 1].t - r.t < frameInterval && records[i + 1].kind != LogKind.resize {
            continue
        }
        let f = screen.frame(size: size)
        if f != last {
            cast.output(r.t, f.ansi)
            last = f
        }
    }
    return cast.text
}
