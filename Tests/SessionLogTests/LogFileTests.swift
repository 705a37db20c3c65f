import Foundation
import Testing
@testable import SessionLog
import TFCSupport

@Suite struct LogFileTests {
    @Test func writtenRecordsReadBackTheSame() throws {
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        let clock = ManualClock()
        let w = try SessionLogWriter(path: path, header: testHeader(), redactor: Redactor(),
                                     elapsed: { clock.now() })
        let payloads: [(Double, String, JSONValue)] = [
            (0.0, LogKind.todos, .fields(["todos": .array([.fields(["file": .string("main.tf"), "line": .integer(3),
                                                                      "text": .string("TODO: encrypt")])])])),
            (1.2345, LogKind.runStarted, .fields(["command": .string("plan")])),
            (2.5, "some_future_kind", .fields(["nested": .array([.null, .bool(true), .number("1e3")])])),
            (3.0, LogKind.checkResult, .fields(["check": .string("write"), "passed": .bool(true)])),
        ]
        var written: [LogRecord] = []
        for (t, kind, data) in payloads {
            clock.set(t)
            written.append(try w.append(kind: kind, data: data))
        }
        try w.close()
        let log = try SessionLogReader.read(path: path)
        #expect(log.header == testHeader())
        #expect(log.records == written)
        #expect(log.records.map(\.t) == [0, 1.235, 2.5, 3])  // milliseconds
        #expect(log.problems.isEmpty)
        #expect(!log.truncatedLastLine)
    }

    @Test func theFirstLineIsTheHeader() throws {
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        _ = try SessionLogWriter(path: path, header: testHeader(cols: 132, rows: 43), redactor: Redactor())
        let first = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")[0]
        let v = try JSONValue.parse(String(first))
        #expect(v["format"] == .string("tfchallenge-session"))
        #expect(v["version"] == .string("1.0"))
        #expect(v["challenge"] == .string("bigcorp-s3-kms"))
        #expect(v["started_at"] == .string("2025-10-09T08:53:20.250Z"))
        #expect(v["terminal"]?["cols"] == .integer(132))
        #expect(v["terminal"]?["rows"] == .integer(43))
        #expect(v["program_version"] == .string("0.1.0"))
    }

