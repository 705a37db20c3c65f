import Foundation
import TFCSupport
#if canImport(Glibc)
import Glibc
#endif

/// One item of a run's stream: the decoded event and, for lines terraform printed,
/// the line itself (for `--raw`).
public struct TerraformMessage: Sendable, Equatable {
    public var event: TerraformEvent
    public var raw: String?

    public init(event: TerraformEvent, raw: String? = nil) {
        self.event = event
        self.raw = raw
    }
}

/// Runs terraform commands in workspaces: finds terraform, prepares the provider mirror,
/// the plugin cache and the sandbox override, and starts runs.
public struct TerraformRunner: Sendable {
    public var paths: Paths
    public var environment: [String: String]
    public var target: TerraformTarget

    public init(paths: Paths, environment: [String: String] = ProcessInfo.processInfo.environment,
                target: TerraformTarget) {
        self.paths = paths
        self.environment = environment
        self.target = target
    }

    /// terraform's executable: `TFCHALLENGE_TERRAFORM` when set, else `terraform` on `PATH`.
    public static func locateTerraform(environment env: [String: String]) throws -> String {
        if let explicit = env["TFCHALLENGE_TERRAFORM"], !explicit.isEmpty {
            guard access(explicit, X_OK) == 0 else {
                throw TerraformRunnerError.terraformNotFound(
                    "terraform not found: TFCHALLENGE_TERRAFORM=\(explicit) is not an executable file")
            }
            return explicit
        }
        for dir in (env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/terraform"
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDir), !isDir.boolValue,
               access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        throw TerraformRunnerError.terraformNotFound(
            "terraform not found on PATH: install terraform (https://developer.hashicorp.com/terraform/install) "
            + "or set TFCHALLENGE_TERRAFORM to its path")
    }

    /// The arguments tfchallenge passes for `command` (before any extra arguments).
    public static func arguments(for command: TerraformCommand) -> [String] {
        switch command {
        case .`init`: return ["init", "-json", "-input=false", "-no-color"]
        case .validate: return ["validate", "-json", "-no-color"]
        case .plan: return ["plan", "-json", "-input=false", "-no-color"]
        case .apply: return ["apply", "-json", "-input=false", "-no-color", "-auto-approve"]
        case .destroy: return ["destroy", "-json", "-input=false", "-no-color", "-auto-approve"]
        case .output: return ["output", "-json", "-no-color"]
        }
    }

    /// Checks the workspace, takes its lock, writes the CLI config and the override file,
    /// and starts terraform. `waitForLock`: how long to wait for another run in the same
    /// workspace (nil: refuse at once).
    public func start(_ command: TerraformCommand, in workspace: URL, extraArguments: [String] = [],
                      waitForLock: Duration? = nil) throws -> TerraformRun {
        let terraform = try Self.locateTerraform(environment: environment)
        let dir = workspace.standardizedFileURL
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw TerraformRunnerError.workspaceUnusable("the workspace \(dir.path) does not exist or is not a directory")
        }
        guard access(dir.path, R_OK | X_OK) == 0 else {
            throw TerraformRunnerError.workspaceUnusable("the workspace \(dir.path) is not readable (permission denied)")
        }
        let lock = try WorkspaceLock(workspace: dir, command: command, wait: waitForLock)
        let setup = try ProviderSetup.prepare(paths: paths, environment: environment)
        try target.applyOverride(to: dir)
        let env = target.environment(base: environment, cliConfigFile: setup.cliConfigFile)
        let child = try ChildProcess(executable: terraform, arguments: Self.arguments(for: command) + extraArguments,
                                     directory: dir.path, environment: env)
        lock.record(command: command, pid: child.pid)
        return TerraformRun(command: command, workspace: dir, child: child, lock: lock, setup: setup)
    }
}

/// A running terraform: its event stream, its pid, and its signals.
public final class TerraformRun: Sendable {
    public let command: TerraformCommand
    public let workspace: URL
    public let pid: Int32
    /// Every event of the run, ending with `.exited(code)`. Single consumer.
    public let messages: AsyncStream<TerraformMessage>
    /// The mirrors and cache the run used.
    public let setup: ProviderSetup
    private let child: ChildProcess
    private let exit: ExitBox

