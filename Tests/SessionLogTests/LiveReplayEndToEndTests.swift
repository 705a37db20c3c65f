import Challenge
import Core
import Foundation
import Sandbox
@testable import SessionLog
import TerminalTestSupport
import TFCSupport
import Testing

/// The real candidate's screen (`tfchallenge run --log`) in tmux against the
/// real sandbox, then its log replayed: the replay ends on the same screen.
@Suite(.serialized) struct LiveReplayEndToEndTests {
    @Test func aRecordedLiveSessionReplaysToTheSameScreen() async throws {
        let exe = try #require(builtProduct("tfchallenge"), "build the package first: swift build --build-tests")
        let dir = try TempDir()
        let home = dir.url.appendingPathComponent("home", isDirectory: true)
        let workspace = dir.url.appendingPathComponent("ws", isDirectory: true)
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let resolved = Paths.resolve()
        let paths = Paths(home: home, venv: resolved.venv, resources: resolved.resources)
        defer { _ = try? SandboxManager(paths: paths).down() }
        let logPath = dir.path("live.ndjson")

        let tmux = Tmux(session: "w")
        let env = "TFCHALLENGE_HOME='\(home.path)' TFCHALLENGE_VENV='\(paths.venv.path)' "
            + "TFCHALLENGE_ROOT='\(paths.resources.path)' LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color VISUAL= EDITOR=true"
        try tmux.run(["new-session", "-d", "-s", "w", "-x", "100", "-y", "30",
                      "env \(env) '\(exe.path)' new bigcorp-s3 '\(workspace.path)' >/dev/null && "
                      + "env \(env) '\(exe.path)' run '\(workspace.path)' --log '\(logPath)'; "
                      + "echo \"[exit $?]\"; exec sleep 120"])
        let expected = try ChallengeCatalog.named("bigcorp-s3", paths: paths).manifest.expectedTodoCount
        #expect(try await eventually(timeout: .seconds(30)) { tmux.capture().contains("TODOs \(expected) of \(expected) open") },
                "\(tmux.capture())")
        #expect(try await eventually(timeout: .seconds(120)) { tmux.capture().contains("sandbox up") }, "\(tmux.capture())")

        // Resolve a TODO from outside, open and close the help, move the selection.
        let todos = try TodoScanner.scan(directory: workspace)
        let first = try #require(todos.first)
        let url = workspace.appendingPathComponent(first.file)
        var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        lines[first.line - 1] = lines[first.line - 1].replacingOccurrences(of: "TODO", with: "done")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        #expect(try await eventually { tmux.capture().contains("TODOs \(expected - 1) of \(expected) open") })
        try tmux.run(["send-keys", "-t", "w", "?"])
        #expect(try await eventually { tmux.capture().contains("then the checks") })
        try tmux.run(["send-keys", "-t", "w", "Escape"])
        #expect(try await eventually { !tmux.capture().contains("then the checks") })
        // Move the focus to the next pane: its border turns heavy, the TODOs' light.
        #expect(tmux.capture().contains("┏ TODOs"))
        try tmux.run(["send-keys", "-t", "w", "Tab"])
        #expect(try await eventually { tmux.capture().contains("┌ TODOs") }, "\(tmux.capture())")
        let live = tmux.capture()
        try tmux.run(["send-keys", "-t", "w", "q"])
        #expect(try await eventually(timeout: .seconds(30)) { tmux.capture().contains("[exit 0]") }, "\(tmux.capture())")

        // Replay the log up to the quit key: the same grid (the elapsed time aside).
        let log = try SessionLogReader.read(path: logPath)
        #expect(log.problems.isEmpty)
        let quitIndex = try #require(log.records.lastIndex { $0.kind == "key" && $0.data["key"] == .string("q") })
        var screen = CoreScreen(header: log.header)
        for r in log.records[..<quitIndex] { screen.apply(r) }
        #expect(screen.undecodable == 0)
        let replayed = screen.buffer(size: screen.liveSize).text
        func normalized(_ s: String) -> [String] {
            s.split(separator: "\n", omittingEmptySubsequences: false).prefix(30).map { line in
                // The status bar's elapsed time ticks on between the capture and the quit key.
                String(line).replacingOccurrences(of: #"\d+m?\d*s"#, with: "T", options: .regularExpression)
                    .replacingOccurrences(of: #" +$"#, with: "", options: .regularExpression)
            }
        }
        #expect(screen.liveSize == TerminalSize(cols: 100, rows: 30))
        #expect(normalized(replayed) == normalized(live), "replayed:\n\(replayed)\nlive:\n\(live)")
    }
}
