@testable import CLI
import Core
import Foundation
import Testing
@testable import SessionLog
import TFCSupport

/// Secrets planted in every place a session meets them.
enum Planted {
    static let accessKeyId = "AKIAZ7QWERTYUIOP1234"
    static let secretKey = "q8Xv/Zr2Lm+Tn4Ys6Wu8Ab0Cd2Ef4Gh6Ij8Kl0Mn"
    static let sessionToken = "IQoJb3JpZ2luX2VjEKr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDx"
    static let sensitiveOutput = "client-pass-7Hq9Zt3"
    /// An access key id only an AWS error message knows (found by pattern).
    static let foreignKeyId = "ASIAQ2W3E4R5T6Y7U8I9"
    static var all: [String] { [accessKeyId, secretKey, sessionToken, sensitiveOutput, foreignKeyId] }
    static var environment: [String: String] {
        ["AWS_ACCESS_KEY_ID": accessKeyId, "AWS_SECRET_ACCESS_KEY": secretKey, "AWS_SESSION_TOKEN": sessionToken,
         "HOME": "/nonexistent"]
    }
    static let terraformOutput = """
    {"bucket":{"sensitive":false,"type":"string","value":"bigcorp-data"},
     "client_password":{"sensitive":true,"type":"string","value":"\(sensitiveOutput)"}}
    """

    /// The forms a secret could take in a JSON file.
    static func leaks(in text: String) -> [String] {
        all.filter { s in
            text.contains(s) || text.contains(s.replacingOccurrences(of: "/", with: "\\/"))
        }
    }
}

@Suite struct RedactionEndToEndTests {
    /// A session that meets every planted secret: environment dumps, terraform
    /// output, an AWS error, a diff, a marker, even a kind name.
    static func secretRecords() -> [(String, JSONValue)] {
        [
            (LogKind.terraform, .fields(["command": .string("apply"),
                                               "line": .string("client_password = \"\(Planted.sensitiveOutput)\"")])),
            (LogKind.checkResult, .fields([
                "check": .string("write"), "passed": .bool(false),
                "error": .string("InvalidAccessKeyId: The AWS Access Key Id you provided (\(Planted.foreignKeyId)) does not exist"),
            ])),
            (LogKind.fileChanged, .fields(["path": .string("provider.tf"), "diff": .string(
                "+  access_key = \"\(Planted.accessKeyId)\"\n+  secret_key = \"\(Planted.secretKey)\"")])),
            (LogKind.marker, .fields(["text": .string("token was \(Planted.sessionToken)")])),
            ("env_\(Planted.accessKeyId)", .fields([Planted.secretKey: .array([.string(Planted.sessionToken)])])),
        ]
    }

    @Test func theLogAndTheCastHoldNoPlantedSecret() async throws {
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        var redactor = Redactor.fromEnvironment(Planted.environment)
        #expect(redactor.addSensitiveOutputs(terraformOutputJSON: Planted.terraformOutput) == 1)
        let w = try SessionLogWriter(path: path, header: testHeader(), redactor: redactor)
        for (kind, data) in Self.secretRecords() { try w.append(kind: kind, data: data) }
        try w.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(Planted.leaks(in: text).isEmpty, "leaked into the log: \(Planted.leaks(in: text))")
        #expect(text.contains(Redactor.marker))
        #expect(text.contains("InvalidAccessKeyId"))  // the message itself stays

        // The export reads a log and redacts again: even a log written without
        // redaction (an older writer) exports clean.
        let raw = dir.path("raw.ndjson")
        let rw = try SessionLogWriter(path: raw, header: testHeader(), redactor: Redactor())
        for (kind, data) in Self.secretRecords() { try rw.append(kind: kind, data: data) }
        try rw.close()
        #expect(!Planted.leaks(in: try String(contentsOfFile: raw, encoding: .utf8)).isEmpty)  // the test can fail
        for log in [path, raw] {
            let cast = dir.path("out-\(UUID().uuidString).cast")
            let console = CapturedConsole(environment: Planted.environment)
            let code = await Program.run(["export", log, "--asciicast", cast], console: console.console,
                                         paths: Paths.resolve(environment: ["TFCHALLENGE_HOME": dir.url.path]))
            #expect(code == 0, "\(console.stderr)")
            let castText = try String(contentsOfFile: cast, encoding: .utf8)
            // The sensitive output is known to the writer, not to the exporter's environment:
            // the raw log's export may only hold that one, and it never reaches the screen's text.
            let leaks = Planted.leaks(in: castText).filter { $0 != Planted.sensitiveOutput || log == path }
            #expect(leaks.isEmpty, "leaked into the cast: \(leaks)")
        }
    }
}

