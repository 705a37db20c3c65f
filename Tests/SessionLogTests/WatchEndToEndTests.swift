import Challenge
import Core
import Foundation
import Testing
@testable import SessionLog
import TerminalTestSupport
import TFCSupport

/// The real `tfchallenge watch` in a real terminal (tmux), following a log that
/// a writer in this process appends to.
@Suite(.serialized) struct WatchEndToEndTests {
    static func append(_ w: SessionLogWriter, _ t: Double, _ e: Event) throws {
        let (kind, data) = try EventCodec.encode(e)
        try w.append(LogRecord(t: t, kind: kind, data: data))
    }

    @Test func watchShowsTheBoardChangeSoonAfterTheWriterWritesIt() async throws {
        let exe = try #require(builtProduct("tfchallenge"), "build the package first: swift build --build-tests")
        let dir = try TempDir()
        let path = dir.path("live.ndjson")
        let w = try SessionLogWriter(path: path, header: testHeader(cols: 100, rows: 30), redactor: Redactor())
        try Self.append(w, 0, .resize(Size(cols: 100, rows: 30)))
        try Self.append(w, 0, .todos([TodoItem(file: "main.tf", line: 3, text: "TODO: encrypt")]))

        let tmux = Tmux(session: "w")
        try tmux.run(["new-session", "-d", "-s", "w", "-x", "150", "-y", "45",
                      "env LANG=C.UTF-8 TERM=xterm-256color '\(exe.path)' watch '\(path)'"])
        let opened = try await eventually { tmux.capture().contains("TODOs 1 of 1 open") }
        #expect(opened, "watch did not draw the session:\n\(tmux.capture())")
        #expect(tmux.capture().contains("read-only"))

        try Self.append(w, 5, .checksStarted)
        for name in CheckName.allCases {
            try Self.append(w, 6, .checkResult(CheckResult(name: name, status: .pass, durationMs: 90, message: "ok")))
        }
        try Self.append(w, 7, .checksFinished)
        // The strict one-second bound is asserted on the tailer itself (TailerTests); a whole
        // terminal round trip on a loaded machine gets a little more.
        let seen = try await eventually(timeout: .seconds(3)) { tmux.capture().contains("Checks 4/4 pass") }
        #expect(seen, "the board did not change:\n\(tmux.capture())")
        #expect(tmux.capture().contains("check isolation first passed"))

        // The writer restarts: a new session at the same path.
        let w2 = try SessionLogWriter(path: path, header: testHeader(cols: 100, rows: 30), redactor: Redactor())
        try Self.append(w2, 0, .resize(Size(cols: 100, rows: 30)))
        try Self.append(w2, 0, .todos([]))
        let restarted = try await eventually { tmux.capture().contains("Checks") && !tmux.capture().contains("4/4 pass") }
        #expect(restarted, "watch did not follow the new session:\n\(tmux.capture())")

        try tmux.run(["send-keys", "-t", "w", "q"])
        let quit = try await eventually { !(try tmux.result(["list-sessions"])).output.contains("w:") }
        #expect(quit, "watch did not quit on q")
    }

    @Test func replayPlaysSeeksAndQuitsOnItsKeys() async throws {
        let exe = try #require(builtProduct("tfchallenge"), "build the package first: swift build --build-tests")
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        try LogCommandTests.writeSession(path)
        let tmux = Tmux(session: "w")
        try tmux.run(["new-session", "-d", "-s", "w", "-x", "100", "-y", "30",
                      "env LANG=C.UTF-8 TERM=xterm-256color '\(exe.path)' replay '\(path)' --speed 64"])
        // 130 s recorded, idle gaps capped at 2 s, at 64x: the end comes within a second or two.
        let ended = try await eventually { tmux.capture().contains("Checks 4/4 pass") && tmux.capture().contains("end ") }
        #expect(ended, "the replay did not reach the end:\n\(tmux.capture())")
        #expect(tmux.capture().contains("TODOs 0 of 2 open"))
        // Pause, then seek to the start: the screen is rebuilt from the first events and stays there.
        try tmux.run(["send-keys", "-t", "w", " "])
        #expect(try await eventually { tmux.capture().contains("paused") })
        try tmux.run(["send-keys", "-t", "w", "0"])
        let rewound = try await eventually { tmux.capture().contains("TODOs 2 of 2 open") }
        #expect(rewound, "seek to the start did not rebuild the screen:\n\(tmux.capture())")
        #expect(tmux.capture().contains("paused 0:00/"))
        // Step one event, slow down.
        try tmux.run(["send-keys", "-t", "w", "."])
        // (The next record was 30 s later; idle gaps are capped at 2 s.)
        #expect(try await eventually { tmux.capture().contains("paused 0:02/") }, "\(tmux.capture())")
        try tmux.run(["send-keys", "-t", "w", "-"])
        #expect(try await eventually { tmux.capture().contains(" x32.0 ") }, "\(tmux.capture())")
        try tmux.run(["send-keys", "-t", "w", "q"])
        let quit = try await eventually { !(try tmux.result(["list-sessions"])).output.contains("w:") }
        #expect(quit, "replay did not quit on q")

        // --start: paused at that recorded time (1:35, after the failed apply, before the checks pass).
        try tmux.run(["new-session", "-d", "-s", "s", "-x", "100", "-y", "30",
                      "env LANG=C.UTF-8 TERM=xterm-256color '\(exe.path)' replay '\(path)' --start 1:35"])
        let started = try await eventually {
            let s = tmux.capture("s")
            return s.contains("paused") && s.contains("TODOs 0 of 2 open") && !s.contains("4/4 pass")
        }
        #expect(started, "\(tmux.capture("s"))")
        try tmux.run(["send-keys", "-t", "s", "q"])
    }

    @Test func aSignalledViewerGivesTheTerminalBack() async throws {
        let exe = try #require(builtProduct("tfchallenge"), "build the package first: swift build --build-tests")
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        try LogCommandTests.writeSession(path)
        let tmux = Tmux(session: "w")
        try tmux.run(["new-session", "-d", "-s", "w", "-x", "100", "-y", "30",
                      "env LANG=C.UTF-8 TERM=xterm-256color '\(exe.path)' watch '\(path)'; echo \"[exit $?]\"; exec sleep 60"])
        #expect(try await eventually { tmux.format("#{alternate_on}") == "1" && tmux.capture().contains("Checks") })
        let viewer = try #require(tmux.programPID())
        #expect(kill(viewer, SIGTERM) == 0)
        let back = try await eventually { tmux.capture().contains("[exit 143]") }
        #expect(back, "\(tmux.capture())")
        #expect(tmux.format("#{alternate_on}") == "0")
        #expect(tmux.format("#{cursor_flag}") == "1")
    }
}
