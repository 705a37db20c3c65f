import Foundation
import Testing
@testable import SessionLog
import TFCSupport

@Suite struct TailerTests {
    static func isCheck(_ e: LogTailer.Event) -> Bool {
        if case .record(let r) = e { return r.kind == LogKind.checkResult }
        return false
    }

    @Test func aNewCheckResultIsSeenWithinASecond() async throws {
        let dir = try TempDir()
        let path = dir.path("live.ndjson")
        let tailer = LogTailer(path: path)
        #expect(try tailer.poll().isEmpty)  // no file yet: waiting, not an error
        let w = try SessionLogWriter(path: path, header: testHeader(), redactor: Redactor())
        _ = try w.append(kind: LogKind.runStarted, data: .fields(["command": .string("apply")]))
        let first = try #require(try await tailer.waitFor(timeout: .seconds(1)) {
            if case .record(let r) = $0 { return r.kind == LogKind.runStarted } else { return false }
        })
        #expect(first.first == .header(testHeader()))
        #expect(tailer.header == testHeader())

        // The writer, in another task, reports a check; the tailer sees it within a second.
        let writer = Task.detached {
            try w.append(kind: LogKind.checkResult, data: .fields(["check": .string("read"), "passed": .bool(true)]))
        }
        let seen = try await tailer.waitFor(timeout: .seconds(1), Self.isCheck)
        _ = try await writer.value
        let events = try #require(seen, "the check result was not seen within a second")
        guard case .record(let r) = events.last else { Issue.record("no record"); return }
        #expect(r.data["check"] == .string("read"))
    }

    @Test func aHalfWrittenLineWaitsForItsEnd() throws {
        let dir = try TempDir()
        let path = dir.path("live.ndjson")
        try writeRaw(path, [headerLine], tail: #"{"t":1,"kind":"mar"#)
        let tailer = LogTailer(path: path)
        #expect(try tailer.poll() == [.header(testHeader())])
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        h.seekToEndOfFile()
        h.write(Data(#"ker","data":{"label":"x"}}"#.utf8 + [0x0A]))
        try h.close()
        #expect(try tailer.poll() == [.record(LogRecord(t: 1, kind: "marker", data: .fields(["label": .string("x")])))])
    }

    @Test func itFollowsTheWritersRestartByReplacementAndByTruncation() throws {
        let dir = try TempDir()
        let path = dir.path("live.ndjson")
        var w = try SessionLogWriter(path: path, header: testHeader(), redactor: Redactor())
        for i in 0..<20 { try w.append(LogRecord(t: Double(i), kind: LogKind.marker, data: .fields(["label": .string("first \(i)")]))) }
        let tailer = LogTailer(path: path)
        #expect(try tailer.poll().count == 21)

        // Replaced: a new file renamed over the old one (a new inode).
        let tmp = dir.path("next.ndjson")
        let next = try SessionLogWriter(path: tmp, header: testHeader(cols: 120, rows: 40), redactor: Redactor())
        try next.append(LogRecord(t: 0.5, kind: LogKind.marker, data: .fields(["label": .string("second")])))
        #expect(rename(tmp, path) == 0)
        let afterReplace = try tailer.poll()
        #expect(afterReplace.first == .restarted)
        #expect(afterReplace.contains(.header(testHeader(cols: 120, rows: 40))))
        #expect(afterReplace.count == 3)

        // Truncated in place: the writer started again on the same file (same inode, shorter).
        w = try SessionLogWriter(path: path, header: testHeader(cols: 90, rows: 30), redactor: Redactor())
        try w.append(LogRecord(t: 0.1, kind: LogKind.marker, data: .fields(["label": .string("third")])))
        let afterTruncate = try tailer.poll()
        #expect(afterTruncate.first == .restarted)
        #expect(afterTruncate.contains(.header(testHeader(cols: 90, rows: 30))))
        #expect(tailer.header == testHeader(cols: 90, rows: 30))
    }
}
