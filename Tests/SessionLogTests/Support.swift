import Foundation
@testable import SessionLog
import TFCSupport

/// A fresh directory per test, removed when the value goes away.
final class TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("tfc-log-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

let testStart = Date(timeIntervalSince1970: 1_760_000_000.25)

func testHeader(cols: Int = 80, rows: Int = 24) -> LogHeader {
    LogHeader(challenge: "bigcorp-s3-kms", startedAt: testStart, terminal: TerminalSize(cols: cols, rows: rows),
              programVersion: "0.1.0")
}

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0.0
    func set(_ t: Double) { lock.lock(); value = t; lock.unlock() }
    func now() -> Double { lock.lock(); defer { lock.unlock() }; return value }
}

/// Writes `lines` (each without its newline) to `path`, joined by newlines, plus `tail` raw.
func writeRaw(_ path: String, _ lines: [String], tail: String = "") throws {
    try Data((lines.map { $0 + "\n" }.joined() + tail).utf8).write(to: URL(fileURLWithPath: path))
}

var headerLine: String { testHeader().json.jsonText }