@Suite struct LogCommandTests {
    static func run(_ args: [String], env: [String: String] = [:]) async -> (Int32, String, String) {
        let console = CapturedConsole(environment: env)
        let code = await Program.run(args, console: console.console,
                                     paths: Paths.resolve(environment: ["TFCHALLENGE_HOME": "/nonexistent-tfc"]))
        return (code, console.stdout, console.stderr)
    }

    static func writeSession(_ path: String) throws {
        let w = try SessionLogWriter(path: path, header: testHeader(), redactor: Redactor())
        for r in TimelineTests.session { try w.append(r) }
        try w.close()
    }

    @Test func replaySummaryPrintsTheReport() async throws {
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        try Self.writeSession(path)
        let (code, out, err) = await Self.run(["replay", path, "--summary"])
        #expect(code == 0, "\(err)")
        #expect(out.contains("duration: 2:10"))
        #expect(out.contains("TODOs: 2 resolved, 0 open"))
        #expect(out.contains("all four checks passed at 2:03"))
        #expect(out.contains("0:40  apply    failed (exit 1)"))
    }

    @Test func replaySummaryNamesCorruptLinesAndGoesOn() async throws {
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        try Self.writeSession(path)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[3] = "{\"t\":3, garbage"
        text = lines.joined(separator: "\n") + "{\"t\":999,\"kind\":\"mark"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let (code, out, _) = await Self.run(["replay", path, "--summary"])
        #expect(code == 0)
        #expect(out.contains("line 4: not valid JSON"))
        #expect(out.contains("the last line was cut short"))
        #expect(out.contains("all four checks passed at 2:03"))
    }

    @Test func badInputGetsClearMessagesAndExitCodes() async throws {
        let dir = try TempDir()
        let (c1, _, e1) = await Self.run(["replay", dir.path("missing.ndjson"), "--summary"])
        #expect(c1 == 1)
        #expect(e1.contains("no session log at \(dir.path("missing.ndjson"))"))
        let (c2, _, e2) = await Self.run(["replay"])
        #expect(c2 == 2)
        #expect(e2.contains("replay needs a session log"))
        let (c3, _, e3) = await Self.run(["replay", "x", "--speed", "100"])
        #expect(c3 == 2)
        #expect(e3.contains("--speed must be a number from 0.25 to 64"))
        let (c4, _, e4) = await Self.run(["export", "x"])
        #expect(c4 == 2)
        #expect(e4.contains("--asciicast"))
        var h = testHeader()
        h.version = FormatVersion(major: 3, minor: 1)
        try writeRaw(dir.path("new.ndjson"), [h.json.jsonText])
        let (c5, _, e5) = await Self.run(["replay", dir.path("new.ndjson"), "--summary"])
        #expect(c5 == 1)
        #expect(e5.contains("format version 3.1, written by a newer tfchallenge"))
        // Without a terminal the players say what to use instead.
        let (c6, _, e6) = await Self.run(["replay", dir.path("new.ndjson")])
        #expect(c6 == 2)
        #expect(e6.contains("--summary"))
        let (c7, _, e7) = await Self.run(["watch", dir.url.path])
        #expect(c7 == 2)
        #expect(e7.contains("--once"))
    }

