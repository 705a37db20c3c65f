import Challenge
import Core
import Foundation
import Testing
@testable import SessionLog
import TFCSupport

/// The real `tfchallenge watch` in a real terminal (tmux), following a log that
/// a writer in this process appends to.
@Suite(.serialized) struct WatchEndToEndTests {
    final class Tmux {
        let socket = "tfc-log-\(UUID().uuidString.prefix(8))"
        /// Runs one tmux command. Through posix_spawn and waitpid, output to a file:
        /// the server that `new-session` forks keeps every descriptor it was given,
        /// and Foundation's `Process` was seen waiting forever on such a client.
        @discardableResult
        func run(_ args: [String]) throws -> String {
            let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket)-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: outPath) }
            let argv = ["tmux", "-L", socket, "-f", "/dev/null"] + args
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
            defer { for p in cargs { free(p) } }
            // Default dispositions and an empty mask: the test runner's threads block most
            // signals, and a pane that inherits that mask outlives kill-server's SIGHUP.
            var attr = posix_spawnattr_t()
            posix_spawnattr_init(&attr)
            defer { posix_spawnattr_destroy(&attr) }
            var defaults = sigset_t()
            sigemptyset(&defaults)
            for sig in [SIGHUP, SIGTERM, SIGINT, SIGPIPE] { sigaddset(&defaults, sig) }
            posix_spawnattr_setsigdefault(&attr, &defaults)
            var none = sigset_t()
            sigemptyset(&none)
            posix_spawnattr_setsigmask(&attr, &none)
            posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
            var pid: pid_t = 0
            let rc = posix_spawnp(&pid, "tmux", &actions, &attr, &cargs, environ)
            guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
            var status: Int32 = 0
            let deadline = Date().addingTimeInterval(10)
            while waitpid(pid, &status, WNOHANG) == 0 {
                if Date() > deadline { kill(pid, SIGKILL); waitpid(pid, &status, 0); break }
                usleep(5_000)
            }
            return (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        }
        func screen() -> String { (try? run(["capture-pane", "-p", "-t", "w"])) ?? "" }
        deinit { _ = try? run(["kill-server"]) }
    }

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

        let tmux = Tmux()
        try tmux.run(["new-session", "-d", "-s", "w", "-x", "150", "-y", "45",
                      "env LANG=C.UTF-8 TERM=xterm-256color '\(exe.path)' watch '\(path)'"])
        let opened = try await eventually { tmux.screen().contains("TODOs 1 of 1 open") }
        #expect(opened, "watch did not draw the session:\n\(tmux.screen())")
        #expect(tmux.screen().contains("read-only"))

        try Self.append(w, 5, .checksStarted)
        for name in CheckName.allCases {
            try Self.append(w, 6, .checkResult(CheckResult(name: name, status: .pass, durationMs: 90, message: "ok")))
        }
        try Self.append(w, 7, .checksFinished)
        // The strict one-second bound is asserted on the tailer itself (TailerTests); a whole
        // terminal round trip on a loaded machine gets a little more.
        let seen = try await eventually(timeout: .seconds(3)) { tmux.screen().contains("Checks 4/4 pass") }
        #expect(seen, "the board did not change:\n\(tmux.screen())")
        #expect(tmux.screen().contains("check isolation first passed"))

        // The writer restarts: a new session at the same path.
        let w2 = try SessionLogWriter(path: path, header: testHeader(cols: 100, rows: 30), redactor: Redactor())
        try Self.append(w2, 0, .resize(Size(cols: 100, rows: 30)))
        try Self.append(w2, 0, .todos([]))
        let restarted = try await eventually { tmux.screen().contains("Checks") && !tmux.screen().contains("4/4 pass") }
        #expect(restarted, "watch did not follow the new session:\n\(tmux.screen())")

        try tmux.run(["send-keys", "-t", "w", "q"])
        let quit = try await eventually { !(try tmux.run(["list-sessions"])).contains("w:") }
        #expect(quit, "watch did not quit on q")
    }

    @Test func replayPlaysSeeksAndQuitsOnItsKeys() async throws {
        let exe = try #require(builtProduct("tfchallenge"), "build the package first: swift build --build-tests")
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        try LogCommandTests.writeSession(path)
        let tmux = Tmux()
        try tmux.run(["new-session", "-d", "-s", "w", "-x", "100", "-y", "30",
                      "env LANG=C.UTF-8 TERM=xterm-256color '\(exe.path)' replay '\(path)' --speed 64"])
        // 130 s recorded, idle gaps capped at 2 s, at 64x: the end comes within a second or two.
        let ended = try await eventually { tmux.screen().contains("Checks 4/4 pass") && tmux.screen().contains("end ") }
        #expect(ended, "the replay did not reach the end:\n\(tmux.screen())")
        #expect(tmux.screen().contains("TODOs 0 of 2 open"))
        // Pause, then seek to the start: the screen is rebuilt from the first events and stays there.
        try tmux.run(["send-keys", "-t", "w", " "])
        #expect(try await eventually { tmux.screen().contains("paused") })
        try tmux.run(["send-keys", "-t", "w", "0"])
        let rewound = try await eventually { tmux.screen().contains("TODOs 2 of 2 open") }
        #expect(rewound, "seek to the start did not rebuild the screen:\n\(tmux.screen())")
        #expect(tmux.screen().contains("paused 0:00/"))
        // Step one event, slow down.
        try tmux.run(["send-keys", "-t", "w", "."])
        // (The next record was 30 s later; idle gaps are capped at 2 s.)
        #expect(try await eventually { tmux.screen().contains("paused 0:02/") }, "\(tmux.screen())")
        try tmux.run(["send-keys", "-t", "w", "-"])
        #expect(try await eventually { tmux.screen().contains(" x32.0 ") }, "\(tmux.screen())")
        try tmux.run(["send-keys", "-t", "w", "q"])
        let quit = try await eventually { !(try tmux.run(["list-sessions"])).contains("w:") }
        #expect(quit, "replay did not quit on q")

        // --start: paused at that recorded time (1:35, after the failed apply, before the checks pass).
        try tmux.run(["new-session", "-d", "-s", "s", "-x", "100", "-y", "30",
                      "env LANG=C.UTF-8 TERM=xterm-256color '\(exe.path)' replay '\(path)' --start 1:35"])
        let started = try await eventually {
            let s = (try? tmux.run(["capture-pane", "-p", "-t", "s"])) ?? ""
            return s.contains("paused") && s.contains("TODOs 0 of 2 open") && !s.contains("4/4 pass")
        }
        #expect(started, "\((try? tmux.run(["capture-pane", "-p", "-t", "s"])) ?? "")")
        try tmux.run(["send-keys", "-t", "s", "q"])
    }

    @Test func aSignalledViewerGivesTheTerminalBack() async throws {
        let exe = try #require(builtProduct("tfchallenge"), "build the package first: swift build --build-tests")
        let dir = try TempDir()
        let path = dir.path("s.ndjson")
        try LogCommandTests.writeSession(path)
        let tmux = Tmux()
        try tmux.run(["new-session", "-d", "-s", "w", "-x", "100", "-y", "30",
                      "env LANG=C.UTF-8 TERM=xterm-256color '\(exe.path)' watch '\(path)'; echo \"[exit $?]\"; exec sleep 60"])
        func format(_ f: String) -> String {
            ((try? tmux.run(["display-message", "-p", "-t", "w", f])) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try await eventually { format("#{alternate_on}") == "1" && tmux.screen().contains("Checks") })
        let shell = try #require(Int32(format("#{pane_pid}")))
        let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
        let viewer = try #require(children.split(separator: " ").compactMap { Int32($0) }.first)
        #expect(kill(viewer, SIGTERM) == 0)
        let back = try await eventually { tmux.screen().contains("[exit 143]") }
        #expect(back, "\(tmux.screen())")
        #expect(format("#{alternate_on}") == "0")
        #expect(format("#{cursor_flag}") == "1")
    }
}
