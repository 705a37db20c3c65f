import Foundation
import Testing
@testable import CLI
@testable import TerraformRunner
import TFCSupport

/// A runner whose terraform is a script of the test's own (for crashes and odd bytes only;
/// the real behaviour is covered against real terraform in TerraformIntegrationTests).
private func fakeRunner(script: String, home: URL) throws -> TerraformRunner {
    let bin = home.appendingPathComponent("fake-terraform")
    // Written through a close-on-exec descriptor: a child spawned meanwhile by another test
    // must not inherit it, or executing the script fails with "text file busy".
    let fd = open(bin.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw TerraformRunnerError.setupFailed("cannot write \(bin.path)") }
    let bytes = Array(("#!/bin/sh\n" + script).utf8)
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    guard written == bytes.count else { throw TerraformRunnerError.setupFailed("short write to \(bin.path)") }
    var env = ProcessInfo.processInfo.environment
    env["TFCHALLENGE_TERRAFORM"] = bin.path
    env["TFCHALLENGE_HOME"] = home.path
    return TerraformRunner(paths: Paths(home: home, venv: home, resources: home), environment: env, target: .aws)
}

@Suite struct BadInputTests {
    @Test func missingTerraformIsSaidClearly() async throws {
        let home = try makeTempDir("missing")
        var env = ProcessInfo.processInfo.environment
        env["TFCHALLENGE_TERRAFORM"] = "/nonexistent/terraform"
        env["TFCHALLENGE_HOME"] = home.path
        let runner = TerraformRunner(paths: Paths(home: home, venv: home, resources: home), environment: env, target: .aws)
        #expect(throws: TerraformRunnerError.terraformNotFound(
            "terraform not found: TFCHALLENGE_TERRAFORM=/nonexistent/terraform is not an executable file")) {
            try runner.start(.plan, in: home)
        }
        env.removeValue(forKey: "TFCHALLENGE_TERRAFORM")
        env["PATH"] = home.path
        #expect(throws: TerraformRunnerError.self) {
            try TerraformRunner.locateTerraform(environment: env)
        }
        let console = CapturedConsole(environment: env.merging(["TFCHALLENGE_TERRAFORM": "/nonexistent/terraform"]) { $1 })
        let code = await Program.run(["plan", "--aws", home.path], console: console.console,
                                     paths: Paths(home: home, venv: home, resources: home))
        #expect(code == 1)
        #expect(console.stderr.contains("terraform not found"))
    }

    @Test func crashingTerraformWithNonUTF8OutputIsReportedNotFatal() async throws {
        let home = try makeTempDir("crash")
        let runner = try fakeRunner(script: #"""
        echo '{"@level":"info","@message":"Terraform 9.9.9","type":"version","terraform":"9.9.9","ui":"1.2"}'
        printf 'panic: runtime error \377\376 here\n'
        printf '{"@level":"info","@message":"no newline at the end","type":"log"}'
        echo 'stack trace line' >&2
        kill -SEGV $$
        """#, home: home)
        let run = try runner.start(.plan, in: home)
        let (events, code) = await collect(run)
        #expect(code == 128 + SIGSEGV)
        // stdout's order is kept (stderr lines interleave as they arrive).
        let stdoutEvents = events.filter { if case .stderr = $0 { return false } else { return true } }
        #expect(stdoutEvents.first == .version(terraform: "9.9.9", ui: "1.2"))
        #expect(events.contains(.raw("panic: runtime error \u{FFFD}\u{FFFD} here")))
        #expect(events.contains(.log(level: .info, message: "no newline at the end")))
        #expect(events.contains(.stderr("stack trace line")))
        #expect(events.last == .exited(code: 128 + SIGSEGV))
        #expect(events.text.contains("terraform exited with status \(128 + SIGSEGV)"))
    }

    @Test func hugeLinesAreCappedAndTheRunContinues() async throws {
        let home = try makeTempDir("huge")
        let runner = try fakeRunner(script: """
        head -c 6000000 /dev/zero | tr '\\0' 'x'
        echo
        echo '{"@level":"info","@message":"after","type":"log"}'
        """, home: home)
        let (events, code) = await collect(try runner.start(.plan, in: home))
        #expect(code == 0)
        guard case let .raw(line)? = events.first else {
            Issue.record("first event: \(String(describing: events.first))")
            return
        }
        #expect(line.contains("[line truncated: 6000000 bytes"))
        #expect(events.contains(.log(level: .info, message: "after")))
    }

    @Test func unusableWorkspacesAreNamed() async throws {
        let home = try makeTempDir("ws")
        let runner = try fakeRunner(script: "exit 0\n", home: home)
        let missing = home.appendingPathComponent("does-not-exist")
        #expect(throws: TerraformRunnerError.workspaceUnusable(
            "the workspace \(missing.path) does not exist or is not a directory")) {
            try runner.start(.plan, in: missing)
        }
        let file = home.appendingPathComponent("a-file")
        try Data().write(to: file)
        #expect(throws: TerraformRunnerError.self) { try runner.start(.plan, in: file) }
        let locked = home.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        chmod(locked.path, 0o000)
        defer { chmod(locked.path, 0o755) }
        if geteuid() == 0 {
            // root reads any directory; the check cannot be provoked, say so.
            print("note: running as root, the unreadable-workspace case cannot be provoked")
        } else {
            #expect(throws: TerraformRunnerError.workspaceUnusable(
                "the workspace \(locked.path) is not readable (permission denied)")) {
                try runner.start(.plan, in: locked)
            }
        }
    }

    @Test func aLockHolderIsNamedAndWaitingWorks() async throws {
        let dir = try makeTempDir("lock")
        let first = try WorkspaceLock(workspace: dir, command: .apply)
        first.record(command: .apply, pid: 4242)
        #expect(throws: TerraformRunnerError.busy(command: "apply", workspace: dir.path, pid: 4242)) {
            try WorkspaceLock(workspace: dir, command: .plan, wait: .milliseconds(200))
        }
        Thread.detachNewThread {
            usleep(300_000)
            first.release()
        }
        let second = try WorkspaceLock(workspace: dir, command: .plan, wait: .seconds(10))
        second.release()
    }
}

@Suite struct ProviderSetupTests {
    @Test func mirrorOrderEnvironmentThenUserConfigThenImpliedThenSystem() throws {
        let root = try makeTempDir("mirrors")
        func tree(_ dir: String) throws -> String {
            let path = root.appendingPathComponent(dir).path
            try FileManager.default.createDirectory(atPath: "\(path)/registry.terraform.io/hashicorp/aws/5.0.0",
                                                    withIntermediateDirectories: true)
            return path
        }
        let opt = root.appendingPathComponent("opt").path
        _ = try tree("opt/tf-mirror")
        let home = root.appendingPathComponent("home").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        var env = ["HOME": home, "XDG_DATA_DIRS": root.appendingPathComponent("none").path]

        var found = ProviderSetup.discoverMirrors(environment: env, optRoot: opt)
        #expect(found.0 == ["\(opt)/tf-mirror"] && found.1 == .systemLocation)

        let implied = try tree("home/.terraform.d/plugins")
        found = ProviderSetup.discoverMirrors(environment: env, optRoot: opt)
        #expect(found.0 == [implied] && found.1 == .impliedDirectories)

        let userMirror = try tree("user-mirror")
        try Data("""
        provider_installation {
          filesystem_mirror {
            path    = "\(userMirror)"
            include = ["registry.terraform.io/*/*"]
          }
          direct {}
        }
        """.utf8).write(to: URL(fileURLWithPath: "\(home)/.terraformrc"))
        found = ProviderSetup.discoverMirrors(environment: env, optRoot: opt)
        #expect(found.0 == [userMirror] && found.1 == .userConfig)

        env["TFCHALLENGE_PROVIDER_MIRROR"] = "/a:/b"
        found = ProviderSetup.discoverMirrors(environment: env, optRoot: opt)
        #expect(found.0 == ["/a", "/b"] && found.1 == .environment)

        let empty = ProviderSetup.discoverMirrors(environment: ["HOME": root.appendingPathComponent("nobody").path,
                                                                "XDG_DATA_DIRS": "/nonexistent"],
                                                  optRoot: root.appendingPathComponent("no-opt").path)
        #expect(empty.0.isEmpty && empty.1 == .none)
    }

    @Test func cliConfigSendsMirroredProvidersToTheMirrorOnly() {
        let setup = ProviderSetup(mirrors: ["/m1"], source: .environment,
                                  mirroredProviders: ["registry.terraform.io/hashicorp/aws"],
                                  pluginCacheDir: URL(fileURLWithPath: "/h/cache"),
                                  cliConfigFile: URL(fileURLWithPath: "/h/cli.tfrc"))
        #expect(setup.cliConfigText == """
        # Written by tfchallenge. Mirrors found via: environment.
        plugin_cache_dir = "/h/cache"
        provider_installation {
          filesystem_mirror {
            path    = "/m1"
            include = ["registry.terraform.io/hashicorp/aws"]
          }
          direct {
            exclude = ["registry.terraform.io/hashicorp/aws"]
          }
        }

        """)
        let none = ProviderSetup(mirrors: [], source: .none, mirroredProviders: [],
                                 pluginCacheDir: URL(fileURLWithPath: "/h/cache"), cliConfigFile: URL(fileURLWithPath: "/h/c"))
        #expect(!none.cliConfigText.contains("provider_installation"))
    }

    @Test func sandboxEnvironmentDropsInheritedAWSCredentialsAndInjectedArgs() {
        let target = TerraformTarget.sandbox(endpoint: "http://127.0.0.1:1", region: "eu-west-1",
                                             accessKeyId: "AKIDSANDBOX", secretAccessKey: "sandbox-secret")
        let env = target.environment(base: ["AWS_PROFILE": "prod", "AWS_SESSION_TOKEN": "real-token",
                                            "TF_CLI_ARGS_plan": "-lock=false", "PATH": "/bin"],
                                     cliConfigFile: URL(fileURLWithPath: "/h/cli.tfrc"))
        #expect(env["AWS_PROFILE"] == nil && env["AWS_SESSION_TOKEN"] == nil && env["TF_CLI_ARGS_plan"] == nil)
        #expect(env["AWS_ACCESS_KEY_ID"] == "AKIDSANDBOX" && env["AWS_SECRET_ACCESS_KEY"] == "sandbox-secret")
        #expect(env["TF_IN_AUTOMATION"] == "1" && env["TF_CLI_CONFIG_FILE"] == "/h/cli.tfrc" && env["PATH"] == "/bin")
        let aws = TerraformTarget.aws.environment(base: ["AWS_PROFILE": "prod"], cliConfigFile: URL(fileURLWithPath: "/c"))
        #expect(aws["AWS_PROFILE"] == "prod")
        let text = TerraformTarget.overrideText(endpoint: "http://127.0.0.1:1", region: "eu-west-1")
        #expect(!text.contains("sandbox-secret") && !text.contains("AKIDSANDBOX"))
        for service in TerraformTarget.sandboxServices { #expect(text.contains("\(service)") ) }
        #expect(text.contains("s3_use_path_style           = true"))
    }

    @Test func overrideIsWrittenOnlyOverAnAWSProviderAndRemovedForAWS() throws {
        let dir = try makeTempDir("override")
        let target = TerraformTarget.sandbox(endpoint: "http://127.0.0.1:1", region: "us-east-1",
                                             accessKeyId: "a", secretAccessKey: "b")
        let file = dir.appendingPathComponent(TerraformTarget.overrideFileName)
        try Data("output \"x\" {\n  value = 1\n}\n".utf8).write(to: dir.appendingPathComponent("main.tf"))
        #expect(try target.applyOverride(to: dir) == false)
        #expect(!FileManager.default.fileExists(atPath: file.path))
        try Data("provider \"aws\" {\n  region = \"eu-west-1\"\n}\n".utf8).write(to: dir.appendingPathComponent("providers.tf"))
        #expect(try target.applyOverride(to: dir) == true)
        #expect(FileManager.default.fileExists(atPath: file.path))
        #expect(try TerraformTarget.aws.applyOverride(to: dir) == false)
        #expect(!FileManager.default.fileExists(atPath: file.path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("providers.tf").path))
    }
}

@Suite struct HeadlessConfirmationTests {
    /// The headless apply's confirmation, with a scripted terraform (the real one is covered
    /// in TerraformIntegrationTests): a "no" runs nothing, a "yes" runs terraform and follows its status.
    @Test func applyAsksOnATerminalAndFollowsTerraformsStatus() async throws {
        let home = try makeTempDir("confirm")
        let marker = home.appendingPathComponent("ran")
        let runner = try fakeRunner(script: """
        touch '\(marker.path)'
        echo '{"@level":"info","@message":"Apply complete!","changes":{"add":1,"change":0,"import":0,"remove":0,"operation":"apply"},"type":"change_summary"}'
        exit 0
        """, home: home)
        let paths = runner.paths
        let ws = home.appendingPathComponent("ws")
        try FileManager.default.createDirectory(at: ws, withIntermediateDirectories: true)

        let no = CapturedConsole(environment: runner.environment, answers: ["n"])
        #expect(await Program.run(["apply", "--aws", ws.path], console: no.console, paths: paths) == 1)
        #expect(no.stdout.contains("terraform apply in \(ws.path) against real AWS? [y/N]"))
        #expect(no.stderr.contains("cancelled"))
        #expect(!FileManager.default.fileExists(atPath: marker.path), "terraform ran without a yes")

        let yes = CapturedConsole(environment: runner.environment, answers: ["y"])
        #expect(await Program.run(["apply", "--aws", ws.path], console: yes.console, paths: paths) == 0)
        #expect(FileManager.default.fileExists(atPath: marker.path))
        #expect(yes.stdout.contains("Apply complete! Resources: 1 added, 0 changed, 0 destroyed."))

        let raw = CapturedConsole(environment: runner.environment)
        #expect(await Program.run(["apply", "--aws", "--yes", "--raw", ws.path], console: raw.console, paths: paths) == 0)
        #expect(raw.stdout.contains(#""type":"change_summary""#))
    }
}
