import CLI
import Foundation
import Testing
@testable import Sandbox
import SandboxTestSupport
import TFCSupport

/// `tfchallenge sandbox ...` through the real command table, against real servers.
@Suite(.serialized) struct SandboxCommandTests {
    func run(_ args: [String], _ paths: Paths) async -> (code: Int32, out: String, err: String) {
        let captured = CapturedConsole(environment: [:])
        let code = await Program.run(args, console: captured.console, paths: paths)
        return (code, captured.stdout, captured.stderr)
    }

    @Test func upStatusEnvDownThroughTheCLI() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let up = await run(["sandbox", "up"], f.paths)
        #expect(up.code == 0)
        let state = try #require(f.manager.readState())
        #expect(up.out.contains("sandbox up at \(state.endpoint) (pid \(state.pid)"))
        let again = await run(["sandbox", "up"], f.paths)
        #expect(again.code == 0)
        #expect(again.out == "sandbox already up at \(state.endpoint) (pid \(state.pid))\n")
        let status = await run(["sandbox", "status"], f.paths)
        #expect(status.code == 0)
        #expect(status.out.hasPrefix("sandbox up at \(state.endpoint) (pid \(state.pid), started "))
        for output in [up.out + up.err, again.out + again.err, status.out + status.err] {
            for secret in [state.admin.accessKeyId, state.admin.secretAccessKey,
                           state.client.accessKeyId, state.client.secretAccessKey] {
                #expect(!output.contains(secret))
            }
        }

        let adminEnv = await run(["sandbox", "env"], f.paths)
        #expect(adminEnv.code == 0)
        #expect(adminEnv.out.contains("export AWS_ACCESS_KEY_ID='\(state.admin.accessKeyId)'"))
        #expect(adminEnv.out.contains("export AWS_SECRET_ACCESS_KEY='\(state.admin.secretAccessKey)'"))
        #expect(adminEnv.out.contains("export AWS_REGION='us-east-1'"))
        #expect(adminEnv.out.contains("export AWS_ENDPOINT_URL='\(state.endpoint)'"))
        let clientEnv = await run(["sandbox", "env", "--client"], f.paths)
        #expect(clientEnv.code == 0)
        #expect(clientEnv.out.contains("export AWS_ACCESS_KEY_ID='\(state.client.accessKeyId)'"))
        #expect(!clientEnv.out.contains(state.admin.secretAccessKey))

        // The exports work for a user's own tools: boto3 from the venv, in a shell that evals them.
        let script = """
        import boto3, json
        print(boto3.client("sts").get_caller_identity()["Arn"])
        try:
            boto3.client("s3").list_buckets()
            print("listed")
        except Exception as e:
            print(e.response["Error"]["Code"])
        """
        let shell = "eval \"$1\"; exec \"$2\" -c \"$3\""
        let asClient = try runProcess("/bin/sh", ["-c", shell, "sh", clientEnv.out, f.paths.python.path, script])
        #expect(asClient == "\(state.clientUserArn)\nAccessDenied\n")
        let asAdmin = try runProcess("/bin/sh", ["-c", shell, "sh", adminEnv.out, f.paths.python.path, script])
        #expect(asAdmin == "arn:aws:iam::\(state.accountId):user/tfchallenge-admin\nlisted\n")

        let down = await run(["sandbox", "down"], f.paths)
        #expect(down.code == 0)
        #expect(down.out.contains("sandbox stopped"))
        #expect(!POSIX.isAlive(state.pid) && !POSIX.groupExists(state.pid))
        let statusDown = await run(["sandbox", "status"], f.paths)
        #expect(statusDown.code == 1)
        #expect(statusDown.out == "sandbox down\n")
        let envDown = await run(["sandbox", "env"], f.paths)
        #expect(envDown.code == 1)
        #expect(envDown.err.contains("tfchallenge sandbox up"))
        let downAgain = await run(["sandbox", "down"], f.paths)
        #expect(downAgain.code == 0 && downAgain.out == "sandbox was not running\n")
    }

    @Test func upWithoutAVenvFailsClearlyAndLeavesNoState() async throws {
        let f = try Fixture(venv: URL(fileURLWithPath: "/nonexistent/tfchallenge-venv"))
        defer { f.cleanUp() }
        let up = await run(["sandbox", "up"], f.paths)
        #expect(up.code == 1)
        #expect(up.err.contains("run scripts/setup"))
        #expect(up.err.contains("/nonexistent/tfchallenge-venv/bin/python3"))
        #expect(!f.stateExists)
    }

    @Test func upWhenTheServerFailsToStartSaysWhatToRunAndLeavesNoState() async throws {
        let f0 = try Fixture()
        let venv = try f0.fakeVenv("echo 'ModuleNotFoundError: No module named moto' >&2\nexit 1")
        let f = Fixture(home: f0, venv: venv)
        defer { f.cleanUp() }
        let up = await run(["sandbox", "up"], f.paths)
        #expect(up.code == 1)
        #expect(up.err.contains("No module named moto"), "\(up.err)")
        #expect(up.err.contains("scripts/setup"), "\(up.err)")
        #expect(!f.stateExists)
        let left = try FileManager.default.contentsOfDirectory(atPath: f.home.path)
        #expect(!left.contains { $0.hasPrefix(".sandbox.json") }, "half-written state: \(left)")
        let pid = try Fixture.fakePid(venv)
        #expect(!POSIX.isAlive(pid) && !POSIX.groupExists(pid))
        let status = await run(["sandbox", "status"], f.paths)
        #expect(status.code == 1 && status.out == "sandbox down\n")
    }

    @Test func unknownSubcommandExitsTwo() async throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let bad = await run(["sandbox", "frob"], f.paths)
        #expect(bad.code == 2)
        #expect(bad.err.contains("unknown subcommand 'frob'"))
        #expect(bad.err.contains("sandbox up|down|status|env"), "usage follows the message: \(bad.err)")
        let none = await run(["sandbox"], f.paths)
        #expect(none.code == 2)
        let flag = await run(["sandbox", "up", "--client"], f.paths)
        #expect(flag.code == 2)
        #expect(!f.stateExists)
    }

    /// Runs a program to completion; returns its stdout.
    func runProcess(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("AWS_") { environment.removeValue(forKey: key) }
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
