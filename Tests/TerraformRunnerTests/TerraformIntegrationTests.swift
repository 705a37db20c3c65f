import Foundation
import Testing
@testable import CLI
@testable import TerraformRunner
import Sandbox
import TFCSupport

/// One sandbox (in its own tfchallenge home, stopping with the test process) for every
/// real-terraform test of the process.
final class Fixture: Sendable {
    let sandbox: SandboxState
    let home: URL
    let paths: Paths
    let environment: [String: String]
    let target: TerraformTarget

    var accessKeyId: String { sandbox.admin.accessKeyId }
    var secret: String { sandbox.admin.secretAccessKey }

    init() async throws {
        let base = Paths.resolve()
        home = try makeTempDir("home")
        paths = Paths(home: home, venv: base.venv, resources: base.resources)
        sandbox = try SandboxManager(paths: paths, exitWithParent: true).up().state
        var env = ProcessInfo.processInfo.environment
        env["TFCHALLENGE_HOME"] = home.path
        environment = env
        target = .sandbox(endpoint: sandbox.endpoint, region: sandbox.region, accessKeyId: sandbox.admin.accessKeyId,
                          secretAccessKey: sandbox.admin.secretAccessKey)
    }

    var runner: TerraformRunner { TerraformRunner(paths: paths, environment: environment, target: target) }

    /// The environment the CLI (in-process or the built binary) runs with: it finds the
    /// sandbox through the home's state file.
    var cliEnvironment: [String: String] { environment }

    /// terraform's environment as the runner builds it, for running terraform directly.
    var terraformEnvironment: [String: String] {
        target.environment(base: environment,
                           cliConfigFile: home.appendingPathComponent("terraform/cli.tfrc"))
    }

    func workspace(_ name: String, _ files: [String: String]) throws -> URL {
        let dir = try makeTempDir(name)
        for (file, text) in files {
            try Data(text.utf8).write(to: dir.appendingPathComponent(file))
        }
        return dir
    }

    func run(_ command: TerraformCommand, in dir: URL, _ extra: [String] = []) async throws -> ([TerraformEvent], Int32) {
        let run = try runner.start(command, in: dir, extraArguments: extra)
        return await collect(run)
    }

    func cli(_ args: [String]) async -> (Int32, CapturedConsole) {
        let console = CapturedConsole(environment: cliEnvironment)
        let code = await Program.run(args, console: console.console, paths: paths)
        return (code, console)
    }
}

actor FixtureStore {
    static let shared = FixtureStore()
    private var fixture: Fixture?
    private var failure: String?

    /// The shared fixture, or nil (after saying why) when terraform or moto is missing.
    func get() async -> Fixture? {
        guard Prerequisites.require(Prerequisites.terraform != nil,
                                    "terraform (on PATH or TFCHALLENGE_TERRAFORM)") else { return nil }
        guard Prerequisites.require(FileManager.default.isExecutableFile(atPath: Paths.resolve().python.path),
                                    "the sandbox's Python environment at \(Paths.resolve().venv.path)") else { return nil }
        if let fixture { return fixture }
        if let failure {
            Issue.record(Comment(rawValue: failure))
            return nil
        }
        do {
            let f = try await Fixture()
            fixture = f
            return f
        } catch {
            failure = "cannot start the test sandbox: \(error)"
            Issue.record(Comment(rawValue: failure ?? ""))
            return nil
        }
    }
}

let smallConfig = awsPreamble + """
resource "aws_s3_bucket" "data" {
  bucket = "tfc-runner-data"
}

resource "aws_kms_key" "data" {
  description = "runner test key"
}

resource "aws_iam_role" "client" {
  name = "tfc-runner-client"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
}

output "bucket" {
  value = aws_s3_bucket.data.bucket
}

output "token" {
  value     = "tok-${aws_s3_bucket.data.bucket}-hidden"
  sensitive = true
}

"""

