import Foundation
import Sandbox
import TerraformRunner
import Testing
import TFCSupport

/// terraform for the challenge's tests. `runner(_:in:)` goes through the
/// product's `TerraformRunner` (its provider mirror, plugin cache and sandbox
/// override); `run(_:in:)` calls terraform directly, for commands the runner
/// does not have (`fmt`).
struct TerraformHarness {
    var terraform: URL
    var configDir: URL
    var sandbox: SandboxState

    /// terraform from PATH (or TFCHALLENGE_TERRAFORM).
    static func locate(_ env: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let t = env["TFCHALLENGE_TERRAFORM"], FileManager.default.isExecutableFile(atPath: t) {
            return URL(fileURLWithPath: t)
        }
        for dir in (env["PATH"] ?? "/usr/local/bin:/usr/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("terraform")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// A provider mirror, found as the product's runner finds one
    /// (`ProviderSetup.discoverMirrors`). nil: terraform uses its default installation.
    static func mirror(_ env: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        ProviderSetup.discoverMirrors(environment: env).0.first
    }

    /// Says loudly that terraform is missing; under CI=true this is a failure, not a skip.
    static func missing(_ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let message = "terraform is not installed (not on PATH, TFCHALLENGE_TERRAFORM unset): \(what) DID NOT RUN"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        } else {
            FileHandle.standardError.write(Data("\n*** WARNING: \(message) ***\n\n".utf8))
        }
    }

    init(terraform: URL, sandbox: SandboxState) throws {
        self.terraform = terraform
        self.sandbox = sandbox
        configDir = FileManager.default.temporaryDirectory
            .appendingPathComponent("tfc-terraform-\(UUID().uuidString.prefix(8))", isDirectory: true)
        let cache = configDir.appendingPathComponent("plugin-cache", isDirectory: true)
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        var rc = ""
        if let mirror = Self.mirror() {
            rc += """
            provider_installation {
              filesystem_mirror {
                path    = "\(mirror)"
                include = ["registry.terraform.io/hashicorp/aws"]
              }
              direct {
                exclude = ["registry.terraform.io/hashicorp/aws"]
              }
            }

            """
        }
        rc += "plugin_cache_dir = \"\(cache.path)\"\n"
        try rc.write(to: configDir.appendingPathComponent("terraform.rc"), atomically: true, encoding: .utf8)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: configDir) }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var diagnostics: [Diagnostic] = []
    }

    /// Runs `command` through the product's runner against the sandbox, with a deadline
    /// (then interrupt, then kill). `home` holds the runner's CLI config and plugin cache.
    func runner(_ command: TerraformCommand, in dir: URL, home: URL,
                timeout: Duration = .seconds(240)) async throws -> Run {
        let resolved = Paths.resolve()
        let runner = TerraformRunner(paths: Paths(home: home, venv: resolved.venv, resources: resolved.resources),
                                     target: .sandbox(endpoint: sandbox.endpoint, region: sandbox.region,
                                                      accessKeyId: sandbox.admin.accessKeyId,
                                                      secretAccessKey: sandbox.admin.secretAccessKey))
        let run = try runner.start(command, in: dir, waitForLock: .seconds(30))
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            run.interrupt()
            try await Task.sleep(for: .seconds(10))
            run.kill()
        }
        var diagnostics: [Diagnostic] = []
        var stderr = ""
        var lines = ""
        for await message in run.messages {
            switch message.event {
            case .diagnostic(let d): diagnostics.append(d)
            case .stderr(let line): stderr += line + "\n"
            default: if let raw = message.raw { lines += raw + "\n" }
            }
        }
        let code = await run.wait()
        watchdog.cancel()
        let summary = diagnostics.map { "\($0.severity.rawValue): \($0.summary) (\($0.filename ?? "-"):\($0.startLine ?? 0)) \($0.detail)" }
        return Run(status: code, stdout: lines, stderr: stderr + summary.joined(separator: "\n"), diagnostics: diagnostics)
    }

    /// Runs terraform in `dir` with a deadline; on the deadline it is interrupted, then killed.
    func run(_ args: [String], in dir: URL, timeout: Duration = .seconds(240)) async throws -> Run {
        let process = Process()
        process.executableURL = terraform
        process.arguments = args
        process.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("AWS_") || key.hasPrefix("TF_") { env[key] = nil }
        env["TF_CLI_CONFIG_FILE"] = configDir.appendingPathComponent("terraform.rc").path
        env["TF_IN_AUTOMATION"] = "1"
        env["TF_INPUT"] = "0"
        env["CHECKPOINT_DISABLE"] = "1"
        env["AWS_ACCESS_KEY_ID"] = sandbox.admin.accessKeyId
        env["AWS_SECRET_ACCESS_KEY"] = sandbox.admin.secretAccessKey
        env["AWS_REGION"] = sandbox.region
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        process.environment = env
        let outURL = configDir.appendingPathComponent("out-\(UUID().uuidString.prefix(6))")
        let errURL = configDir.appendingPathComponent("err-\(UUID().uuidString.prefix(6))")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let done = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in done.continuation.yield(); done.continuation.finish() }
        try process.run()
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in done.stream { return true }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !finished {
            process.interrupt()
            try? await Task.sleep(for: .seconds(5))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        } else {
            process.waitUntilExit()
        }
        return Run(status: finished ? process.terminationStatus : -1,
                   stdout: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
                   stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }
}
