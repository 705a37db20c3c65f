import Dispatch
import Challenge
import Foundation
import Sandbox
import TerraformRunner
import TFCSupport

/// `tfchallenge init | validate | plan | apply | destroy | output [DIR]`: terraform run
/// headless in a workspace, printed as the same rendering the TUI's panes show.
enum TerraformCommands {
    /// What runs after a successful `apply` (the challenge's checks and their board):
    /// returns the exit status to report, or nil when there is nothing to run.
    typealias AfterApply = @Sendable (_ workspace: URL, _ target: TerraformTarget, _ context: CommandContext) async -> Int32?

    /// How the commands find the sandbox: returns the sandbox target, or throws a message
    /// saying how to start it.
    typealias SandboxLocator = @Sendable (_ context: CommandContext) throws -> TerraformTarget

    struct Hooks: Sendable {
        var afterApply: AfterApply?
        var sandbox: SandboxLocator

        static let standard = Hooks(afterApply: runCheckCommand, sandbox: sandboxTarget)
    }

    static func commands(hooks: Hooks = .standard) -> [Command] {
        TerraformCommand.allCases.map { command(for: $0, hooks: hooks) }
    }

    static let summaries: [TerraformCommand: String] = [
        .`init`: "terraform init in a workspace (providers from the local mirror and the shared cache)",
        .validate: "terraform validate in a workspace",
        .plan: "terraform plan in a workspace",
        .apply: "terraform apply in a workspace, then run the checks",
        .destroy: "terraform destroy in a workspace",
        .output: "show a workspace's terraform outputs (sensitive values hidden)",
    ]

    static func command(for tf: TerraformCommand, hooks: Hooks) -> Command {
        var flags = [
            FlagSpec("aws", help: "run against real AWS with your own credentials (default: the local sandbox)"),
            FlagSpec("raw", help: "print terraform's raw JSON messages instead of the rendering"),
            FlagSpec("wait", help: "wait for another terraform run in the same workspace instead of refusing"),
        ]
        if tf.changesInfrastructure {
            flags.append(FlagSpec("yes", help: "do not ask for confirmation"))
        }
        if tf == .apply {
            flags.append(FlagSpec("no-check", help: "do not run the checks after a successful apply"))
        }
        let synopsis = "\(tf.rawValue) [DIR] [" + flags.map { "--\($0.name)" }.joined(separator: "] [") + "]"
        return Command(
            name: tf.rawValue, summary: summaries[tf] ?? "terraform \(tf.rawValue)", synopsis: synopsis,
            details: """
            DIR is the workspace (default: the current directory). The exit status is terraform's.
            In sandbox mode a tfchallenge_override.tf with the sandbox's endpoints is written into
            DIR; with --aws it is removed. Credentials reach terraform only through its environment.
            The first Ctrl-C stops terraform gracefully (it saves its state); a second one kills it.
            """,
            flags: flags, maxPositionals: 1
        ) { args, ctx in
            try await run(tf, args: args, context: ctx, hooks: hooks)
        }
    }

    static func run(_ tf: TerraformCommand, args: ParsedArguments, context ctx: CommandContext,
                    hooks: Hooks) async throws -> Int32 {
        let console = ctx.console
        let cwd = FileManager.default.currentDirectoryPath
        let dirArg = args.positionals.first ?? "."
        let workspace = URL(fileURLWithPath: dirArg, relativeTo: URL(fileURLWithPath: cwd, isDirectory: true))
            .standardizedFileURL
        let target: TerraformTarget
        do {
            target = args.has("aws") ? .aws : try hooks.sandbox(ctx)
        } catch {
            console.error("tfchallenge \(tf.rawValue): \(error)")
            return ExitCode.failure
        }
        if tf.changesInfrastructure && !args.has("yes") {
            let where_ = args.has("aws") ? "real AWS" : "the sandbox"
            guard console.interactive else {
                console.error("tfchallenge \(tf.rawValue): this changes infrastructure in \(where_); pass --yes to confirm (no terminal to ask on)")
                return ExitCode.usage
            }
            guard console.confirm("terraform \(tf.rawValue) in \(workspace.path) against \(where_)?") else {
                console.error("tfchallenge \(tf.rawValue): cancelled")
                return ExitCode.failure
            }
        }
        let runner = TerraformRunner(paths: ctx.paths, environment: ctx.environment, target: target)
        let run: TerraformRun
        do {
            run = try runner.start(tf, in: workspace, waitForLock: args.has("wait") ? .seconds(3600) : nil)
        } catch let error as TerraformRunnerError {
            console.error("tfchallenge \(tf.rawValue): \(error.description)")
            return ExitCode.failure
        }
        let signals = SignalForwarder(run: run, console: console)
        signals.install()
        defer { signals.uninstall() }

        let raw = args.has("raw")
        var code: Int32 = ExitCode.failure
        for await message in run.messages {
            if case let .exited(c) = message.event {
                code = c
                if c != 0 && !raw { for line in TerraformRenderer.render(message.event) { console.error(line.text) } }
                continue
            }
            if case let .stderr(line) = message.event {
                console.error(line)
                continue
            }
            if raw {
                if let line = message.raw { console.print(line) }
                else if case let .log(_, text) = message.event { console.error(text) }
            } else {
                for line in TerraformRenderer.render(message.event) { console.print(line.text) }
            }
        }
        if tf == .apply && code == 0 && !args.has("no-check"), let afterApply = hooks.afterApply {
            if let checks = await afterApply(workspace, target, ctx) { return checks }
        }
        return code
    }