@Suite(.serialized) struct TerraformIntegrationTests {
    @Test func initPlanApplyOutputDestroyAgainstTheSandbox() async throws {
        guard let fx = await FixtureStore.shared.get() else { return }
        let dir = try fx.workspace("main", ["main.tf": smallConfig])

        let (initEvents, initCode) = try await fx.run(.`init`, in: dir)
        #expect(initCode == 0, "\(initEvents.text)")
        #expect(initEvents.contains { if case .version = $0 { return true } else { return false } })
        #expect(initEvents.text.contains("Terraform has been successfully initialized!"))
        let cliConfig = try String(contentsOf: fx.home.appendingPathComponent("terraform/cli.tfrc"), encoding: .utf8)
        #expect(cliConfig.contains("filesystem_mirror"))
        #expect(cliConfig.contains("plugin_cache_dir"))

        // The sandbox override is ours, and holds no credential.
        let override = try String(contentsOf: dir.appendingPathComponent(TerraformTarget.overrideFileName), encoding: .utf8)
        #expect(override.contains(fx.sandbox.endpoint))
        #expect(!override.contains(fx.secret) && !override.contains(fx.accessKeyId))

        let (planEvents, planCode) = try await fx.run(.plan, in: dir)
        #expect(planCode == 0, "\(planEvents.text)")
        #expect(planEvents.summaries == [ChangeSummary(add: 3, change: 0, remove: 0, operation: "plan")])
        #expect(planEvents.text.contains("Plan: 3 to add, 0 to change, 0 to destroy."))
        #expect(planEvents.text.contains("  # aws_kms_key.data will be created"))
        #expect(planEvents.text.contains("  + token = (sensitive value)"))

        let (applyEvents, applyCode) = try await fx.run(.apply, in: dir)
        #expect(applyCode == 0, "\(applyEvents.text)")
        let completed = Set(applyEvents.compactMap { e -> String? in
            if case let .applyComplete(address, _, _, _) = e { return address } else { return nil }
        })
        #expect(completed == ["aws_s3_bucket.data", "aws_kms_key.data", "aws_iam_role.client"])
        #expect(applyEvents.summaries.last == ChangeSummary(add: 3, change: 0, remove: 0, operation: "apply"))
        #expect(applyEvents.outputs?["bucket"]?.stringValue == "tfc-runner-data")
        #expect(applyEvents.text.contains("token = (sensitive value)"))

        // `output`: values read; the sensitive one is in memory for the checks, never rendered.
        let (outEvents, outCode) = try await fx.run(.output, in: dir)
        #expect(outCode == 0)
        #expect(outEvents.outputs?["bucket"]?.stringValue == "tfc-runner-data")
        #expect(outEvents.outputs?["token"]?.stringValue == "tok-tfc-runner-data-hidden")
        #expect(!outEvents.text.contains("tok-tfc-runner-data-hidden"))
        let (cliCode, cliOut) = await fx.cli(["output", dir.path])
        #expect(cliCode == 0)
        #expect(cliOut.stdout.contains("bucket = \"tfc-runner-data\""))
        #expect(cliOut.stdout.contains("token = (sensitive value)"))
        let (rawCode, rawOut) = await fx.cli(["output", "--raw", dir.path])
        #expect(rawCode == 0)
        #expect(rawOut.stdout.contains("\"tfc-runner-data\""))
        #expect(!(rawOut.stdout + rawOut.stderr).contains("tok-tfc-runner-data-hidden"))

        // The headless plan now converges.
        let (planAgainCode, planAgain) = await fx.cli(["plan", dir.path])
        #expect(planAgainCode == 0)
        #expect(planAgain.stdout.contains("No changes. Your infrastructure matches the configuration."))

        // destroy without --yes and without a terminal is refused; with --yes it removes everything.
        let (refused, refusedOut) = await fx.cli(["destroy", dir.path])
        #expect(refused == 2)
        #expect(refusedOut.stderr.contains("pass --yes"))
        let (destroyCode, destroyOut) = await fx.cli(["destroy", "--yes", dir.path])
        #expect(destroyCode == 0, "\(destroyOut.stdout)\(destroyOut.stderr)")
        #expect(destroyOut.stdout.contains("Destroy complete! Resources: 3 destroyed."))
        let (state, stateCode) = try terraformDirectly(["state", "list"], in: dir, environment: fx.terraformEnvironment)
        #expect(stateCode == 0)
        #expect(state.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "state still lists: \(state)")

        // AWS mode removes the override file and leaves the candidate's files alone.
        let awsRunner = TerraformRunner(paths: fx.paths, environment: fx.environment, target: .aws)
        let v = try awsRunner.start(.validate, in: dir)
        let (validateEvents, validateCode) = await collect(v)
        #expect(validateCode == 0, "\(validateEvents.text)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(TerraformTarget.overrideFileName).path))
        #expect(try String(contentsOf: dir.appendingPathComponent("main.tf"), encoding: .utf8) == smallConfig)
    }