    init(command: TerraformCommand, workspace: URL, child: ChildProcess, lock: WorkspaceLock, setup: ProviderSetup) {
        self.command = command
        self.workspace = workspace
        self.pid = child.pid
        self.child = child
        self.setup = setup
        let exit = ExitBox()
        self.exit = exit
        let (stream, continuation) = AsyncStream<TerraformMessage>.makeStream(bufferingPolicy: .unbounded)
        self.messages = stream

        let readers = DispatchGroup()
        let document = DocumentBuffer()
        let streamsJSON = command.streamsJSON
        readers.enter()
        Thread.detachNewThread {
            Self.readLines(fd: child.stdoutFD) { line in
                if streamsJSON {
                    continuation.yield(TerraformMessage(event: TerraformDecoder.decode(line: line), raw: line))
                } else {
                    document.append(line)
                }
            }
            readers.leave()
        }
        readers.enter()
        Thread.detachNewThread {
            Self.readLines(fd: child.stderrFD) { line in
                continuation.yield(TerraformMessage(event: .stderr(line), raw: nil))
            }
            readers.leave()
        }
        let mirrorsMissing = setup.mirrors.isEmpty
        Thread.detachNewThread {
            let code = child.waitForExit()
            child.finish()
            readers.wait()
            if !streamsJSON {
                for message in Self.decodeDocument(command: command, lines: document.lines) {
                    continuation.yield(message)
                }
            }
            if command == .`init`, code != 0, mirrorsMissing {
                continuation.yield(TerraformMessage(event: .log(level: .error, message:
                    "No local provider mirror was found (set TFCHALLENGE_PROVIDER_MIRROR to a directory holding "
                    + "registry.terraform.io/...), so terraform had to reach the registry; if it is unreachable, "
                    + "init cannot install the providers.")))
            }
            lock.release()
            continuation.yield(TerraformMessage(event: .exited(code: code)))
            continuation.finish()
            exit.set(code)
        }
    }

    /// First interrupt: SIGINT to terraform, which stops gracefully and saves its state.
    public func interrupt() { child.signal(SIGINT) }

    /// SIGKILL to terraform and everything it started. Only after the user confirmed:
    /// terraform cannot save state it has not written yet.
    public func kill() { child.signalGroup(SIGKILL) }

    /// Waits for terraform to end and its output to be read; returns its exit status.
    public func wait() async -> Int32 { await exit.value() }

    /// The exit status if terraform has ended.
    public var exitCode: Int32? { exit.current }

    static func readLines(fd: Int32, _ onLine: (String) -> Void) {
        var splitter = LineSplitter()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            for line in splitter.feed(buffer[0..<n]) { onLine(line) }
        }
        for line in splitter.finish() { onLine(line) }
        close(fd)
    }

    static func decodeDocument(command: TerraformCommand, lines: [String]) -> [TerraformMessage] {
        let text = lines.joined(separator: "\n")
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
        switch command {
        case .output:
            if let event = TerraformDecoder.decodeOutputDocument(text) {
                return [TerraformMessage(event: event, raw: TerraformDecoder.redactedOutputDocument(text))]
            }
        case .validate:
            if let events = TerraformDecoder.decodeValidateDocument(text) {
                return events.enumerated().map { TerraformMessage(event: $0.element, raw: $0.offset == 0 ? text : nil) }
            }
        default:
            break
        }
        return lines.map { TerraformMessage(event: .raw($0), raw: $0) }
    }
}

/// Collects the lines of a command that prints one JSON document.
private final class DocumentBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.lock(); stored.append(line); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}

/// The exit status, set once, awaited by any number of callers.
private final class ExitBox: @unchecked Sendable {
    private let lock = NSLock()
    private var code: Int32?
    private var waiters: [CheckedContinuation<Int32, Never>] = []

    func set(_ value: Int32) {
        lock.lock()
        code = value
        let pending = waiters
        waiters = []
        lock.unlock()
        for w in pending { w.resume(returning: value) }
    }

    var current: Int32? { lock.lock(); defer { lock.unlock() }; return code }

    func value() async -> Int32 {
        await withCheckedContinuation { c in
            lock.lock()
            if let code {
                lock.unlock()
                c.resume(returning: code)
            } else {
                waiters.append(c)
                lock.unlock()
            }
        }
    }
}
