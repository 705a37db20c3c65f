import CLI
import Foundation
import SandboxTestSupport
import Testing
import TFCSupport
@testable import Challenge

/// The checks' verdicts from given replies (a scripted client), and bad input
/// end to end through `tfchallenge check`.
@Suite struct ChecksTests {
    let paths = Paths.resolve()

    struct Scripted: ClientCalls, RoleS3Calls {
        var assume: CheckCallError? = nil
        var put: Result<WriteReply, CheckCallError> = .success(WriteReply(algorithm: "aws:kms", kmsKeyId: "arn:aws:kms:us-east-1:1:key/k1"))
        var get: Result<Data, CheckCallError> = .success(Data("seed\n".utf8))
        var keys: Result<[String], CheckCallError> = .success(["seed.txt", "other"])
        var buckets: Result<[String], CheckCallError> = .failure(CheckCallError(kind: .service, code: "AccessDenied", message: "Access Denied", httpStatus: 403))

        func assumeRole(roleArn: String, sessionName: String) async throws(CheckCallError) -> any RoleS3Calls {
            if let a = assume { throw a }
            return self
        }
        func putObject(bucket: String, key: String, body: Data) async throws(CheckCallError) -> WriteReply { try put.get() }
        func getObject(bucket: String, key: String) async throws(CheckCallError) -> Data { try get.get() }
        func listObjectKeys(bucket: String) async throws(CheckCallError) -> [String] { try keys.get() }
        func listBuckets() async throws(CheckCallError) -> [String] { try buckets.get() }
    }

    let inputs = CheckInputs(bucket: "b", roleArn: "arn:aws:iam::1:role/r", kmsKeyArn: "arn:aws:kms:us-east-1:1:key/k1",
                             seedKey: "seed.txt", seedBody: "seed\n", region: "us-east-1", writeKey: "w")

    func checks() throws -> ChallengeChecks {
        ChallengeChecks(manifest: try ChallengeCatalog.named("bigcorp-s3", paths: paths).manifest)
    }

    func statuses(_ r: [CheckResult]) -> [CheckStatus] { r.map(\.status) }

    @Test func allPass() async throws {
        let r = try await checks().run(inputs, client: Scripted())
        #expect(statuses(r) == [.pass, .pass, .pass, .pass])
    }

    @Test func assumeRoleFailureBlocksAllFour() async throws {
        let denied = CheckCallError(kind: .service, code: "AccessDenied", message: "not authorized", httpStatus: 403)
        let r = try await checks().run(inputs, client: Scripted(assume: denied))
        #expect(statuses(r) == [.blocked, .blocked, .blocked, .blocked])
        #expect(r.allSatisfy { $0.message.hasPrefix("could not assume role: AccessDenied") && $0.explanation.contains("trust policy") })
    }

    @Test func wrongKeyAndNoKMSFailWrite() async throws {
        var s = Scripted()
        s.put = .success(WriteReply(algorithm: "aws:kms", kmsKeyId: "arn:aws:kms:us-east-1:1:key/other"))
        var r = try await checks().run(inputs, client: s)
        #expect(r[0].status == .fail && r[0].errorCode == "WrongKMSKey")
        s.put = .success(WriteReply(algorithm: "AES256", kmsKeyId: nil))
        r = try await checks().run(inputs, client: s)
        #expect(r[0].status == .fail && r[0].errorCode == "NotKMSEncrypted" && r[0].explanation.contains("s3.tf"))
        // A bare key id names the same key.
        s.put = .success(WriteReply(algorithm: "aws:kms", kmsKeyId: "k1"))
        r = try await checks().run(inputs, client: s)
        #expect(r[0].status == .pass)
    }

    @Test func bodyAndListingAreCompared() async throws {
        var s = Scripted()
        s.get = .success(Data("changed".utf8))
        s.keys = .success(["other"])
        let r = try await checks().run(inputs, client: s)
        #expect(r[1].status == .fail && r[1].errorCode == "BodyMismatch")
        #expect(r[2].status == .fail && r[2].errorCode == "SeedNotListed")
    }