    @Test func theSolvedChallengePlansAppliesPassesItsChecksAndDestroys() async throws {
        guard let fx = await FixtureStore.shared.get() else { return }
        let dir = try makeTempDir("bigcorp").appendingPathComponent("ws")
        let (newCode, newOut) = await fx.cli(["new", "bigcorp-s3", dir.path, "--solution"])
        try #require(newCode == 0, "\(newOut.stderr)")

        let (initCode, initOut) = await fx.cli(["init", dir.path])
        #expect(initCode == 0, "\(initOut.stdout)\(initOut.stderr)")
        let (planEvents, planCode) = try await fx.run(.plan, in: dir)
        #expect(planCode == 0, "\(planEvents.text)")
        let plan = try #require(planEvents.summaries.first)
        #expect(plan.add > 5 && plan.change == 0 && plan.remove == 0, "\(plan)")
        #expect(planEvents.text.contains("Plan: \(plan.add) to add, 0 to change, 0 to destroy."))

        // apply through the headless command: the rendering, then the checks' board.
        let (applyCode, applyOut) = await fx.cli(["apply", "--yes", dir.path])
        #expect(applyCode == 0, "\(applyOut.stdout)\(applyOut.stderr)")
        #expect(applyOut.stdout.contains("Apply complete! Resources: \(plan.add) added, 0 changed, 0 destroyed."))
        #expect(applyOut.stdout.contains("4/4 checks pass"), "\(applyOut.stdout)")
        #expect(!(applyOut.stdout + applyOut.stderr).contains(fx.secret))

        let (destroyCode, destroyOut) = await fx.cli(["destroy", "--yes", dir.path])
        #expect(destroyCode == 0, "\(destroyOut.stdout)\(destroyOut.stderr)")
        #expect(destroyOut.stdout.contains("Destroy complete! Resources: \(plan.add) destroyed."))
    }

    @Test func secondInitLinksTheCachedProviderInsteadOfCopyingIt() async throws {
        guard let fx = await FixtureStore.shared.get() else { return }
        let config = awsPreamble + "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"tfc-cache\"\n}\n"
        let cache = fx.home.appendingPathComponent("terraform/plugin-cache")
        let fm = FileManager.default

        /// The workspace's provider entry: where it links to, and the provider binary's inode.
        func providerEntry(_ ws: URL) throws -> (link: String, inode: UInt64?) {
            let base = ws.appendingPathComponent(".terraform/providers/registry.terraform.io/hashicorp/aws")
            let version = try #require(try fm.contentsOfDirectory(atPath: base.path).first)
            let platform = try #require(try fm.contentsOfDirectory(atPath: base.appendingPathComponent(version).path).first)
            let entry = base.appendingPathComponent(version).appendingPathComponent(platform)
            let link = try fm.destinationOfSymbolicLink(atPath: entry.path)
            let binary = try #require(try fm.contentsOfDirectory(atPath: entry.path)
                .first { $0.hasPrefix("terraform-provider-aws") })
            let attrs = try fm.attributesOfItem(atPath: entry.appendingPathComponent(binary).resolvingSymlinksInPath().path)
            return (link, (attrs[.systemFileNumber] as? NSNumber)?.uint64Value)
        }

