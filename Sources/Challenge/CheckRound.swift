import AWSClient
import Foundation
import Sandbox
import TFCSupport

/// Where the checks run: the embedded sandbox, or real AWS.
public enum CheckTargetKind: String, Codable, Sendable, CaseIterable {
    case sandbox, aws
}

/// The client's side of a round: the endpoint, the region (nil: from the
/// outputs) and the client user's credentials.
public struct CheckTarget: Sendable {
    public var kind: CheckTargetKind
    public var region: String?
    public var endpoints: EndpointResolver
    public var credentials: any CredentialProvider

    public init(kind: CheckTargetKind, region: String?, endpoints: EndpointResolver,
                credentials: any CredentialProvider) {
        self.kind = kind
        self.region = region
        self.endpoints = endpoints
        self.credentials = credentials
    }

    /// Why a target cannot be built; the message says what to do.
    public struct Unavailable: Error, Equatable, CustomStringConvertible {
        public var code: String
        public var message: String
        public var description: String { message }
    }

    /// The running sandbox, as its seeded client user.
    public static func sandbox(_ state: SandboxState) -> CheckTarget {
        CheckTarget(kind: .sandbox, region: state.region, endpoints: .single(state.endpoint),
                    credentials: StaticCredentialProvider(Credentials(accessKeyId: state.client.accessKeyId,
                                                                      secretAccessKey: state.client.secretAccessKey)))
    }

    /// The sandbox of `paths`, if it is up.
    public static func sandbox(paths: Paths) throws(Unavailable) -> CheckTarget {
        guard let state = SandboxManager(paths: paths).current() else {
            throw Unavailable(code: "SandboxDown",
                              message: "the sandbox is not running: start it with 'tfchallenge sandbox up', then terraform apply")
        }
        return sandbox(state)
    }

    /// The environment variables naming the client's credentials on AWS.
    public enum Variables {
        public static let profile = "TFCHALLENGE_CLIENT_PROFILE"
        public static let accessKeyId = "TFCHALLENGE_CLIENT_ACCESS_KEY_ID"
        public static let secretAccessKey = "TFCHALLENGE_CLIENT_SECRET_ACCESS_KEY"
        public static let sessionToken = "TFCHALLENGE_CLIENT_SESSION_TOKEN"
        public static let region = "TFCHALLENGE_REGION"
    }

    /// Real AWS, as the client user: `TFCHALLENGE_CLIENT_PROFILE` (a profile of
    /// the shared AWS files), else `TFCHALLENGE_CLIENT_ACCESS_KEY_ID` and
    /// `TFCHALLENGE_CLIENT_SECRET_ACCESS_KEY` (+ `TFCHALLENGE_CLIENT_SESSION_TOKEN`).
    /// Never the default chain: that holds the identity terraform uses, and the
    /// checks must act as the client. Region: `TFCHALLENGE_REGION`, else the
    /// outputs' region. Endpoints: AWS's, or `AWS_ENDPOINT_URL*` when set.
    public static func aws(environment env: [String: String]) throws(Unavailable) -> CheckTarget {
        let region = env[Variables.region].flatMap { $0.isEmpty ? nil : $0 }
        if let profile = env[Variables.profile], !profile.isEmpty {
            return CheckTarget(kind: .aws, region: region, endpoints: .fromEnvironment(env),
                               credentials: SharedFilesCredentialProvider(environment: env, profile: profile))
        }
        if let id = env[Variables.accessKeyId], !id.isEmpty,
           let secret = env[Variables.secretAccessKey], !secret.isEmpty {
            let token = env[Variables.sessionToken].flatMap { $0.isEmpty ? nil : $0 }
            return CheckTarget(kind: .aws, region: region, endpoints: .fromEnvironment(env),
                               credentials: StaticCredentialProvider(Credentials(accessKeyId: id, secretAccessKey: secret,
                                                                                 sessionToken: token)))
        }
        throw Unavailable(code: "NoClientCredentials",
                          message: "no client credentials for --target aws: set \(Variables.profile) to the client user's "
                              + "profile, or \(Variables.accessKeyId) and \(Variables.secretAccessKey)")
    }
}