    @Test func clockTimesParse() {
        #expect(LogCommands.parseClock("90") == 90)
        #expect(LogCommands.parseClock("1:30") == 90)
        #expect(LogCommands.parseClock("1:02:03") == 3723)
        #expect(LogCommands.parseClock("2.5") == 2.5)
        for bad in ["", "x", "1:60", "-1", "1:2:3:4", ":"] { #expect(LogCommands.parseClock(bad) == nil, "\(bad)") }
    }

    @Test func watchOnceFollowsTheNewestLogOfADirectory() async throws {
        let dir = try TempDir()
        try Self.writeSession(dir.path("s.ndjson"))
        let (code, out, err) = await Self.run(["watch", dir.url.path, "--once"])
        #expect(code == 0, "\(err)")
        #expect(out.contains("checks: write ✓  read ✓  list ✓  isolation ✓  · all passed at 2:03"))
        #expect(out.contains("TODO done  main.tf:3 TODO: a"))
        #expect(out.contains("apply failed"))
    }

    @Test func theExportIsAValidAsciicastThatAsciinemaPlays() async throws {
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        let w = try SessionLogWriter(path: path, header: testHeader(cols: 100, rows: 30), redactor: Redactor())
        for r in TimelineTests.session { try w.append(r) }
        try w.append(LogRecord(t: 131, kind: LogKind.resize, data: .fields(["cols": .integer(120), "rows": .integer(40)])))
        try w.close()
        let cast = dir.path("s.cast")
        let (code, out, err) = await Self.run(["export", path, "--asciicast", cast])
        #expect(code == 0, "\(err)")
        #expect(out.contains("wrote \(cast)"))
        let lines = try String(contentsOfFile: cast, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = try JSONValue.parse(lines[0])
        #expect(header["version"] == .integer(2))
        #expect(header["width"] == .integer(100))
        #expect(header["height"] == .integer(30))
        #expect(header["timestamp"] == .integer(1_760_000_000))
        var lastT = 0.0
        var codes: Set<String> = []
        for l in lines.dropFirst() {
            let e = try #require(try JSONValue.parse(l).arrayValue)
            #expect(e.count == 3)
            let t = try #require(e[0].doubleValue)
            #expect(t >= lastT)
            lastT = t
            codes.insert(e[1].stringValue ?? "?")
        }
        #expect(codes == ["o", "m", "r"])
        #expect(lines.contains { $0.contains("\"r\",\"120x40\"") })
        #expect(lines.contains { $0.contains("\"m\",\"asked about KMS\"") })

        // The real asciinema reads it. It wants a terminal (/dev/tty): script(1) gives it one.
        for command in ["cat", "play -s 100"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["script", "-qec", "asciinema \(command) '\(cast)'", "/dev/null"]
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = pipe
            p.standardInput = FileHandle.nullDevice
            try p.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "asciinema \(command) failed: \(output)")
            // The candidate's own screen, at its end: every TODO done, the board all green.
            #expect(output.contains("TODOs 0 of 2 open"))
            #expect(output.contains("Checks 4/4 pass"))
        }
    }
}

@Suite struct SessionLogOptionTests {
    @Test func theRunFlagsChooseTheLog() throws {
        let dir = try TempDir()
        let console = CapturedConsole(environment: ["AWS_SECRET_ACCESS_KEY": Planted.secretKey])
        let ctx = CommandContext(console: console.console,
                                 paths: Paths.resolve(environment: ["TFCHALLENGE_HOME": dir.url.path]))
        let chosen = try parseArguments(["--log", dir.path("mine.ndjson")], flags: SessionLogOption.flags,
                                        maxPositionals: 0, command: "run")
        let r1 = try #require(try SessionLogOption.open(chosen, ctx, challenge: "bigcorp-s3", workspace: nil,
                                                        size: Size(cols: 90, rows: 30)))
        #expect(r1.writer.path == dir.path("mine.ndjson"))
        r1.record(.notice("secret \(Planted.secretKey)"))
        r1.finish(reason: "quit")
        #expect(!(try String(contentsOfFile: dir.path("mine.ndjson"), encoding: .utf8)).contains(Planted.secretKey))

        let byDefault = try SessionLogOption.open(ParsedArguments(), ctx, challenge: "bigcorp-s3", workspace: nil,
                                                  size: Size(cols: 90, rows: 30))
        let path = try #require(byDefault?.writer.path)
        #expect(path.hasPrefix(dir.url.appendingPathComponent("sessions").path + "/bigcorp-s3-"))
        #expect(path.hasSuffix(".ndjson"))
        #expect(try SessionLogReader.read(path: path).header.terminal == TerminalSize(cols: 90, rows: 30))

        let none = try parseArguments(["--no-log"], flags: SessionLogOption.flags, maxPositionals: 0, command: "run")
        #expect(try SessionLogOption.open(none, ctx, challenge: "c", workspace: nil, size: Size(cols: 80, rows: 24)) == nil)
        let both = try parseArguments(["--no-log", "--log", "x"], flags: SessionLogOption.flags, maxPositionals: 0,
                                      command: "run")
        #expect(throws: UsageError.self) {
            try SessionLogOption.open(both, ctx, challenge: "c", workspace: nil, size: Size(cols: 80, rows: 24))
        }
    }
}
