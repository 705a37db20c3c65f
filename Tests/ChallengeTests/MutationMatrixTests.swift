import CLI
import Foundation
@testable import Sandbox
import SandboxTestSupport
import Testing
import TFCSupport
@testable import Challenge

/// The mutation matrix, for real: terraform (through the product's runner) applies the solution, then the
/// solution with exactly one planted problem put back, against the sandbox,
/// and the checks run as the client after each apply. Each row must fail
/// exactly the expected checks, for the expected reason.
///
/// One sandbox and one workspace, re-applied row after row (each apply changes
/// only what the row changed), so the whole matrix costs one init and seven applies.
@Suite(.serialized) struct MutationMatrixTests {
    let paths = Paths.resolve()

    /// What one check must report in a row.
    struct Expect {
        var status: CheckStatus
        var code: String? = nil
        var message: String? = nil
        var explanation: String? = nil
    }

    static let pass = Expect(status: .pass)

    /// P6 in this challenge swaps the resources of s3:ListBucket and s3:GetObject,
    /// so BOTH read and list fail.
    static let rows: [(id: String, expect: [CheckName: Expect])] = [
        ("solution", [.write: pass, .read: pass, .list: pass, .isolation: pass]),
        ("P2", Dictionary(uniqueKeysWithValues: CheckName.allCases.map {
            ($0, Expect(status: .blocked, code: "AccessDenied", message: "could not assume role: AccessDenied",
                        explanation: "trust policy"))
        })),
        ("P3", [.write: Expect(status: .fail, code: "AccessDenied", explanation: "only the read policy is attached"),
                .read: pass, .list: pass, .isolation: pass]),
        ("P4", [.write: Expect(status: .fail, code: "NotKMSEncrypted", message: "AES256", explanation: "s3.tf"),
                .read: pass, .list: pass, .isolation: pass]),
        ("P5", [.write: Expect(status: .fail, code: "AccessDenied", message: "kms:GenerateDataKey",
                               explanation: "may not use the KMS key"),
                .read: Expect(status: .fail, code: "AccessDenied", message: "kms:Decrypt",
                              explanation: "may not decrypt with the KMS key"),
                .list: pass, .isolation: pass]),
        ("P6", [.write: pass,
                .read: Expect(status: .fail, code: "AccessDenied", explanation: "s3:GetObject acts on objects"),
                .list: Expect(status: .fail, code: "AccessDenied", explanation: "s3:ListBucket acts on the bucket"),
                .isolation: pass]),
        ("P7", [.write: pass, .read: pass, .list: pass,
                .isolation: Expect(status: .fail, code: "ListBucketsAllowed", message: "bigcorp-payroll-exports",
                                   explanation: "s3:ListAllMyBuckets")]),
    ]

