import Foundation
import Testing
@testable import SessionLog
import TerminalTestSupport
import TFCSupport

@Suite struct DurabilityTests {
    @Test func aWriterKilledMidSessionLeavesAReadableLog() async throws {
        let tool = try #require(builtProduct("tfchallenge-loggen"), "build the package first: swift build --build-tests")
        let dir = try TempDir()
        let path = dir.path("live.ndjson")
        let p = Process()
        p.executableURL = tool
        p.arguments = [path, "--events", "0", "--interval-ms", "2", "--seed", "3"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let grew = try await eventually {
            (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").count ?? 0 > 200
        }
        #expect(grew, "the writer did not write 200 records in time")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal)

        let log = try SessionLogReader.read(path: path)
        #expect(log.records.count >= 200)
        #expect(log.problems.isEmpty)
        #expect(log.records.last?.kind != LogKind.end)  // it really died mid-session
        // Every record the generator made is there, in order: compare kinds with a fresh generator.
        var gen = SyntheticSession(seed: 3)
        let expectedKinds = (0..<log.records.count).map { _ in gen.next().kind }
        #expect(log.records.map(\.kind) == expectedKinds)
        var tl = SessionTimeline(header: log.header)
        tl.apply(log.records)
        #expect(tl.records == log.records.count)
        #expect(!tl.summary().isEmpty)
    }
}

@Suite struct FuzzTests {
    static func mutate(_ line: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var b = line
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: b = Array(b.prefix(Int.random(in: 0...b.count, using: &rng)))
        case 1:
            for _ in 0..<Int.random(in: 1...4, using: &rng) where !b.isEmpty {
                b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
        case 2:
            if !b.isEmpty { b.remove(at: Int.random(in: 0..<b.count, using: &rng)) }
        case 3:
            let junk: [[UInt8]] = [Array("{".utf8), Array("\"".utf8), Array("\\u12".utf8), Array("[[[[".utf8),
                                   [0xF0, 0x9F], [0x00], Array("1e999999".utf8)]
            b.insert(contentsOf: junk[Int.random(in: 0..<junk.count, using: &rng)],
                     at: Int.random(in: 0...b.count, using: &rng))
        case 4: b = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        default: b = b.filter { $0 != 0x0A }
        }
        return b.filter { $0 != 0x0A }
    }

    @Test func randomAndTruncatedLinesNeverCrashTheReader() throws {
        var rng = SeededRandom(seed: 20_251_203)
        var gen = SyntheticSession(seed: 11)
        let good = (0..<200).map { _ in Array(gen.next().jsonText.utf8) }
        let dir = try TempDir()
        let path = dir.path("fuzz.ndjson")
        for round in 0..<200 {
            var bytes = Array(headerLine.utf8) + [0x0A]
            var intact = 0
            for _ in 0..<40 {
                let line = good[Int.random(in: 0..<good.count, using: &rng)]
                if Bool.random(using: &rng) {
                    bytes += line + [0x0A]
                    intact += 1
                } else {
                    bytes += Self.mutate(line, &rng) + [0x0A]
                }
            }
            if round % 3 == 0 { bytes += Self.mutate(good[0], &rng) }  // no final newline
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let log = try SessionLogReader.read(path: path)
            // Skipping the payloads of some kinds judges every line the same way.
            var skimmed: [LogRecord] = []
            let skim = try SessionLogReader.scan(path: path, chunkSize: 4096, dataKinds: SessionTimeline.kindsRead) {
                skimmed.append($0); return true
            }
            #expect(skim.problems.map(\.line) == log.problems.map(\.line))
            #expect(skim.truncatedLastLine == log.truncatedLastLine)
            #expect(skimmed.map(\.kind) == log.records.map(\.kind))
            #expect(skimmed.map(\.t) == log.records.map(\.t))
            for (a, b) in zip(skimmed, log.records) {
                #expect(a.data == (SessionTimeline.kindsRead.contains(b.kind) ? b.data : .null))
            }
            // Every intact line is read; a mutated line is either still valid or reported.
            #expect(log.records.count >= intact)
            #expect(log.records.count + log.problems.count <= 41)
            var tl = SessionTimeline(header: log.header)
            tl.apply(log.records)
            _ = tl.summary(problems: log.problems, truncated: log.truncatedLastLine)
        }
        // Lines straight at the parser.
        for _ in 0..<5_000 {
            let line = Self.mutate(good[Int.random(in: 0..<good.count, using: &rng)], &rng)
            _ = try? JSONValue.parse(line)
        }
    }

    @Test func theTailerSurvivesGarbageToo() throws {
        var rng = SeededRandom(seed: 99)
        let dir = try TempDir()
        let path = dir.path("t.ndjson")
        try writeRaw(path, [headerLine])
        let tailer = LogTailer(path: path)
        _ = try tailer.poll()
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? h.close() }
        h.seekToEndOfFile()
        var problems = 0
        for _ in 0..<300 {
            let junk = (0..<Int.random(in: 1...80, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            h.write(Data(junk.filter { $0 != 0x0A } + [0x0A]))
            for e in try tailer.poll() { if case .problem = e { problems += 1 } }
        }
        #expect(problems > 250)
        h.write(Data(#"{"t":9,"kind":"marker","data":{"label":"after"}}"#.utf8 + [0x0A]))
        #expect(try tailer.poll().contains { if case .record(let r) = $0 { return r.t == 9 } else { return false } })
    }
}
