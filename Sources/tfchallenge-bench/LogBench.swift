import Foundation
import SessionLog
import TFCSupport

/// `log`: `tfchallenge replay --summary` on a generated session log of 1,000,000
/// events, next to Python's json module parsing the same file line by line (both
/// fresh processes, same run), and the time an interactive replay takes to seek
/// to the end (fold every event through the core's `update`, draw the last screen).
@MainActor let logBenchmarks: [Benchmark] = [
    Benchmark(name: "log", summary: "replay --summary of a 1,000,000-event log vs Python's json; seek to the end") {
        let events = Int(ProcessInfo.processInfo.environment["TFC_BENCH_LOG_EVENTS"] ?? "") ?? 1_000_000
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("tfchallenge-bench-log-\(UUID().uuidString.prefix(8))")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let path = dir.appendingPathComponent("session.ndjson").path

        let genStart = ContinuousClock.now
        let header = LogHeader(challenge: "bigcorp-s3-kms", startedAt: Date(), terminal: TerminalSize(cols: 100, rows: 30),
                               programVersion: TFChallengeVersion.current)
        let writer = try SessionLogWriter(path: path, header: header, redactor: Redactor())
        var gen = SyntheticSession(seed: 42)
        for _ in 0..<events { try writer.append(gen.next(), durable: false) }
        try writer.close()
        let size = (try fm.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        print(String(format: "   generated %d events, %.1f MB, in %.1f s", events, Double(size) / 1e6,
                     (ContinuousClock.now - genStart).inSeconds))

        // 1. tfchallenge replay --summary, a fresh process.
        var ours: [Double] = []
        if let exe = Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("tfchallenge"),
           fm.isExecutableFile(atPath: exe.path) {
            for _ in 0..<3 {
                let t0 = ContinuousClock.now
                let out = try runProgram(exe, ["replay", path, "--summary"]).stdout
                ours.append((ContinuousClock.now - t0).inSeconds)
                guard out.contains("duration:") else { throw BenchError("replay --summary printed no report") }
            }
            print(String(format: "   tfchallenge replay --summary (fresh process): best %.2f s", ours.min() ?? 0))
        } else {
            print("   no tfchallenge binary next to this one (swift build -c release --product tfchallenge): in-process only")
        }
        // The same work in this process (no start-up).
        var inProcess: [Double] = []
        for _ in 0..<3 {
            let t0 = ContinuousClock.now
            var tl = SessionTimeline()
            tl.keepDiffs = false
            let scan = try SessionLogReader.scan(path: path, dataKinds: SessionTimeline.kindsRead) { tl.apply($0); return true }
            tl.header = scan.header
            _ = tl.summary(problems: scan.problems, truncated: scan.truncatedLastLine)
            inProcess.append((ContinuousClock.now - t0).inSeconds)
        }
        print(String(format: "   read + timeline + summary in process: best %.2f s (%.0f events/s)",
                     inProcess.min() ?? 0, Double(events) / (inProcess.min() ?? 1)))

        // 2. Python's json module on the same file, a fresh process.
        let python = "/usr/bin/env"
        let script = "import json,sys\nn=0\nfor line in open(sys.argv[1],'rb'):\n json.loads(line); n+=1\nprint(n)"
        var theirs: [Double] = []
        for _ in 0..<3 {
            let t0 = ContinuousClock.now
            let out = try runProgram(URL(fileURLWithPath: python), ["python3", "-c", script, path]).stdout
            theirs.append((ContinuousClock.now - t0).inSeconds)
            guard Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) == events + 1 else {
                throw BenchError("python read \(out) lines, expected \(events + 1)")
            }
        }
        print(String(format: "   python3 json.loads per line (fresh process): best %.2f s", theirs.min() ?? 0))
        let mine = ours.min() ?? inProcess.min() ?? 0
        print(String(format: "   ratio: python / tfchallenge = %.2fx (%@)", (theirs.min() ?? 0) / max(mine, 1e-9),
                     mine < (theirs.min() ?? 0) ? "faster than Python" : "slower than Python"))

        // 3. Seek to the end: what an interactive replay does on `9`/end: fold all events, draw.
        let log = try SessionLogReader.read(path: path)
        let t0 = ContinuousClock.now
        var clock = ReplayClock(times: log.records.map(\.t))
        let target = clock.seek(toReplayTime: clock.duration)
        var screen = CoreScreen(header: log.header)
        if case .forward(let range) = target { for r in log.records[range] { screen.apply(r) } }
        let frame = screen.frame(size: screen.liveSize)
        let seek = (ContinuousClock.now - t0).inSeconds
        print(String(format: "   seek to the end (fold %d events through update, draw %dx%d): %.2f s (%.0f events/s)",
                     log.records.count, frame.size.cols, frame.size.rows, seek, Double(log.records.count) / seek))
    },
]