    @Test func listBucketsAllowedNamesTheOthers() async throws {
        var s = Scripted()
        s.buckets = .success(["b", "payroll", "hr"])
        let r = try await checks().run(inputs, client: s)
        #expect(r[3].status == .fail && r[3].message.contains("payroll, hr") && !r[3].message.contains("b,"))
    }

    @Test func outagesAreErrorsNotFailures() async throws {
        var s = Scripted()
        s.put = .failure(CheckCallError(kind: .service, code: "InternalError", message: "boom", httpStatus: 500))
        s.get = .failure(CheckCallError(kind: .transport, code: "Timeout", message: "timed out"))
        s.buckets = .failure(CheckCallError(kind: .transport, code: "ConnectionReset", message: "reset"))
        s.keys = .failure(CheckCallError(kind: .service, code: "Throttling", message: "Rate exceeded", httpStatus: 400))
        let r = try await checks().run(inputs, client: s)
        #expect(statuses(r) == [.error, .error, .error, .error])
    }

    // MARK: - Bad input through the command

    func check(_ args: [String], env: [String: String] = [:], home: URL? = nil) async -> (Int32, CapturedConsole, Duration) {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("AWS_") || key.hasPrefix("TFCHALLENGE_CLIENT") { environment[key] = nil }
        environment.merge(env) { $1 }
        let console = CapturedConsole(environment: environment)
        var p = paths
        if let home { p.home = home }
        let started = ContinuousClock.now
        let code = await Program.run(["check"] + args, console: console.console, paths: p)
        return (code, console, ContinuousClock.now - started)
    }

