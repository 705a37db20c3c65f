import Challenge
import Core
import Foundation
import TerraformRunner
import Testing
@testable import SessionLog
import TFCSupport
import Views

@Suite struct CoreReplayTests {
    static let everyKind: [Event] = [
        .todos([TodoItem(file: "main.tf", line: 3, text: "TODO: x")]),
        .fileChanged("main.tf"),
        .runStarted(.apply),
        .terraform(.applyProgress(address: "aws_s3_bucket.data", action: "create", elapsed: 3)),
        .terraform(.diagnostic(Diagnostic(severity: .error, summary: "bad", filename: "main.tf", startLine: 4))),
        .runExited(.apply, exitCode: nil, interrupted: true, message: "killed"),
        .checksStarted,
        .checkResult(CheckResult(name: .isolation, status: .blocked, durationMs: 5, message: "no role")),
        .checksFinished,
        .target(.aws(account: "123456789012", region: "eu-west-1")),
        .target(.sandboxDown(reason: "stopped")),
        .resize(Size(cols: 120, rows: 40)),
        .key(.enter),
        .mouse(MouseEvent(.wheelUp, x: 3, y: 4)),
        .tick(12),
        .marker("m"),
        .notice("n"),
        .sessionLog("/tmp/s.ndjson"),
    ]

    @Test func everyEventKindRoundTripsThroughARecord() throws {
        #expect(Set(Self.everyKind.map(\.kind)) == Set(Event.kinds))
        for e in Self.everyKind {
            let (kind, data) = try EventCodec.encode(e)
            #expect(kind == e.kind)
            #expect(data["kind"] == nil)
            #expect(try EventCodec.decode(LogRecord(t: 1, kind: kind, data: data)) == e)
        }
        #expect(try EventCodec.decode(LogRecord(t: 1, kind: "hologram", data: .null)) == nil)
        #expect(try EventCodec.decode(LogRecord(t: 1, kind: LogKind.end, data: .null)) == nil)
        #expect(throws: (any Error).self) { try EventCodec.decode(LogRecord(t: 1, kind: "resize", data: .fields(["cols": .string("x")]))) }
    }

    @Test func aReplayEndsOnTheLiveSessionsScreen() throws {
        let dir = try TempDir()
        let workspace = dir.url.appendingPathComponent("ws", isDirectory: true)
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        let mainTF = workspace.appendingPathComponent("main.tf")
        try "# TODO: encrypt\nresource \"aws_s3_bucket\" \"data\" {}\n".write(to: mainTF, atomically: true, encoding: .utf8)
        let size = Size(cols: 110, rows: 32)
        let path = dir.path("live.ndjson")
        let recorder = try SessionRecorder.start(path: path, challenge: "bigcorp-s3-kms", workspace: workspace,
                                                 size: size, environment: [:])
        // The live side, as the TUI's loop does it: each event to the sink, then through update.
        var live = State(workspace: workspace.path, size: size)
        func post(_ e: Event) {
            recorder.record(e)
            live = update(live, e).0
        }
        post(.resize(size))
        post(.tick(0))
        var gen = SyntheticSession(seed: 5)
        for i in 0..<3_000 {
            var e = gen.nextEvent().event
            if case .resize = e { e = .key(.down) }  // keep the size the test chose
            if case .fileChanged = e, i % 7 == 0 {
                try "resource \"aws_s3_bucket\" \"data\" {\n  # edit \(i)\n}\n".write(to: mainTF, atomically: true, encoding: .utf8)
            }
            post(e)
        }
        for k in [Key("?"), .escape, .tab, .down, .down, Key("/"), Key("k"), .enter] { post(.key(k)) }
        post(.marker("done"))
        recorder.finish(reason: "quit")
        #expect(recorder.failure == nil)

        let log = try SessionLogReader.read(path: path)
        #expect(log.problems.isEmpty)
        #expect(log.header.workspace == workspace.path)
        var screen = CoreScreen(header: log.header)
        for r in log.records { screen.apply(r) }
        #expect(screen.undecodable == 0)
        #expect(screen.skipped == 1)  // the log's own "end" record
        #expect(screen.state == live)
        let replayed = screen.buffer(size: screen.liveSize)
        let liveScreen = view(live, size: size)
        #expect(replayed == liveScreen, "replay:\n\(replayed.text)\nlive:\n\(liveScreen.text)")
        #expect(replayed.lines.count == 32)
        // File changes carry their diffs.
        let diffs = log.records.filter { $0.kind == LogKind.fileChanged }.compactMap { $0.data["diff"]?.stringValue }
        #expect(diffs.contains { $0.contains("+  # edit") && $0.contains("-# TODO: encrypt") })
    }

    @Test func theRecorderScrubsSensitiveOutputsEnvironmentAndKeyIds() throws {
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        let recorder = try SessionRecorder.start(path: path, challenge: "c", workspace: nil, size: Size(cols: 80, rows: 24),
                                                 environment: Planted.environment)
        recorder.record(.terraform(.outputs(["client_password": OutputValue(sensitive: true, typeJSON: "\"string\"",
                                                                            valueJSON: "\"\(Planted.sensitiveOutput)\"")])))
        recorder.record(.terraform(.log(level: .info, message: "password is \(Planted.sensitiveOutput)")))
        recorder.record(.terraform(.stderr("using key \(Planted.accessKeyId) / \(Planted.secretKey)")))
        recorder.record(.checkResult(CheckResult(name: .write, status: .error, durationMs: 3, errorCode: "InvalidAccessKeyId",
                                                 message: "The AWS Access Key Id you provided (\(Planted.foreignKeyId)) does not exist")))
        recorder.record(.notice("token \(Planted.sessionToken)"))
        recorder.finish(reason: "quit")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(Planted.leaks(in: text).isEmpty, "leaked: \(Planted.leaks(in: text))")
        #expect(text.components(separatedBy: Redactor.marker).count - 1 >= 5)
        // What remains still replays.
        let log = try SessionLogReader.read(path: path)
        var screen = CoreScreen(header: log.header)
        for r in log.records { screen.apply(r) }
        #expect(screen.undecodable == 0)
    }

