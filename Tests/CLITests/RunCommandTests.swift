import Foundation
import Testing
@testable import CLI
import TFCSupport

@Suite struct RunCommandTests {
    func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tfc-run-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func aDirectoryArgumentOpensTheScreen() async throws {
        // Only where the test runner has no terminal (CI, `swift test` piped): else it would open one.
        guard isatty(0) == 0 || isatty(1) == 0 else { return }
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = try tempDir()
        defer { try? FileManager.default.removeItem(at: home) }
        let captured = CapturedConsole()
        let paths = Paths(home: home, venv: home, resources: Paths.resolve().resources)
        // Without a terminal the screen refuses: proof that `tfchallenge DIR` is `run DIR`.
        let code = await Program.run([dir.path, "--no-log"], console: captured.console, paths: paths)
        #expect(code == ExitCode.failure)
        #expect(captured.stderr.contains("tfchallenge run: the screen needs a terminal"))
    }

    @Test func aMissingDirectoryIsAClearFailure() async throws {
        let captured = CapturedConsole()
        let code = await Program.run(["run", "/nonexistent/tfc-dir"], console: captured.console)
        #expect(code == ExitCode.failure)
        #expect(captured.stderr.contains("/nonexistent/tfc-dir is not a directory"))
    }

    @Test func anUnknownWordIsStillAUsageError() async {
        let captured = CapturedConsole()
        let code = await Program.run(["no-such-command-or-dir"], console: captured.console)
        #expect(code == ExitCode.usage)
        #expect(captured.stderr.contains("unknown command 'no-such-command-or-dir'"))
    }

    @Test func anUnknownTargetIsAUsageError() async throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let captured = CapturedConsole()
        let code = await Program.run(["run", dir.path, "--target", "mars"], console: captured.console)
        #expect(code == ExitCode.usage)
        #expect(captured.stderr.contains("unknown target 'mars'"))
    }
}

@Suite struct SessionLogPathTests {
    @Test(arguments: [
        ("/home/ann/.local/share/tfchallenge/sessions/s.ndjson", "/home/ann", "~/.local/share/tfchallenge/sessions/s.ndjson"),
        ("/home/ann/s.ndjson", "/home/ann/", "~/s.ndjson"),
        ("/home/annie/s.ndjson", "/home/ann", "/home/annie/s.ndjson"),
        ("/tmp/s.ndjson", "/", "/tmp/s.ndjson"),
    ])
    func homeIsWrittenAsTilde(path: String, home: String, shown: String) {
        #expect(ScreenSession.displayPath(path, home: home) == shown)
    }

    @Test func withoutAHomeThePathIsKept() {
        #expect(ScreenSession.displayPath("/x/s.ndjson", home: nil) == "/x/s.ndjson")
    }
}