/// The result of `tfchallenge check`: the round's results and what they were run against.
/// Its JSON is the documented `--json` schema.
public struct CheckReport: Codable, Sendable, Equatable {
    public var version: Int = 1
    public var challenge: String?
    public var workspace: String
    public var target: CheckTargetKind
    public var passed: Bool
    public var durationMs: Int
    public var checks: [CheckResult]

    enum CodingKeys: String, CodingKey {
        case version, challenge, workspace, target, passed
        case durationMs = "duration_ms"
        case checks
    }

    public init(challenge: String?, workspace: String, target: CheckTargetKind, durationMs: Int, checks: [CheckResult]) {
        self.challenge = challenge
        self.workspace = workspace
        self.target = target
        self.durationMs = durationMs
        self.checks = checks
        self.passed = checks.count == CheckName.allCases.count && checks.allSatisfy { $0.status == .pass }
    }

    /// Every key, always: `challenge` is `null` (not absent) when there is no workspace.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(challenge, forKey: .challenge)
        try c.encode(workspace, forKey: .workspace)
        try c.encode(target, forKey: .target)
        try c.encode(passed, forKey: .passed)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(checks, forKey: .checks)
    }
}

/// One round of checks for a workspace, from its files to the report.
public enum CheckRound {
    /// Runs a round against `kind`: the sandbox of `paths` (it must be up), or
    /// AWS as the client whose credentials `environment` names.
    public static func run(workspace directory: URL, paths: Paths, targetKind kind: CheckTargetKind,
                           environment: [String: String] = ProcessInfo.processInfo.environment) async -> CheckReport {
        await run(workspace: directory, paths: paths, target: { () throws(CheckTarget.Unavailable) in
            switch kind {
            case .sandbox: return try CheckTarget.sandbox(paths: paths)
            case .aws: return try CheckTarget.aws(environment: environment)
            }
        }, targetKind: kind)
    }

    /// Runs the round. Every failure to start (no workspace, no outputs, no
    /// target) becomes `blocked` results with a message, never a thrown error.
    public static func run(workspace directory: URL, paths: Paths,
                           target: () throws(CheckTarget.Unavailable) -> CheckTarget,
                           targetKind: CheckTargetKind) async -> CheckReport {
        let started = ContinuousClock.now
        func report(_ challenge: String?, _ checks: [CheckResult]) -> CheckReport {
            CheckReport(challenge: challenge, workspace: directory.path, target: targetKind,
                        durationMs: Int((ContinuousClock.now - started).inMilliseconds), checks: checks)
        }
        func blockedAll(_ message: String, _ code: String) -> [CheckResult] {
            CheckName.allCases.map { CheckResult(name: $0, status: .blocked, errorCode: code, message: message) }
        }
        let workspace: Workspace
        let challenge: BundledChallenge
        do {
            workspace = try Workspace.open(directory)
            challenge = try ChallengeCatalog.named(workspace.marker.challenge, paths: paths)
        } catch {
            return report(nil, blockedAll(String(describing: error), "NoWorkspace"))
        }
        let checks = ChallengeChecks(manifest: challenge.manifest)
        let inputs: CheckInputs
        let resolved: CheckTarget
        do {
            resolved = try target()
        } catch {
            return report(challenge.name, checks.blocked(error.message, errorCode: error.code))
        }
        do {
            let values = try TerraformOutputs.read(directory: directory)
            inputs = try TerraformOutputs.inputs(values, manifest: challenge.manifest, region: resolved.region)
        } catch {
            return report(challenge.name, checks.blocked(error.description, errorCode: "NoOutputs"))
        }
        let config = AWSConfiguration(region: inputs.region, credentials: resolved.credentials,
                                      endpoints: resolved.endpoints, transport: AWSChecksClient.transport,
                                      retry: AWSChecksClient.retry)
        let results = await checks.run(inputs, client: AWSChecksClient(base: config))
        return report(challenge.name, results)
    }
}