    /// A workspace with outputs in its state file, as after an apply.
    func appliedWorkspace(_ label: String) throws -> URL {
        let dir = temporaryDirectory(label)
        try Workspace.create(try ChallengeCatalog.named("bigcorp-s3", paths: paths), at: dir)
        let state = """
        {"version": 4, "outputs": {
          "bucket_name": {"value": "bigcorp-data-drop-x", "type": "string"},
          "role_arn": {"value": "arn:aws:iam::123456789012:role/bigcorp-client-x", "type": "string"},
          "kms_key_arn": {"value": "arn:aws:kms:us-east-1:123456789012:key/k", "type": "string"},
          "seed_object_key": {"value": "welcome/README.txt", "type": "string"},
          "region": {"value": "us-east-1", "type": "string"}}}
        """
        try state.write(to: dir.appendingPathComponent("terraform.tfstate"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func noWorkspaceBlocksEveryCheck() async throws {
        let (code, out, _) = await check([temporaryDirectory("none").path, "--json"])
        #expect(code == 1)
        let report = try JSONDecoder().decode(CheckReport.self, from: Data(out.stdout.utf8))
        #expect(report.checks.count == 4 && report.checks.allSatisfy { $0.status == .blocked && $0.message.contains("no workspace at") })
    }

    @Test func noOutputsYetBlocksEveryCheck() async throws {
        let dir = temporaryDirectory("nooutputs")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Workspace.create(try ChallengeCatalog.named("bigcorp-s3", paths: paths), at: dir)
        let (code, out, _) = await check([dir.path, "--target", "aws"], env: [
            "TFCHALLENGE_CLIENT_ACCESS_KEY_ID": "AKIDEXAMPLE", "TFCHALLENGE_CLIENT_SECRET_ACCESS_KEY": "secret-not-shown"])
        #expect(code == 1)
        #expect(out.stdout.contains("no terraform outputs yet"))
        #expect(out.stdout.components(separatedBy: "BLOCKED").count == 5)
        #expect(!out.stdout.contains("secret-not-shown"))
    }

    @Test func sandboxDownBlocksEveryCheck() async throws {
        let dir = try appliedWorkspace("down")
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = temporaryDirectory("emptyhome")
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let (code, out, elapsed) = await check([dir.path, "--json"], home: home)
        #expect(code == 1)
        let report = try JSONDecoder().decode(CheckReport.self, from: Data(out.stdout.utf8))
        #expect(report.checks.allSatisfy { $0.status == .blocked && $0.errorCode == "SandboxDown" })
        #expect(report.checks[0].message.contains("tfchallenge sandbox up"))
        #expect(elapsed < .seconds(10))
    }

    @Test func missingClientCredentialsBlockEveryCheck() async throws {
        let dir = try appliedWorkspace("nocreds")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (code, out, _) = await check([dir.path, "--target", "aws"])
        #expect(code == 1)
        #expect(out.stdout.contains("no client credentials for --target aws"))
        #expect(out.stdout.contains("TFCHALLENGE_CLIENT_PROFILE"))
    }

    @Test func unreachableEndpointIsBoundedAndClear() async throws {
        let dir = try appliedWorkspace("refused")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Port 1 on loopback: nothing listens, the connection is refused.
        let (code, out, elapsed) = await check([dir.path, "--target", "aws", "--json"], env: [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:1",
            "TFCHALLENGE_CLIENT_ACCESS_KEY_ID": "AKIDEXAMPLE", "TFCHALLENGE_CLIENT_SECRET_ACCESS_KEY": "secret-not-shown"])
        #expect(code == 1)
        let report = try JSONDecoder().decode(CheckReport.self, from: Data(out.stdout.utf8))
        #expect(report.checks.allSatisfy { $0.status == .blocked && $0.message.hasPrefix("could not assume role: ") })
        #expect(report.checks[0].errorCode == "ConnectionRefused", "\(report.checks[0])")
        #expect(!out.stdout.contains("secret-not-shown"))
        #expect(elapsed < .seconds(20))
    }

    @Test func expiredClientCredentialsBlockEveryCheckWithTheirHint() async throws {
        let expired = CheckCallError(kind: .service, code: "ExpiredToken",
                                     message: "The security token included in the request is expired", httpStatus: 400)
        let r = try await checks().run(inputs, client: Scripted(assume: expired))
        #expect(statuses(r) == [.blocked, .blocked, .blocked, .blocked])
        #expect(r.allSatisfy { $0.errorCode == "ExpiredToken" && $0.message.hasPrefix("could not assume role: ExpiredToken") })
        #expect(r.allSatisfy { $0.explanation.contains("refresh the client credentials") }, "\(r[0].explanation)")
    }

    /// A client key the account does not know, against a real sandbox: refused at
    /// AssumeRole, all four blocked with the cause and its hint, quickly, no secret shown.
    @Test func unknownClientKeyIsRefusedByTheSandboxAndBlocksEveryCheck() async throws {
        let sandbox = try TestSandbox.shared()
        let dir = try appliedWorkspace("badkey")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (code, out, elapsed) = await check([dir.path, "--target", "aws", "--json"], env: [
            "AWS_ENDPOINT_URL": sandbox.endpoint, "TFCHALLENGE_REGION": sandbox.region,
            "TFCHALLENGE_CLIENT_ACCESS_KEY_ID": "AKIAUNKNOWNCLIENT000",
            "TFCHALLENGE_CLIENT_SECRET_ACCESS_KEY": "secret-not-shown-0123456789"])
        #expect(code == 1)
        let report = try JSONDecoder().decode(CheckReport.self, from: Data(out.stdout.utf8))
        #expect(report.checks.allSatisfy { $0.status == .blocked && $0.errorCode == "InvalidClientTokenId" },
                "\(report.checks[0])")
        #expect(report.checks[0].explanation.contains("client credentials"), "\(report.checks[0])")
        #expect(!out.stdout.contains("secret-not-shown-0123456789"))
        #expect(elapsed < .seconds(20))
    }

    /// `--json` keeps every documented key, even when there is nothing to report on,
    /// and README's schema names each of them.
    @Test func jsonSchemaKeysAreStableAndDocumented() async throws {
        let (code, out, _) = await check([temporaryDirectory("schema").path, "--json"])
        #expect(code == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        let topKeys: Set<String> = ["version", "challenge", "workspace", "target", "passed", "duration_ms", "checks"]
        let checkKeys: Set<String> = ["name", "status", "duration_ms", "error_code", "message", "explanation"]
        #expect(Set(json.keys) == topKeys)
        #expect(json["challenge"] is NSNull)
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(checks.map { $0["name"] as? String } == ["write", "read", "list", "isolation"])
        #expect(checks.allSatisfy { Set($0.keys) == checkKeys })
        let readme = try String(contentsOf: paths.resources.appendingPathComponent("README.md"), encoding: .utf8)
        for key in topKeys.union(checkKeys) { #expect(readme.contains("\"\(key)\":"), "README's schema lacks \(key)") }
    }

    @Test func anUnwritableJUnitFileIsAClearFailure() async throws {
        let missingDir = temporaryDirectory("nojunit").appendingPathComponent("report.xml")
        let (code, out, _) = await check([temporaryDirectory("none").path, "--junit", missingDir.path])
        #expect(code == 1)
        #expect(out.stderr.contains("cannot write \(missingDir.path)"), "\(out.stderr)")
    }

    @Test func badTargetIsAUsageError() async {
        let (code, out, _) = await check(["--target", "moon"])
        #expect(code == 2)
        #expect(out.stderr.contains("--target must be sandbox or aws"))
    }

    @Test func junitMarksFailuresAndErrors() {
        let report = CheckReport(challenge: "bigcorp-s3", workspace: "/w", target: .sandbox, durationMs: 12, checks: [
            CheckResult(name: .write, status: .fail, durationMs: 3, errorCode: "AccessDenied", message: "PutObject <x> & \"y\"", explanation: "why"),
            CheckResult(name: .read, status: .pass, durationMs: 2, message: "ok"),
            CheckResult(name: .list, status: .error, durationMs: 1, errorCode: "Timeout", message: "slow"),
            CheckResult(name: .isolation, status: .blocked, message: "could not assume role: AccessDenied"),
        ])
        let xml = CheckReportFormat.junit(report)
        #expect(xml.contains("tests=\"4\" failures=\"1\" errors=\"2\""))
        #expect(xml.contains("<failure type=\"AccessDenied\" message=\"PutObject &lt;x&gt; &amp; &quot;y&quot;\">"))
        #expect(xml.contains("<testcase classname=\"tfchallenge.bigcorp-s3\" name=\"read\" time=\"0.002\"/>"))
        #expect(!report.passed)
    }

    @Test func outputsComeFromTheSelectedWorkspacesState() throws {
        let dir = try appliedWorkspace("tfws")
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = try ChallengeCatalog.named("bigcorp-s3", paths: paths).manifest
        let values = try TerraformOutputs.read(directory: dir)
        let inputs = try TerraformOutputs.inputs(values, manifest: m)
        #expect(inputs.bucket == "bigcorp-data-drop-x" && inputs.seedBody == m.seedObject.body)
        #expect(try TerraformOutputs.inputs(values, manifest: m, region: "eu-west-1").region == "eu-west-1")

        // A selected terraform workspace without state yet: no outputs.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(".terraform"), withIntermediateDirectories: true)
        try "staging\n".write(to: dir.appendingPathComponent(".terraform/environment"), atomically: true, encoding: .utf8)
        #expect(throws: TerraformOutputs.Problem.noState(dir.path)) { try TerraformOutputs.read(directory: dir) }

        // An output removed from outputs.tf is named.
        #expect(throws: TerraformOutputs.Problem.missing(["role_arn"])) {
            try TerraformOutputs.inputs(["bucket_name": "b", "kms_key_arn": "k"], manifest: m)
        }
    }
}
