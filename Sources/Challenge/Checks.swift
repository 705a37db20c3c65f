import Foundation
import TFCSupport

/// A failed AWS call as the checks see it: AWS's error code (or a transport
/// code of the client's own, like `ConnectionRefused`), a message without
/// secrets, and whether AWS itself answered.
public struct CheckCallError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// AWS answered with an error document (AccessDenied, NoSuchKey, ...).
        case service
        /// The call did not complete, or the reply was not understood.
        case transport
        /// No or unusable credentials.
        case credentials
    }

    public var kind: Kind
    public var code: String
    public var message: String
    public var httpStatus: Int?

    public init(kind: Kind, code: String, message: String, httpStatus: Int? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
    }

    /// Whether this is the service's verdict on the caller's permissions or
    /// resources (a 4xx answer), as opposed to an outage.
    public var isVerdict: Bool {
        kind == .service && (httpStatus.map { $0 < 500 && $0 != 429 } ?? true) && !Self.throttlingCodes.contains(code)
    }

    /// Codes that mean "slow down", not "no".
    static let throttlingCodes: Set<String> = ["Throttling", "ThrottlingException", "ThrottledException",
                                               "RequestLimitExceeded", "SlowDown", "TooManyRequestsException",
                                               "RequestThrottled", "RequestThrottledException"]
}

/// What PutObject reported about encryption.
public struct WriteReply: Sendable, Equatable {
    public var algorithm: String?
    public var kmsKeyId: String?
    public init(algorithm: String?, kmsKeyId: String?) {
        self.algorithm = algorithm
        self.kmsKeyId = kmsKeyId
    }
}

/// The S3 calls of the checks, made with the assumed role's credentials.
public protocol RoleS3Calls: Sendable {
    func putObject(bucket: String, key: String, body: Data) async throws(CheckCallError) -> WriteReply
    func getObject(bucket: String, key: String) async throws(CheckCallError) -> Data
    func listObjectKeys(bucket: String) async throws(CheckCallError) -> [String]
    func listBuckets() async throws(CheckCallError) -> [String]
}

/// The client's side: assume the role and get S3 calls acting as it.
public protocol ClientCalls: Sendable {
    func assumeRole(roleArn: String, sessionName: String) async throws(CheckCallError) -> any RoleS3Calls
}

/// The inputs of a check round, from the workspace's terraform outputs and the manifest.
public struct CheckInputs: Sendable, Equatable {
    public var bucket: String
    public var roleArn: String
    public var kmsKeyArn: String
    public var seedKey: String
    public var seedBody: String
    public var region: String
    public var writeKey: String

    public init(bucket: String, roleArn: String, kmsKeyArn: String, seedKey: String, seedBody: String,
                region: String, writeKey: String) {
        self.bucket = bucket
        self.roleArn = roleArn
        self.kmsKeyArn = kmsKeyArn
        self.seedKey = seedKey
        self.seedBody = seedBody
        self.region = region
        self.writeKey = writeKey
    }
}

/// The four live checks. As the client user: assume the role (when that fails
/// every check is blocked), then write, read, list and isolation concurrently.
public struct ChallengeChecks: Sendable {
    public var manifest: ChallengeManifest
    public var clock: @Sendable () -> ContinuousClock.Instant

    public init(manifest: ChallengeManifest, clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.manifest = manifest
        self.clock = clock
    }

    /// Every check `blocked` with the same message (missing inputs, no credentials, ...).
    public func blocked(_ message: String, errorCode: String? = nil, explanation: String = "") -> [CheckResult] {
        CheckName.allCases.map {
            CheckResult(name: $0, status: .blocked, durationMs: 0, errorCode: errorCode, message: message,
                        explanation: explanation)
        }
    }

    /// Runs a round. Results come in `CheckName.allCases` order.
    public func run(_ inputs: CheckInputs, client: any ClientCalls) async -> [CheckResult] {
        let session: any RoleS3Calls
        let started = clock()
        do {
            session = try await client.assumeRole(roleArn: inputs.roleArn, sessionName: "tfchallenge-checks")
        } catch {
            let explanation = manifest.explanation(check: "assume", errorCode: error.code, message: error.message)
                ?? (error.isVerdict ? "" : "The check could not reach AWS: see the message.")
            var results = blocked("could not assume role: \(error.code)", errorCode: error.code,
                                  explanation: explanation)
            let ms = milliseconds(since: started)
            for i in results.indices {
                results[i].durationMs = ms
                results[i].message = "could not assume role: \(error.code): \(error.message)"
            }
            return results
        }
        async let write = timed(.write) { await self.write(inputs, session) }
        async let read = timed(.read) { await self.read(inputs, session) }
        async let list = timed(.list) { await self.list(inputs, session) }
        async let isolation = timed(.isolation) { await self.isolation(inputs, session) }
        return await [write, read, list, isolation]
    }

