import Challenge
import Core
import Foundation
import Sandbox
import SessionLog
import Terminal
import TerraformRunner
import TFCSupport

/// `tfchallenge run [DIR]` (also `tfchallenge DIR`): the candidate's screen.
enum RunCommand {
    static let command = Command(
        name: "run", summary: "open the candidate's screen on a workspace (also: tfchallenge DIR)",
        synopsis: "run [DIR] [--target sandbox|aws]",
        details: """
        Opens the full-screen view of a workspace: its TODOs, terraform's output and the
        four checks. Against the sandbox (the default) it starts the sandbox when it is
        down and leaves it running on exit (`tfchallenge sandbox down` stops it). With
        --target aws, terraform and the checks use your AWS configuration.
        Every session is recorded (see --log) for `tfchallenge watch` and `replay`.
        Press ? on the screen for the keys.
        """,
        flags: [FlagSpec("target", value: "TARGET", help: "sandbox (default) or aws")] + SessionLogOption.flags,
        maxPositionals: 1
    ) { args, ctx in
        let workspace = ChallengeCommands.directory(args)
        guard directoryExists(workspace.path) else {
            ctx.console.error("tfchallenge run: \(workspace.path) is not a directory "
                              + "(create a workspace with 'tfchallenge new bigcorp-s3 DIR')")
            return ExitCode.failure
        }
        let mode: ScreenSession.Mode
        switch args.value("target") ?? "sandbox" {
        case "sandbox": mode = .sandbox
        case "aws": mode = .aws
        case let other: throw UsageError("unknown target '\(other)' (sandbox or aws)", command: "run")
        }
        if args.has("no-log") && args.has("log") {
            throw UsageError("--log and --no-log contradict each other", command: "run")
        }
        let session = ScreenSession(workspace: workspace, paths: ctx.paths, environment: ctx.environment, mode: mode)
        session.openLog = { size, onFailure in
            let challenge = (try? Workspace.open(workspace))?.marker.challenge ?? workspace.lastPathComponent
            return try SessionLogOption.open(args, ctx, challenge: challenge, workspace: workspace, size: size,
                                             onFailure: onFailure)
        }
        return try session.run(console: ctx.console)
    }

    /// Whether `word` (a first argument that is not a command) names a directory
    /// to open: `tfchallenge DIR`. Commands win over directories of the same
    /// name; `./list` opens a directory called list.
    static func isDirectoryArgument(_ word: String) -> Bool { directoryExists(word) }
}

/// One screen session: the terminal, the UI loop and the workers behind it.
final class ScreenSession {
    enum Mode { case sandbox, aws }

    let workspace: URL
    let paths: Paths
    let environment: [String: String]
    let mode: Mode
    /// Opens the session log for a screen of the given size (nil: no log).
    /// Failures to write are reported through the closure it is given.
    var openLog: ((Size, @escaping @Sendable (SessionLogError) -> Void) throws -> SessionRecorder?)?

    init(workspace: URL, paths: Paths, environment: [String: String], mode: Mode) {
        self.workspace = workspace
        self.paths = paths
        self.environment = environment
        self.mode = mode
    }

    /// `path` with the user's home written as `~`.
    static func displayPath(_ path: String, home: String?) -> String {
        guard let home, !home.isEmpty, home != "/" else { return path }
        let prefix = home.hasSuffix("/") ? home : home + "/"
        return path.hasPrefix(prefix) ? "~/" + path.dropFirst(prefix.count) : path
    }