    @Test func aWriteFailureIsKeptNotThrownIntoTheUI() throws {
        let dir = try TempDir()
        let seen = FailureBox()
        let recorder = try SessionRecorder.start(path: dir.path("s.ndjson"), challenge: "c", workspace: nil,
                                                 size: Size(cols: 80, rows: 24), environment: [:],
                                                 onFailure: { seen.set($0) })
        try recorder.writer.close()
        recorder.record(.tick(1))
        recorder.record(.tick(2))
        #expect(recorder.failure?.description.contains("the log is closed") == true)
        #expect(seen.count == 1)
    }

    @Test func diffsAreUnified() {
        let d = unifiedDiff(old: "a\nb\nc\nd\ne\nf\ng\nh", new: "a\nb\nc\nD\ne\nf\ng\nh\ni", path: "main.tf")
        #expect(d == """
        --- a/main.tf
        +++ b/main.tf
        @@ -2,7 +2,8 @@
         b
         c
        -d
        +D
         e
         f
         g
         h
        +i
        """)
        // Changes far apart make separate hunks.
        let numbers: [String] = (1...20).map { String($0) }
        let edited: [String] = numbers.map { (n: String) -> String in n == "2" || n == "18" ? "x" + n : n }
        let far = unifiedDiff(old: numbers.joined(separator: "\n"), new: edited.joined(separator: "\n"), path: "p")
        #expect(far.components(separatedBy: "\n@@ ").count == 3)
        #expect(far.contains("@@ -1,4 +1,4 @@\n 1\n-2\n+x2\n 3\n 4"))
        #expect(unifiedDiff(old: "x", new: "x", path: "p").isEmpty)
        #expect(unifiedDiff(old: "", new: "new", path: "p").contains("+new"))
    }
}

final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func set(_ e: SessionLogError) { lock.lock(); n += 1; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return n }
}

@Suite struct ExportTests {
    @Test func burstsBecomeOneFrameAndTheLastScreenIsKept() throws {
        var gen = SyntheticSession(seed: 8)
        let records = (0..<2_000).map { _ in gen.next() }
        let header = testHeader(cols: 100, rows: 30)
        let cast = exportAsciicast(header: header, records: records, screen: CoreScreen(header: header), redactor: Redactor())
        let lines = cast.split(separator: "\n").map(String.init)
        let outputs = try lines.dropFirst().compactMap { l -> (Double, String)? in
            let e = try JSONValue.parse(l)
            guard e.arrayValue?[1] == .string("o") else { return nil }
            return (e.arrayValue?[0].doubleValue ?? -1, e.arrayValue?[2].stringValue ?? "")
        }
        // At most one frame per record followed by a pause of 1/30 s or more (plus the
        // first and the last), never two within 1/30 s (but the first).
        let pauses = zip(records, records.dropFirst()).filter { $1.t - $0.t >= 1.0 / 30 }.count
        #expect(outputs.count > 10 && outputs.count <= pauses + 2)
        #expect(outputs.count < records.count)
        for (a, b) in zip(outputs.dropFirst(), outputs.dropFirst(2)) { #expect(b.0 - a.0 >= 1.0 / 30 - 0.0011) }
        // The last frame is the final screen.
        var screen = CoreScreen(header: header)
        for r in records { screen.apply(r) }
        #expect(outputs.last?.1 == screen.frame(size: screen.liveSize).ansi)
    }
}

@Suite struct FastDecodeTests {
    @Test func theFastPathAgreesWithTheCoresDecoder() throws {
        var gen = SyntheticSession(seed: 13)
        var records = (0..<20_000).map { _ in gen.next() }
        for e in CoreReplayTests.everyKind {
            let (kind, data) = try EventCodec.encode(e)
            records.append(LogRecord(t: 1, kind: kind, data: data))
        }
        // Odd shapes: extra fields, wrong types, ids present and null.
        records += [
            LogRecord(t: 1, kind: "tick", data: .fields(["time": .string("1")])),
            LogRecord(t: 1, kind: "resize", data: .fields(["cols": .number("1.5"), "rows": .integer(2)])),
            LogRecord(t: 1, kind: "terraform", data: .fields(["event": .fields(["applyComplete": .fields([
                "address": .string("a"), "action": .string("create"), "id": .null, "elapsed": .integer(1)])])])),
            LogRecord(t: 1, kind: "terraform", data: .fields(["event": .fields(["applyProgress": .fields([
                "address": .string("a"), "action": .string("create"), "elapsed": .number("2.0")])])])),
            LogRecord(t: 1, kind: "run_started", data: .fields(["command": .string("nuke")])),
        ]
        var fast = 0
        for r in records {
            let slow = try? EventCodec.slowDecode(r)
            if let f = EventCodec.fastDecode(r) {
                fast += 1
                #expect(f == slow, "\(r.jsonText)")
            }
            #expect((try? EventCodec.decode(r)) == slow, "\(r.jsonText)")
        }
        #expect(fast > records.count / 2)
    }
}