    private func timed(_ name: CheckName, _ body: @Sendable () async -> CheckResult) async -> CheckResult {
        let started = clock()
        var result = await body()
        result.durationMs = milliseconds(since: started)
        if result.status != .pass && result.explanation.isEmpty {
            result.explanation = manifest.explanation(check: name.rawValue, errorCode: result.errorCode,
                                                      message: result.message) ?? ""
        }
        return result
    }

    private func milliseconds(since start: ContinuousClock.Instant) -> Int {
        Int((clock() - start).inMilliseconds)
    }

    /// A failed call: a verdict of AWS fails the check; anything else is an error.
    func failure(_ name: CheckName, _ what: String, _ e: CheckCallError) -> CheckResult {
        CheckResult(name: name, status: e.isVerdict ? .fail : .error, errorCode: e.code,
                    message: "\(what): \(e.code): \(e.message)")
    }

    func write(_ inputs: CheckInputs, _ s3: any RoleS3Calls) async -> CheckResult {
        let body = Data("written by the tfchallenge write check\n".utf8)
        let reply: WriteReply
        do {
            reply = try await s3.putObject(bucket: inputs.bucket, key: inputs.writeKey, body: body)
        } catch {
            return failure(.write, "PutObject \(inputs.writeKey)", error)
        }
        guard reply.algorithm == "aws:kms" else {
            return CheckResult(name: .write, status: .fail, errorCode: "NotKMSEncrypted",
                               message: "PutObject worked but the object is encrypted with \(reply.algorithm ?? "nothing"), not aws:kms")
        }
        guard let keyId = reply.kmsKeyId, Self.sameKey(keyId, inputs.kmsKeyArn) else {
            return CheckResult(name: .write, status: .fail, errorCode: "WrongKMSKey",
                               message: "PutObject worked but the object is encrypted with \(reply.kmsKeyId ?? "an unnamed key"), not \(inputs.kmsKeyArn)")
        }
        return CheckResult(name: .write, status: .pass,
                           message: "PutObject \(inputs.writeKey): encrypted with aws:kms and the challenge's key")
    }

    func read(_ inputs: CheckInputs, _ s3: any RoleS3Calls) async -> CheckResult {
        let data: Data
        do {
            data = try await s3.getObject(bucket: inputs.bucket, key: inputs.seedKey)
        } catch {
            return failure(.read, "GetObject \(inputs.seedKey)", error)
        }
        guard String(decoding: data, as: UTF8.self) == inputs.seedBody else {
            return CheckResult(name: .read, status: .fail, errorCode: "BodyMismatch",
                               message: "GetObject \(inputs.seedKey) worked but returned \(data.count) bytes that differ from the seed")
        }
        return CheckResult(name: .read, status: .pass, message: "GetObject \(inputs.seedKey): the seed object's content")
    }

    func list(_ inputs: CheckInputs, _ s3: any RoleS3Calls) async -> CheckResult {
        let keys: [String]
        do {
            keys = try await s3.listObjectKeys(bucket: inputs.bucket)
        } catch {
            return failure(.list, "ListObjectsV2 \(inputs.bucket)", error)
        }
        guard keys.contains(inputs.seedKey) else {
            return CheckResult(name: .list, status: .fail, errorCode: "SeedNotListed",
                               message: "ListObjectsV2 \(inputs.bucket) worked but \(inputs.seedKey) is not among its \(keys.count) keys")
        }
        return CheckResult(name: .list, status: .pass, message: "ListObjectsV2 \(inputs.bucket): \(keys.count) keys, the seed among them")
    }

    func isolation(_ inputs: CheckInputs, _ s3: any RoleS3Calls) async -> CheckResult {
        do {
            let buckets = try await s3.listBuckets()
            let others = buckets.filter { $0 != inputs.bucket }
            let shown = others.prefix(5).joined(separator: ", ") + (others.count > 5 ? ", ..." : "")
            return CheckResult(name: .isolation, status: .fail, errorCode: "ListBucketsAllowed",
                               message: "ListBuckets was allowed: the role sees \(buckets.count) buckets"
                                   + (others.isEmpty ? "" : ", other clients' among them: \(shown)"))
        } catch where error.code == "AccessDenied" {
            return CheckResult(name: .isolation, status: .pass, message: "ListBuckets refused (AccessDenied)")
        } catch {
            return CheckResult(name: .isolation, status: error.isVerdict ? .fail : .error, errorCode: error.code,
                               message: "ListBuckets: expected AccessDenied, got \(error.code): \(error.message)")
        }
    }

    /// Whether a key id reported by S3 (an ARN, or a bare id) names the key `arn`.
    static func sameKey(_ reported: String, _ arn: String) -> Bool {
        if reported == arn { return true }
        guard let id = arn.split(separator: "/").last else { return false }
        return reported == String(id) || reported.hasSuffix(":key/\(id)")
    }
}