    func run(console: Console) throws -> Int32 {
        let queue = try EventQueue()
        let workers = Workers(workspace: workspace, paths: paths, environment: environment, mode: mode)
        let screen: TerminalScreen
        do {
            screen = try TerminalScreen(environment: environment)
        } catch {
            console.error("tfchallenge run: \(error)")
            return ExitCode.failure
        }
        let recorder: SessionRecorder?
        do {
            recorder = try openLog?(screen.size) { error in queue.post(.notice("session log: \(error)")) }
        } catch {
            screen.close()
            console.error("tfchallenge run: cannot open the session log: \(error)")
            return ExitCode.failure
        }
        if let recorder {
            // The status bar shows where the session is recorded, for the whole session.
            queue.post(.sessionLog(Self.displayPath(recorder.writer.path, home: environment["HOME"])))
        }
        let state = State(workspace: workspace.path, size: screen.size)
        let app = App(state: state, screen: screen, queue: queue, sink: recorder, performer: workers,
                      workspace: workspace, environment: environment)
        workers.start(post: { queue.post($0) })
        let final = app.run()
        screen.close()
        if final.runningCommand != nil {
            console.print("Stopping terraform (it saves its state first)...")
        }
        workers.shutdown()
        recorder?.finish(reason: "quit")
        if let recorder {
            console.print("Session log: \(recorder.writer.path)")
        }
        if mode == .sandbox, case .sandboxUp(let endpoint) = final.target {
            console.print("The sandbox is still running at \(endpoint) ('tfchallenge sandbox down' stops it).")
        }
        return ExitCode.success
    }
}

/// The workers behind the screen: sandbox start, file watching, TODO scans,
/// terraform runs and check rounds. Each posts events; none touches the screen.
final class Workers: EffectPerformer, @unchecked Sendable {
    let workspace: URL
    let paths: Paths
    let environment: [String: String]
    let mode: ScreenSession.Mode
    private let lock = NSLock()
    private var sandbox: SandboxState?
    private var currentRun: TerraformRun?
    private var interrupts = 0
    private var stopping = false

    init(workspace: URL, paths: Paths, environment: [String: String], mode: ScreenSession.Mode) {
        self.workspace = workspace
        self.paths = paths
        self.environment = environment
        self.mode = mode
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock(); defer { lock.unlock() }
        return body()
    }

    func start(post: @escaping @Sendable (Event) -> Void) {
        scanTodos(post: post)
        Thread.detachNewThread { [self] in watchFiles(post: post) }
        switch mode {
        case .aws:
            let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
            post(.target(.aws(account: environment["AWS_PROFILE"].map { "profile \($0)" } ?? "default credentials",
                              region: region)))
        case .sandbox:
            post(.target(.sandboxStarting))
            Thread.detachNewThread { [self] in
                do {
                    let (state, started) = try SandboxManager(paths: paths).up()
                    locked { sandbox = state }
                    post(.target(.sandboxUp(endpoint: state.endpoint.replacingOccurrences(of: "http://", with: ""))))
                    post(.notice(started ? "started the sandbox at \(state.endpoint); it keeps running after you quit"
                                 : "the sandbox is up at \(state.endpoint)"))
                } catch {
                    post(.target(.sandboxDown(reason: "\(error)")))
                }
            }
        }
    }

    func perform(_ effect: Effect, post: @escaping @Sendable (Event) -> Void) {
        switch effect {
        case .rescanTodos: scanTodos(post: post)
        case .runTerraform(let command): runTerraform(command, post: post)
        case .interruptTerraform: interrupt(post: post)
        case .killTerraform:
            if let run = locked({ currentRun }) {
                run.kill()
                post(.notice("terraform killed"))
            }
        case .runChecks: runChecks(post: post)
        case .openEditor, .redraw, .quit: break
        }
    }

    func shutdown() {
        let (run, interrupted): (TerraformRun?, Bool) = locked {
            stopping = true
            return (currentRun, interrupts > 0)
        }
        guard let run else { return }
        // Let terraform stop cleanly and save its state (one SIGINT: a second one
        // would make it stop at once); kill it if it will not.
        if !interrupted { run.interrupt() }
        let done = DispatchSemaphore(value: 0)
        Task { _ = await run.wait(); done.signal() }
        if done.wait(timeout: .now() + 20) == .timedOut { run.kill() }
    }