    @Test func theFileIsPrivateWhateverTheUmaskOrOldMode() throws {
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o644)
        let old = umask(0)
        defer { umask(old) }
        let w = try SessionLogWriter(path: path, header: testHeader(), redactor: Redactor())
        try w.append(kind: LogKind.marker, data: .fields(["label": .string("x")]))
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // The old content is gone: the log starts with its header.
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("{\"format\""))
        let fresh = dir.path("sub/dir/new.ndjson")
        _ = try SessionLogWriter(path: fresh, header: testHeader(), redactor: Redactor())
        #expect((try FileManager.default.attributesOfItem(atPath: fresh)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func timesNeverGoBackwards() throws {
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        let clock = ManualClock()
        let w = try SessionLogWriter(path: path, header: testHeader(), redactor: Redactor(), elapsed: { clock.now() })
        clock.set(5)
        try w.append(kind: "a")
        clock.set(4)
        try w.append(kind: "b")
        try w.append(LogRecord(t: 1, kind: "c"))
        #expect(try SessionLogReader.read(path: path).records.map(\.t) == [5, 5, 5])
    }

    @Test func aTruncatedLastLineIsTolerated() throws {
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        try writeRaw(path, [headerLine, #"{"t":1.000,"kind":"marker","data":{"label":"a"}}"#],
                     tail: #"{"t":2.000,"kind":"marker","da"#)
        let log = try SessionLogReader.read(path: path)
        #expect(log.records.count == 1)
        #expect(log.truncatedLastLine)
        #expect(log.problems.isEmpty)
        // A whole last line without its newline is still read.
        try writeRaw(path, [headerLine], tail: #"{"t":2.000,"kind":"marker","data":{}}"#)
        let whole = try SessionLogReader.read(path: path)
        #expect(whole.records.count == 1)
        #expect(!whole.truncatedLastLine)
    }

    @Test func unknownKindsAreSkippedByAReaderThatAsksForKinds() throws {
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        try writeRaw(path, [headerLine,
                            #"{"t":1,"kind":"hologram","data":{"x":1}}"#,
                            #"{"t":2,"kind":"marker","data":{"label":"kept"}}"#])
        let log = try SessionLogReader.read(path: path, kinds: [LogKind.marker])
        #expect(log.records.map(\.kind) == ["marker"])
        #expect(log.skipped == 1)
        #expect(log.problems.isEmpty)
        // The timeline ignores kinds it does not know.
        var tl = SessionTimeline(header: log.header)
        tl.apply(LogRecord(t: 1, kind: "hologram", data: .fields(["x": .integer(1)])))
        #expect(tl.records == 1 && tl.markers.isEmpty)
    }

    @Test func aCorruptLineIsNamedAndTheRestIsRead() throws {
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        try writeRaw(path, [headerLine,
                            #"{"t":1,"kind":"marker","data":{"label":"one"}}"#,
                            #"{"t":2,"kind":"mar"#,
                            #"{"t":"soon","kind":"marker"}"#,
                            "",
                            #"{"t":3,"kind":"marker","data":{"label":"three"}}"#])
        let log = try SessionLogReader.read(path: path)
        #expect(log.records.map { $0.data["label"]?.stringValue } == ["one", "three"])
        #expect(log.problems.map(\.line) == [3, 4])
        #expect(log.problems[0].description.hasPrefix("line 3: not valid JSON"))
        #expect(log.problems[1].description.contains("\"t\""))
    }

    @Test func aNewerMajorVersionIsRefusedAndANewerMinorRead() throws {
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        var h = testHeader()
        h.version = FormatVersion(major: 2, minor: 0)
        try writeRaw(path, [h.json.jsonText, #"{"t":1,"kind":"marker","data":{}}"#])
        do {
            _ = try SessionLogReader.read(path: path)
            Issue.record("a version 2.0 log was read")
        } catch {
            #expect(error == .newerVersion(found: FormatVersion(major: 2, minor: 0), supported: LogHeader.currentVersion))
            #expect(error.description.contains("newer tfchallenge"))
            #expect(error.description.contains("2.0"))
        }
        h.version = FormatVersion(major: 1, minor: 7)
        try writeRaw(path, [h.json.jsonText, #"{"t":1,"kind":"marker","data":{}}"#])
        #expect(try SessionLogReader.read(path: path).records.count == 1)
    }

    @Test func missingDirectoryEmptyAndForeignFilesAreClearErrors() throws {
        let dir = try TempDir()
        #expect(throws: SessionLogError.missing(path: dir.path("nope.ndjson"))) {
            try SessionLogReader.read(path: dir.path("nope.ndjson"))
        }
        #expect(SessionLogError.missing(path: "x").description == "no session log at x")
        #expect(throws: SessionLogError.isDirectory(path: dir.url.path)) {
            try SessionLogReader.read(path: dir.url.path)
        }
        try writeRaw(dir.path("empty.ndjson"), [])
        #expect(throws: SessionLogError.empty(path: dir.path("empty.ndjson"))) {
            try SessionLogReader.read(path: dir.path("empty.ndjson"))
        }
        try writeRaw(dir.path("other.ndjson"), [#"{"hello":"world"}"#])
        do {
            _ = try SessionLogReader.read(path: dir.path("other.ndjson"))
            Issue.record("a foreign file was read")
        } catch {
            guard case .notASessionLog = error else { Issue.record("wrong error \(error)"); return }
        }
        try Data([0xFF, 0x00, 0x12, 0x0A]).write(to: URL(fileURLWithPath: dir.path("bin.ndjson")))
        #expect(throws: SessionLogError.self) { try SessionLogReader.read(path: dir.path("bin.ndjson")) }
    }

    @Test func anUnreadableFileIsAClearError() throws {
        // Root reads any file whatever its mode; a path through a regular file cannot be read by anyone.
        let dir = try TempDir()
        try writeRaw(dir.path("file"), ["x"])
        #expect(throws: SessionLogError.missing(path: dir.path("file/log.ndjson"))) {
            try SessionLogReader.read(path: dir.path("file/log.ndjson"))
        }
        guard getuid() != 0 else { return }
        try writeRaw(dir.path("locked.ndjson"), [headerLine])
        chmod(dir.path("locked.ndjson"), 0)
        do {
            _ = try SessionLogReader.read(path: dir.path("locked.ndjson"))
            Issue.record("an unreadable file was read")
        } catch {
            #expect(error.description.contains("cannot read the session log"))
        }
    }

    @Test func aDirectoryResolvesToItsNewestLog() throws {
        let dir = try TempDir()
        try writeRaw(dir.path("a.ndjson"), [headerLine])
        try writeRaw(dir.path("b.ndjson"), [headerLine])
        try writeRaw(dir.path("c.txt"), ["x"])
        let old = Date(timeIntervalSinceNow: -100)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: dir.path("a.ndjson"))
        #expect(try SessionLogReader.resolve(dir.url.path) == dir.path("b.ndjson"))
        #expect(try SessionLogReader.resolve(dir.path("a.ndjson")) == dir.path("a.ndjson"))
        let empty = try TempDir()
        #expect(throws: SessionLogError.noLogInDirectory(path: empty.url.path)) {
            try SessionLogReader.resolve(empty.url.path)
        }
    }

    @Test func readsAcrossChunkBoundaries() throws {
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        let w = try SessionLogWriter(path: path, header: testHeader(), redactor: Redactor())
        var gen = SyntheticSession(seed: 7)
        var expected: [LogRecord] = []
        for _ in 0..<500 { expected.append(try w.append(gen.next(), durable: false)) }
        try w.close()
        var got: [LogRecord] = []
        _ = try SessionLogReader.scan(path: path, chunkSize: 37) { got.append($0); return true }
        #expect(got == expected)
    }
}