        let first = try fx.workspace("cache1", ["main.tf": config])
        let (e1, c1) = try await fx.run(.`init`, in: first)
        #expect(c1 == 0, "\(e1.text)")
        let second = try fx.workspace("cache2", ["main.tf": config])
        let (e2, c2) = try await fx.run(.`init`, in: second)
        #expect(c2 == 0, "\(e2.text)")

        let a = try providerEntry(first)
        let b = try providerEntry(second)
        // Both workspaces link into the shared cache, and reach the very same file: nothing was copied.
        #expect(a.link.hasPrefix(cache.path), "\(a.link)")
        #expect(b.link.hasPrefix(cache.path), "\(b.link)")
        #expect(a.inode != nil && a.inode == b.inode)
        #expect(fm.fileExists(atPath: cache.appendingPathComponent("registry.terraform.io/hashicorp/aws").path))
    }

    @Test func brokenFileGivesADiagnosticWithFileAndLine() async throws {
        guard let fx = await FixtureStore.shared.get() else { return }
        let broken = """
        resource "aws_s3_bucket" "ok" {
          bucket = "fine"
        }
        resource "aws_s3_bucket" "bad" {
          bucket = "x"
          tags = {
        """
        let dir = try fx.workspace("broken", ["main.tf": awsPreamble, "broken.tf": broken])
        for command in [TerraformCommand.validate, .plan] {
            let (events, code) = try await fx.run(command, in: dir)
            #expect(code == 1, "\(command)")
            let error = try #require(events.errors.first, "\(command): \(events.text)")
            #expect(error.filename == "broken.tf")
            #expect(error.startLine == 6 || error.startLine == 4, "\(error)")
            #expect(events.text.contains("on broken.tf line \(error.startLine ?? 0)"))
        }
        let (code, out) = await fx.cli(["validate", dir.path])
        #expect(code == 1)
        #expect(out.stdout.contains("│ Error: "))
    }

    @Test func interruptedApplyLeavesAUsableStateAndASecondApplyConverges() async throws {
        guard let fx = await FixtureStore.shared.get() else { return }
        let config = awsPreamble + """
        # Buckets only: terraform cancels the create in flight when interrupted, and creating a
        # bucket you already own in us-east-1 succeeds, so the second apply can adopt it.
        resource "aws_s3_bucket" "many" {
          count  = 9
          bucket = "tfc-interrupt-${count.index}"
        }

        """
        let dir = try fx.workspace("interrupt", ["main.tf": config])
        let (ie, ic) = try await fx.run(.`init`, in: dir)
        #expect(ic == 0, "\(ie.text)")

        let run = try fx.runner.start(.apply, in: dir, extraArguments: ["-parallelism=1"])
        var interrupted = false
        let (events, code) = await collect(run) { event in
            if case .applyStart = event, !interrupted {
                interrupted = true
                run.interrupt()
            }
        }
        #expect(interrupted)
        #expect(code != 0, "an interrupted apply fails")
        let completed = events.filter { if case .applyComplete = $0 { return true } else { return false } }.count
        #expect(completed < 9, "the apply stopped before creating everything")

        // No lock error afterwards, and the state lists what was created.
        let (planEvents, planCode) = try await fx.run(.plan, in: dir)
        #expect(planCode == 0, "\(planEvents.text)")
        #expect(!planEvents.text.lowercased().contains("lock"))
        let (state, stateCode) = try terraformDirectly(["state", "list"], in: dir, environment: fx.terraformEnvironment)
        #expect(stateCode == 0)
        let listed = state.split(separator: "\n").filter { !$0.isEmpty }
        #expect(listed.count == completed, "state: \(state)")
        #expect(planEvents.summaries.first?.add == 9 - completed)

        let (applyEvents, applyCode) = try await fx.run(.apply, in: dir)
        #expect(applyCode == 0, "\(applyEvents.text)")
        let (convergedEvents, convergedCode) = try await fx.run(.plan, in: dir)
        #expect(convergedCode == 0)
        #expect(convergedEvents.summaries == [ChangeSummary(add: 0, change: 0, remove: 0, operation: "plan")])
        let (destroyEvents, destroyCode) = try await fx.run(.destroy, in: dir)
        #expect(destroyCode == 0, "\(destroyEvents.text)")
    }

    @Test func aSecondRunInTheSameWorkspaceIsRefusedWithAReason() async throws {
        guard let fx = await FixtureStore.shared.get() else { return }
        let dir = try fx.workspace("lock", ["main.tf": awsPreamble])
        let first = try fx.runner.start(.`init`, in: dir)
        do {
            _ = try fx.runner.start(.plan, in: dir)
            Issue.record("a second run was allowed")
        } catch let error as TerraformRunnerError {
            #expect(error == .busy(command: "init", workspace: dir.standardizedFileURL.path, pid: first.pid))
            #expect(error.description.hasPrefix("terraform is already running init in "))
        }
        // Credentials never appear on terraform's command line.
        if let cmdline = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(first.pid)/cmdline")) {
            let text = String(decoding: cmdline, as: UTF8.self)
            #expect(!text.contains(fx.secret) && !text.contains(fx.accessKeyId))
        }
        let (_, code) = await collect(first)
        #expect(code == 0)
        // Once it ended, the workspace is free again.
        let (_, again) = try await fx.run(.validate, in: dir)
        #expect(again == 0)
    }

    @Test func killingTfchallengeLeavesNoTerraformBehind() async throws {
        guard let fx = await FixtureStore.shared.get() else { return }
        let binary = try #require(builtBinary(), "the tfchallenge binary next to the test bundle")
        let dir = try fx.workspace("kill", ["main.tf": smallConfig])
        let (ie, ic) = try await fx.run(.`init`, in: dir)
        #expect(ic == 0, "\(ie.text)")

        // SIGKILL: tfchallenge cannot react; the watcher must sweep terraform's group.
        // SIGTERM, SIGHUP: tfchallenge stops terraform (SIGINT, bounded wait, then kill) and exits.
        for sig in [SIGKILL, SIGTERM, SIGHUP] {
            let process = Process()
            process.executableURL = binary
            process.arguments = ["plan", dir.path]
            process.environment = fx.cliEnvironment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()

            // Wait until terraform runs and has started its provider (the lock file names terraform's pid).
            let lockFile = dir.appendingPathComponent(".terraform/\(WorkspaceLock.fileName)").path
            var terraformPid: Int32 = 0
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                if let text = try? String(contentsOfFile: lockFile, encoding: .utf8),
                   let pid = text.split(separator: " ").first.flatMap({ Int32($0) }), pid != process.processIdentifier,
                   members(ofGroup: pid).filter(isRunning).count >= 3 {
                    terraformPid = pid
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            try #require(terraformPid > 0, "signal \(sig): terraform and its provider started")
            #expect(isRunning(terraformPid))
            let group = members(ofGroup: terraformPid).filter(isRunning)

            kill(process.processIdentifier, sig)
            let exited = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < exited, process.isRunning {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(!process.isRunning, "signal \(sig): tfchallenge exits")
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            let gone = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < gone, group.contains(where: isRunning) {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(group.filter(isRunning).isEmpty, "signal \(sig): left running: \(group.filter(isRunning))")
        }
    }

    /// The built `tfchallenge` next to the test bundle.
    func builtBinary() -> URL? {
        var candidates: [URL] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent()) }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for dir in candidates {
            var d = dir
            for _ in 0..<4 {
                let c = d.appendingPathComponent("tfchallenge")
                if FileManager.default.isExecutableFile(atPath: c.path) { return c }
                d = d.deletingLastPathComponent()
            }
        }
        return nil
    }
}