    // MARK: TODOs and files

    private func scanTodos(post: @escaping @Sendable (Event) -> Void) {
        let dir = workspace
        DispatchQueue.global().async {
            do {
                post(.todos(try TodoScanner.scan(directory: dir)))
            } catch {
                post(.notice("could not scan the TODOs: \(error)"))
            }
        }
    }

    /// Polls the workspace's Terraform files every 100 ms (modification time
    /// and size); a change posts `fileChanged`.
    private func watchFiles(post: @escaping @Sendable (Event) -> Void) {
        var last: [String: [Int]] = snapshot()
        while !locked({ stopping }) {
            usleep(100_000)
            let now = snapshot()
            if now != last {
                let changed = Set(now.keys).union(last.keys).sorted().first { now[$0] != last[$0] } ?? ""
                last = now
                post(.fileChanged(changed))
            }
        }
    }

    private func snapshot() -> [String: [Int]] {
        guard let files = try? TodoScanner.terraformFiles(in: workspace) else { return [:] }
        var out: [String: [Int]] = [:]
        for f in files {
            var st = stat()
            if stat(workspace.appendingPathComponent(f).path, &st) == 0 {
                out[f] = [Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec), Int(st.st_size)]
            }
        }
        return out
    }

    // MARK: terraform

    private func terraformTarget() -> TerraformTarget? {
        switch mode {
        case .aws: return .aws
        case .sandbox:
            guard let s = locked({ sandbox }) else { return nil }
            return .sandbox(endpoint: s.endpoint, region: s.region, accessKeyId: s.admin.accessKeyId,
                            secretAccessKey: s.admin.secretAccessKey)
        }
    }

    private func runTerraform(_ command: TerraformCommand, post: @escaping @Sendable (Event) -> Void) {
        guard let target = terraformTarget() else {
            post(.notice("the sandbox is not up yet: wait for it, then press the key again"))
            return
        }
        let runner = TerraformRunner(paths: paths, environment: environment, target: target)
        let dir = workspace
        Thread.detachNewThread { [self] in
            let run: TerraformRun
            do {
                run = try runner.start(command, in: dir)
            } catch {
                post(.notice("terraform \(command.rawValue): \(error)"))
                return
            }
            locked {
                currentRun = run
                interrupts = 0
            }
            post(.runStarted(command))
            Task {
                for await message in run.messages {
                    if case .exited = message.event { continue }
                    post(.terraform(message.event))
                }
                let code = await run.wait()
                let interrupted = self.locked { () -> Bool in
                    if self.currentRun === run { self.currentRun = nil }
                    return self.interrupts > 0
                }
                post(.runExited(command, exitCode: code, interrupted: interrupted && code != 0, message: ""))
            }
        }
    }

    private func interrupt(post: @escaping @Sendable (Event) -> Void) {
        let run: TerraformRun? = locked {
            interrupts += 1
            return currentRun
        }
        guard let run else { return }
        run.interrupt()
        post(.notice("interrupt sent: terraform is stopping and saving its state (x again offers to kill it)"))
    }

    // MARK: checks

    private func runChecks(post: @escaping @Sendable (Event) -> Void) {
        let (dir, paths, environment, mode) = (workspace, self.paths, self.environment, self.mode)
        post(.checksStarted)
        Task {
            let report: CheckReport
            switch mode {
            case .sandbox:
                report = await CheckRound.run(workspace: dir, paths: paths,
                                              target: { () throws(CheckTarget.Unavailable) in try CheckTarget.sandbox(paths: paths) },
                                              targetKind: .sandbox)
            case .aws:
                report = await CheckRound.run(workspace: dir, paths: paths,
                                              target: { () throws(CheckTarget.Unavailable) in try CheckTarget.aws(environment: environment) },
                                              targetKind: .aws)
            }
            for result in report.checks { post(.checkResult(result)) }
            post(.checksFinished)
        }
    }
}
