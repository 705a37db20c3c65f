import Challenge
import Foundation
import Sandbox
import TerminalTestSupport
import TFCSupport
import Testing

/// The real binary in tmux, against the real sandbox (started by the screen
/// itself in a fresh tfchallenge home) and real terraform.
@Suite(.serialized) struct ScreenEndToEndTests {
    struct Env {
        let binary: URL
        let home: URL
        let workspace: URL
        let paths: Paths
        let environment: [String: String]

        init(_ label: String, solution: Bool = false) throws {
            binary = try #require(builtProduct("tfchallenge"), "build the tfchallenge product first")
            let tmp = FileManager.default.temporaryDirectory
                .appendingPathComponent("tfc-e2e-\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
            home = tmp.appendingPathComponent("home", isDirectory: true)
            workspace = tmp.appendingPathComponent("ws", isDirectory: true)
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let resolved = Paths.resolve()
            paths = Paths(home: home, venv: resolved.venv, resources: resolved.resources)
            var env = ProcessInfo.processInfo.environment
            env["TFCHALLENGE_HOME"] = home.path
            env["TFCHALLENGE_VENV"] = resolved.venv.path
            env["TFCHALLENGE_ROOT"] = resolved.resources.path
            env["LANG"] = "C.UTF-8"
            env["LC_ALL"] = "C.UTF-8"
            env.removeValue(forKey: "NO_COLOR")
            environment = env
            let made = try spawnAndWait([binary.path, "new", "bigcorp-s3", workspace.path] + (solution ? ["--solution"] : []),
                                        environment: env, timeout: 120)
            try #require(made.status == 0, "tfchallenge new failed: \(made.output)")
        }

        /// The screen on this workspace in a tmux session of its own.
        func open(cols: Int = 120, rows: Int = 40, environment extra: [String: String] = [:]) throws -> Tmux {
            var env = ["TFCHALLENGE_HOME": home.path, "TFCHALLENGE_VENV": paths.venv.path,
                       "TFCHALLENGE_ROOT": paths.resources.path, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                       "VISUAL": "", "EDITOR": "true"]
            env.merge(extra) { _, new in new }
            return try Tmux([binary.path, "run", workspace.path], cols: cols, rows: rows, environment: env,
                            directory: home.deletingLastPathComponent().path)
        }

        func cleanUp() {
            _ = try? SandboxManager(paths: paths).down()
            try? FileManager.default.removeItem(at: home.deletingLastPathComponent())
        }
    }

    @Test func opensAFreshWorkspaceFollowsEditsResizesHelpsAndQuitsCleanly() throws {
        let env = try Env("todos")
        defer { env.cleanUp() }
        let expected = try ChallengeCatalog.named("bigcorp-s3", paths: env.paths).manifest.expectedTodoCount
        let tmux = try env.open()
        defer { tmux.kill() }

        try tmux.waitFor(text: "TODOs \(expected) of \(expected) open")
        // The sandbox was down in this fresh home: the screen starts it and says so.
        try tmux.waitFor(text: "started the sandbox", timeout: 90)
        try tmux.waitFor(text: "sandbox up 127.0.0.1:")

        // Resolve one TODO by editing its file from outside: the count follows.
        let todos = try TodoScanner.scan(directory: env.workspace)
        let first = try #require(todos.first)
        let url = env.workspace.appendingPathComponent(first.file)
        var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        lines[first.line - 1] = lines[first.line - 1].replacingOccurrences(of: "TODO", with: "done")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        try tmux.waitFor(text: "TODOs \(expected - 1) of \(expected) open", timeout: 5)

        // Help, generated from the bindings; any key closes it.
        try tmux.send("?")
        try tmux.waitFor(text: "terraform apply (asks first), then the checks")
        try tmux.send("Escape")
        try tmux.waitFor("help closed") { !$0.contains("then the checks") }

        // Too small, then back.
        try tmux.resize(cols: 40, rows: 12)
        try tmux.waitFor(text: "Enlarge the terminal")
        try tmux.resize(cols: 120, rows: 40)
        try tmux.waitFor(text: "TODOs \(expected - 1) of \(expected) open")

        // Enter on a TODO opens the editor at its line (EDITOR=true returns at once).
        try tmux.send("g")
        try tmux.send("Enter")
        try tmux.waitFor(text: "back from true (\(first.file):\(first.line))")

        // Quit while terraform runs: the screen asks, then interrupts it and ends.
        try tmux.send("i")
        try tmux.waitFor(text: "terraform init ✓ done", timeout: 120)
        try tmux.send("p")
        try tmux.waitFor(text: "running", timeout: 30)
        try tmux.send("q")
        try tmux.waitFor(text: "Terraform is running. Quit and interrupt it?")
        try tmux.send("y")
        // The program ends, the terminal is back to normal, nothing is left running.
        try tmux.waitFor(text: "[exit 0]", timeout: 60)
        #expect(tmux.format("#{alternate_on}") == "0")
        #expect(tmux.format("#{cursor_flag}") == "1")
        #expect(tmux.format("#{mouse_any_flag}") == "0")
        #expect(tmux.capture().contains("The sandbox is still running"))
        #expect(processesMentioning(env.workspace.path).isEmpty)
    }

    @Test func asciiWithoutAUTF8LocaleAndASignalRestoresTheTerminal() throws {
        let env = try Env("signal")
        defer { env.cleanUp() }
        // A locale that is not UTF-8: boxes fall back to ASCII.
        let tmux = try env.open(cols: 80, rows: 24, environment: ["LANG": "C", "LC_ALL": "C", "NO_COLOR": "1"])
        defer { tmux.kill() }
        let screen = try tmux.waitFor(text: "# TODOs")
        #expect(!screen.contains("┏") && !screen.contains("─"))
        #expect(screen.contains("+ Checks"))
        #expect(tmux.format("#{alternate_on}") == "1")
        let pid = try #require(tmux.programPID())
        kill(pid, SIGTERM)
        // Killed by the signal (143), after the terminal was restored.
        try tmux.waitFor(text: "[exit 143]")
        #expect(tmux.format("#{alternate_on}") == "0")
        #expect(tmux.format("#{cursor_flag}") == "1")
    }

    @Test func planAndApplyFromTheKeyboardTurnTheBoardGreen() throws {
        let env = try Env("apply", solution: true)
        defer { env.cleanUp() }
        let tmux = try env.open()
        defer { tmux.kill() }
        try tmux.waitFor(text: "sandbox up 127.0.0.1:", timeout: 90)

        try tmux.send("i")
        try tmux.waitFor(text: "terraform init ✓ done", timeout: 120)
        try tmux.send("p")
        try tmux.waitFor(text: "terraform plan ✓ done", timeout: 180)
        #expect(tmux.capture().contains("to add"))

        try tmux.send("a")
        try tmux.waitFor(text: "Run terraform apply?")
        try tmux.send("y")
        try tmux.waitFor(text: "terraform apply ✓ done", timeout: 240)
        // The checks run by themselves after a successful apply.
        try tmux.waitFor(text: "Checks 4/4 pass", timeout: 120)

        try tmux.send("q")
        try tmux.waitFor(text: "[exit 0]")
        #expect(tmux.format("#{alternate_on}") == "0")
        #expect(processesMentioning(env.workspace.path).isEmpty)
    }
}
