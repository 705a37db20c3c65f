import AWSClient
import Foundation
import Sandbox
import SandboxTestSupport
import TFCSupport

/// The shared test sandbox (a real moto server with signatures and IAM enforced), plus what these tests add
/// to its account, created as the admin through this client (IAM over the query protocol, signed by our
/// signer): a bucket of their own, an inline policy letting the seeded client user use that bucket (and only
/// it), and two roles the client may assume (read-write and read-only on that bucket).
final class SandboxFixture: Sendable {
    let state: SandboxState
    let admin: Credentials
    let client: Credentials
    let roleArn: String
    let readOnlyRoleArn: String
    let bucket: String
    /// A seeded bucket the client must not see.
    let otherBucket: String

    init(state: SandboxState, roleArn: String, readOnlyRoleArn: String, bucket: String, otherBucket: String) {
        self.state = state
        self.admin = Credentials(accessKeyId: state.admin.accessKeyId, secretAccessKey: state.admin.secretAccessKey)
        self.client = Credentials(accessKeyId: state.client.accessKeyId, secretAccessKey: state.client.secretAccessKey)
        self.roleArn = roleArn
        self.readOnlyRoleArn = readOnlyRoleArn
        self.bucket = bucket
        self.otherBucket = otherBucket
    }

    var accountId: String { state.accountId }
    var clientUserName: String { state.clientUserName }
    var endpoint: String { state.endpoint }

    /// The tests' own transport, so they do not depend on `CurlTransport.shared`.
    static let transport = CurlTransport(options: TransportOptions(connectTimeout: 2, timeout: 20))

    func config(_ credentials: Credentials, retry: RetryPolicy = .none) -> AWSConfiguration {
        AWSConfiguration(region: state.region, credentials: credentials, endpoints: .single(endpoint),
                         transport: Self.transport, retry: retry)
    }

    static let shared = Task<SandboxFixture, Error> { try await setUp() }
    static func get() async throws -> SandboxFixture { try await shared.value }

    static func setUp() async throws -> SandboxFixture {
        // Starting the sandbox blocks for a few seconds: do it off the cooperative pool.
        let state: SandboxState = try await withCheckedThrowingContinuation { cont in
            DispatchQueue.global().async { cont.resume(with: Result { try TestSandbox.shared() }) }
        }
        guard let other = state.otherBuckets.first else { throw FixtureError("the sandbox seeded no other buckets") }
        let suffix = String(UUID().uuidString.lowercased().prefix(8))
        let bucket = "aws-client-tests-\(suffix)"
        let adminCreds = Credentials(accessKeyId: state.admin.accessKeyId, secretAccessKey: state.admin.secretAccessKey)
        let adminConfig = AWSConfiguration(region: state.region, credentials: adminCreds,
                                           endpoints: .single(state.endpoint), transport: transport, retry: .none)
        try await S3(adminConfig).createBucket(bucket)
        let iam = IAMTestClient(adminConfig)
        let bucketAccess = """
            {"Effect":"Allow","Action":["s3:ListBucket","s3:GetBucketEncryption"],"Resource":"arn:aws:s3:::\(bucket)"},
            {"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::\(bucket)/*"}
            """
        try await iam.putUserPolicy(state.clientUserName, name: "aws-client-tests-\(suffix)",
                                    policy: #"{"Version":"2012-10-17","Statement":["# + bucketAccess + "]}")
        let trust = """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
              "Principal":{"AWS":"\(state.clientUserArn)"},"Action":"sts:AssumeRole"}]}
            """
        let roleArn = try await iam.createRole("aws-client-tests-rw-\(suffix)", trust: trust, policy: """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["s3:ListAllMyBuckets"],"Resource":"*"}, \(bucketAccess)]}
            """)
        let readOnly = try await iam.createRole("aws-client-tests-ro-\(suffix)", trust: trust, policy: """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::\(bucket)/*"}]}
            """)
        return SandboxFixture(state: state, roleArn: roleArn, readOnlyRoleArn: readOnly, bucket: bucket,
                              otherBucket: other)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// The few IAM calls the tests need, over the query protocol.
struct IAMTestClient {
    let iam: QueryService
    init(_ config: AWSConfiguration) { iam = QueryService(service: "iam", version: "2010-05-08", config: config) }

    func putUserPolicy(_ user: String, name: String, policy: String) async throws {
        _ = try await iam.call("PutUserPolicy", [("UserName", user), ("PolicyName", name), ("PolicyDocument", policy)])
    }

    func createRole(_ name: String, trust: String, policy: String) async throws -> String {
        let (xml, _) = try await iam.call("CreateRole", [("RoleName", name), ("AssumeRolePolicyDocument", trust)])
        guard let arn = xml.find("Role")?.value("Arn") else { throw FixtureError("CreateRole: no Arn") }
        _ = try await iam.call("PutRolePolicy", [("RoleName", name), ("PolicyName", "\(name)-policy"),
                                                 ("PolicyDocument", policy)])
        return arn
    }
}