    /// The sandbox target: the running sandbox of this home, started when it is not up
    /// (it keeps running afterwards, like `tfchallenge sandbox up`). Terraform acts as the
    /// sandbox's admin identity.
    static func sandboxTarget(_ ctx: CommandContext) throws -> TerraformTarget {
        let manager = SandboxManager(paths: ctx.paths)
        let state: SandboxState
        if let running = manager.current() {
            state = running
        } else {
            ctx.console.error("starting the sandbox (stop it with: tfchallenge sandbox down)...")
            state = try manager.up().state
            ctx.console.error("sandbox up at \(state.endpoint)")
        }
        return .sandbox(endpoint: state.endpoint, region: state.region,
                        accessKeyId: state.admin.accessKeyId, secretAccessKey: state.admin.secretAccessKey)
    }

    /// After a successful apply in a challenge workspace: the `check` command (its board
    /// and exit status). Plain terraform directories have no checks: nil.
    static func runCheckCommand(_ workspace: URL, _ target: TerraformTarget, _ ctx: CommandContext) async -> Int32? {
        guard (try? Workspace.open(workspace)) != nil,
              let check = Program.commands.first(where: { $0.name == "check" }) else { return nil }
        var args = [workspace.path]
        if target == .aws { args += ["--target", "aws"] }
        ctx.console.print("")
        return await Program.dispatch(check, args, path: ["check"], context: ctx)
    }
}

/// Forwards the terminal's signals to a terraform run while it lasts:
/// - SIGINT: the first is forwarded (terraform stops gracefully and saves its state); a
///   second one asks for confirmation on a terminal (kills without one);
/// - SIGTERM, SIGHUP: forwarded as SIGINT; terraform gets `graceSeconds` to stop, then the
///   whole group is killed.
final class SignalForwarder: @unchecked Sendable {
    static let graceSeconds = 10
    private let run: TerraformRun
    private let console: Console
    private let queue = DispatchQueue(label: "tfchallenge.signals")
    private var sources: [DispatchSourceSignal] = []
    private var interrupts = 0

    init(run: TerraformRun, console: Console) {
        self.run = run
        self.console = console
    }

    func install() {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [weak self] in self?.received(sig) }
            source.resume()
            sources.append(source)
        }
    }

    func uninstall() {
        queue.sync {
            for s in sources { s.cancel() }
            sources = []
        }
        for sig in [SIGINT, SIGTERM, SIGHUP] { signal(sig, SIG_DFL) }
    }

    private func received(_ sig: Int32) {
        guard run.exitCode == nil else { return }
        if sig != SIGINT {
            console.error("tfchallenge: stopping terraform (signal \(sig)); it has \(Self.graceSeconds)s to save its state")
            run.interrupt()
            let run = self.run
            queue.asyncAfter(deadline: .now() + .seconds(Self.graceSeconds)) {
                if run.exitCode == nil { run.kill() }
            }
            return
        }
        interrupts += 1
        if interrupts == 1 {
            console.error("Interrupt received: terraform is stopping gracefully and saving its state. Press Ctrl-C again to kill it.")
            run.interrupt()
            return
        }
        if console.interactive {
            let run = self.run
            let console = self.console
            Thread.detachNewThread {
                if console.confirm("Kill terraform now? Changes in progress may not be recorded in its state.") {
                    run.kill()
                }
            }
        } else {
            console.error("Second interrupt: killing terraform.")
            run.kill()
        }
    }
}