    func verify(_ row: String, _ results: [CheckResult], _ expect: [CheckName: Expect]) {
        #expect(results.map(\.name) == CheckName.allCases, "\(row): results out of order")
        for r in results {
            guard let e = expect[r.name] else { continue }
            let context = "\(row) \(r.name.rawValue): \(r.status.rawValue) \(r.errorCode ?? "-") \(r.message) | \(r.explanation)"
            #expect(r.status == e.status, Comment(rawValue: context))
            if e.status == .pass {
                #expect(r.errorCode == nil && r.explanation.isEmpty, Comment(rawValue: context))
            }
            if let code = e.code { #expect(r.errorCode == code, Comment(rawValue: context)) }
            if let m = e.message { #expect(r.message.contains(m), Comment(rawValue: context)) }
            if let x = e.explanation { #expect(r.explanation.contains(x), Comment(rawValue: context)) }
        }
    }

    func write(_ files: [String: String], to dir: URL) throws {
        for (file, text) in files {
            let url = dir.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    @Test func startingAndSolvedFilesAreTerraformFormatted() async throws {
        guard let terraform = TerraformHarness.locate() else {
            TerraformHarness.missing("terraform fmt of the challenge")
            return
        }
        let sandbox = try TestSandbox.shared()
        let tf = try TerraformHarness(terraform: terraform, sandbox: sandbox)
        defer { tf.cleanUp() }
        let challenge = try ChallengeCatalog.named("bigcorp-s3", paths: paths)
        for solved in [false, true] {
            let dir = temporaryDirectory("fmt")
            defer { try? FileManager.default.removeItem(at: dir) }
            try Workspace.create(challenge, at: dir, solution: solved)
            let fmt = try await tf.run(["fmt", "-check", "-recursive", "-no-color"], in: dir, timeout: .seconds(60))
            #expect(fmt.status == 0, "not formatted (solution: \(solved)): \(fmt.stdout)")
        }
    }

    @Test func startingCodeFailsAtPlanInMainTf() async throws {
        guard let terraform = TerraformHarness.locate() else {
            TerraformHarness.missing("the starting code's plan")
            return
        }
        let sandbox = try TestSandbox.shared()
        let tf = try TerraformHarness(terraform: terraform, sandbox: sandbox)
        defer { tf.cleanUp() }
        let dir = temporaryDirectory("p1")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Workspace.create(try ChallengeCatalog.named("bigcorp-s3", paths: paths), at: dir)
        let initRun = try await tf.runner(.`init`, in: dir, home: tf.configDir)
        try #require(initRun.status == 0, "terraform init failed: \(initRun.stderr)")
        let plan = try await tf.runner(.plan, in: dir, home: tf.configDir)
        #expect(plan.status != 0)
        let errors = plan.diagnostics.filter { $0.severity == .error }
        #expect(!errors.isEmpty, "no error diagnostic: \(plan.stderr.suffix(2000))")
        #expect(errors.allSatisfy { $0.filename == "main.tf" }, "diagnostics: \(errors)")
        #expect(errors.contains { $0.summary.contains("Missing required argument") }, "diagnostics: \(errors)")
    }

    @Test func solutionPassesAndEachPlantedProblemFailsExactlyItsChecks() async throws {
        guard let terraform = TerraformHarness.locate() else {
            TerraformHarness.missing("the mutation matrix")
            return
        }
        // A sandbox of this test's own home, so that `tfchallenge check` finds it as a user's would.
        let home = try TestSandbox.temporaryHome("matrix")
        defer { try? FileManager.default.removeItem(at: home) }
        let ownPaths = TestSandbox.paths(home: home)
        let manager = SandboxManager(paths: ownPaths, exitWithParent: true)
        let sandbox = try manager.up().state
        defer { _ = try? manager.down() }
        let tf = try TerraformHarness(terraform: terraform, sandbox: sandbox)
        defer { tf.cleanUp() }
        let challenge = try ChallengeCatalog.named("bigcorp-s3", paths: paths)
        let solution = try ChallengeSolution.load(for: challenge)
        let dir = temporaryDirectory("matrix")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Workspace.create(challenge, at: dir, solution: true)
        let initRun = try await tf.runner(.`init`, in: dir, home: home)
        try #require(initRun.status == 0, "terraform init failed: \(initRun.stderr)")

        for (row, expect) in Self.rows {
            let putBack = row == "solution" ? [] : [row]
            try write(try solution.files(of: challenge, putBack: putBack), to: dir)
            let apply = try await tf.runner(.apply, in: dir, home: home)
            try #require(apply.status == 0, "\(row): terraform apply failed: \(apply.stderr.suffix(3000))")
            let report = await CheckRound.run(workspace: dir, paths: paths, target: { .sandbox(sandbox) },
                                              targetKind: .sandbox)
            verify(row, report.checks, expect)
            #expect(report.passed == (row == "solution"), "\(row)")

            if row == "solution" {
                try await cliChecksOnTheSolvedWorkspace(dir, sandbox, ownPaths)
            }
        }

        try write(try solution.files(of: challenge, putBack: []), to: dir)
        try await applyAfterTheSandboxDied(dir, manager, ownPaths)
    }

    /// The sandbox dies (its resources lived in memory) while the workspace's
    /// terraform state still names them: `sandbox status` says they are gone, and
    /// the next `tfchallenge apply` (which must take the restarted sandbox's new
    /// credentials, nothing cached) recreates them and the checks pass 4/4.
    func applyAfterTheSandboxDied(_ dir: URL, _ manager: SandboxManager, _ ownPaths: Paths) async throws {
        let old = try #require(manager.current())
        #expect(kill(-old.pid, SIGKILL) == 0)
        let deadline = ContinuousClock.now + .seconds(10)
        while POSIX.isAlive(old.pid), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!POSIX.isAlive(old.pid))

        let status = CapturedConsole()
        #expect(await Program.run(["sandbox", "status"], console: status.console, paths: ownPaths) == 1)
        #expect(status.stdout.contains("its resources are gone"), "\(status.stdout)")

        let restarted = try manager.up().state
        #expect(restarted.pid != old.pid)
        #expect(restarted.admin.accessKeyId != old.admin.accessKeyId)

        let apply = CapturedConsole()
        let code = await Program.run(["apply", dir.path, "--yes"], console: apply.console, paths: ownPaths)
        let transcript = "\(apply.stdout.suffix(3000)) \(apply.stderr.suffix(3000))"
        #expect(code == 0, Comment(rawValue: transcript))
        #expect(apply.stdout.contains("Apply complete!"), Comment(rawValue: transcript))
        #expect(!apply.stdout.contains("Resources: 0 added"), Comment(rawValue: transcript))
        #expect(apply.stdout.contains("bigcorp-s3 on sandbox: 4/4 checks pass"), Comment(rawValue: transcript))
        #expect(!apply.stderr.contains("starting the sandbox"), "apply used the restarted sandbox")
        for secret in [old.admin.secretAccessKey, restarted.admin.secretAccessKey, restarted.client.secretAccessKey] {
            #expect(!apply.stdout.contains(secret) && !apply.stderr.contains(secret))
        }
    }

    /// `tfchallenge check --target aws` pointed at the sandbox through the
    /// documented variables: the CLI, JSON, JUnit and bad client credentials.
    func cliChecksOnTheSolvedWorkspace(_ dir: URL, _ sandbox: SandboxState, _ ownPaths: Paths) async throws {
        // The default target: the sandbox of the home, as its seeded client user.
        let plain = CapturedConsole()
        let plainCode = await Program.run(["check", dir.path], console: plain.console, paths: ownPaths)
        #expect(plainCode == 0, "\(plain.stdout) \(plain.stderr)")
        #expect(plain.stdout.contains("bigcorp-s3 on sandbox: 4/4 checks pass"), "\(plain.stdout)")
        #expect(plain.stdout.components(separatedBy: "PASS").count == 5)

        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("AWS_") || key.hasPrefix("TFCHALLENGE_CLIENT") { env[key] = nil }
        env["AWS_ENDPOINT_URL"] = sandbox.endpoint
        env["TFCHALLENGE_CLIENT_ACCESS_KEY_ID"] = sandbox.client.accessKeyId
        env["TFCHALLENGE_CLIENT_SECRET_ACCESS_KEY"] = sandbox.client.secretAccessKey
        let junit = dir.appendingPathComponent("report.xml")
        let console = CapturedConsole(environment: env)
        let code = await Program.run(["check", dir.path, "--target", "aws", "--json", "--junit", junit.path],
                                     console: console.console, paths: paths)
        #expect(code == 0, "\(console.stdout) \(console.stderr)")
        let report = try JSONDecoder().decode(CheckReport.self, from: Data(console.stdout.utf8))
        #expect(report.passed && report.target == .aws && report.checks.count == 4)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(console.stdout.utf8)) as? [String: Any])
        let first = try #require((json["checks"] as? [[String: Any]])?.first)
        #expect(Set(first.keys) == ["name", "status", "duration_ms", "error_code", "message", "explanation"])
        let xml = try String(contentsOf: junit, encoding: .utf8)
        #expect(xml.contains("<testsuite name=\"tfchallenge.bigcorp-s3\" tests=\"4\" failures=\"0\" errors=\"0\""))
        #expect(!console.stdout.contains(sandbox.client.secretAccessKey))

        // A wrong secret: every check blocked, the cause named, no secret shown.
        env["TFCHALLENGE_CLIENT_SECRET_ACCESS_KEY"] = "wrong-secret-0123456789012345678901234567"
        let bad = CapturedConsole(environment: env)
        let badCode = await Program.run(["check", dir.path, "--target", "aws"], console: bad.console, paths: paths)
        #expect(badCode == 1)
        #expect(bad.stdout.contains("BLOCKED"))
        #expect(bad.stdout.contains("could not assume role: SignatureDoesNotMatch"), "\(bad.stdout)")
        #expect(!bad.stdout.contains("wrong-secret-0123456789012345678901234567"))
    }
}
