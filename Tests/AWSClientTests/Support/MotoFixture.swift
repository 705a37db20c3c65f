import AWSClient
import Foundation
import TFCSupport
import Testing

/// A moto server on loopback for the client's tests, seeded through the client itself (IAM over the query
/// protocol, signed by our signer), then switched to enforcing signatures and IAM policies.
///
/// Started once per test process and shared. The server watches its parent and exits with it, so no process
/// outlives the tests.
final class MotoFixture: Sendable {
    static let accountId = "123456789012"
    static let region = "us-east-1"
    static let clientUserName = "terraform-challenge"

    let endpoint: String
    let admin: Credentials
    let client: Credentials
    let roleArn: String
    let readOnlyRoleArn: String
    let bucket: String
    let otherBucket: String
    let process: Process

    init(endpoint: String, admin: Credentials, client: Credentials, roleArn: String, readOnlyRoleArn: String,
         bucket: String, otherBucket: String, process: Process) {
        self.endpoint = endpoint
        self.admin = admin
        self.client = client
        self.roleArn = roleArn
        self.readOnlyRoleArn = readOnlyRoleArn
        self.bucket = bucket
        self.otherBucket = otherBucket
        self.process = process
    }

    /// A fresh transport per test process keeps tests independent of `CurlTransport.shared`.
    static let transport = CurlTransport(options: TransportOptions(connectTimeout: 2, timeout: 20))

    func config(_ credentials: Credentials, retry: RetryPolicy = .none) -> AWSConfiguration {
        AWSConfiguration(region: Self.region, credentials: credentials, endpoints: .single(endpoint),
                         transport: Self.transport, retry: retry)
    }

    static let shared = Task<MotoFixture, Error> { try await start() }

    static func get() async throws -> MotoFixture { try await shared.value }

    static func start() async throws -> MotoFixture {
        let paths = Paths.resolve()
        let python = paths.venv.appendingPathComponent("bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw FixtureError("no Python venv at \(paths.venv.path): run scripts/setup")
        }
        let port = try freePort()
        // Exit when the parent (the test process) goes away, whatever the reason.
        let script = """
        import os, sys, threading, time
        parent = os.getppid()
        def watch():
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
        from moto.server import main
        main(["-H", "127.0.0.1", "-p", "\(port)"])
        """
        let p = Process()
        p.executableURL = python
        p.arguments = ["-c", script]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let endpoint = "http://127.0.0.1:\(port)"
        do {
            try await waitUntilUp(endpoint)
            return try await seed(endpoint: endpoint, process: p)
        } catch {
            p.terminate()
            throw error
        }
    }

    static func waitUntilUp(_ endpoint: String) async throws {
        let deadline = Date().addingTimeInterval(30)
        let probe = CurlTransport(options: TransportOptions(connectTimeout: 1, timeout: 2))
        while Date() < deadline {
            if let r = try? await probe.send(HTTPRequest(method: "GET", url: endpoint + "/moto-api/data.json")),
               r.status == 200 { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw FixtureError("moto did not answer at \(endpoint) within 30 s")
    }

    static func seed(endpoint: String, process: Process) async throws -> MotoFixture {
        // Before auth is on, any key is accepted.
        let bootstrap = AWSConfiguration(region: region, credentials: Credentials(accessKeyId: "AKIDBOOTSTRAP00000000",
                                         secretAccessKey: "bootstrap"), endpoints: .single(endpoint),
                                         transport: transport, retry: .none)
        let iam = IAMTestClient(bootstrap)
        let admin = try await iam.createUserWithKey("sandbox-admin", policy: """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}
            """)
        let bucket = "client-data-bucket"
        let other = "other-team-bucket"
        let client = try await iam.createUserWithKey(clientUserName, policy: """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"},
              {"Effect":"Allow","Action":["s3:ListAllMyBuckets"],"Resource":"*"},
              {"Effect":"Allow","Action":["s3:ListBucket","s3:GetBucketEncryption"],"Resource":"arn:aws:s3:::\(bucket)"},
              {"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::\(bucket)/*"}]}
            """)
        let trust = """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
              "Principal":{"AWS":"arn:aws:iam::\(accountId):user/\(clientUserName)"},"Action":"sts:AssumeRole"}]}
            """
        let roleArn = try await iam.createRole("client-data-role", trust: trust, policy: """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["s3:ListAllMyBuckets"],"Resource":"*"},
              {"Effect":"Allow","Action":["s3:ListBucket","s3:GetBucketEncryption"],"Resource":"arn:aws:s3:::\(bucket)"},
              {"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::\(bucket)/*"}]}
            """)
        let readOnly = try await iam.createRole("client-read-only-role", trust: trust, policy: """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::\(bucket)/*"}]}
            """)
        let s3 = S3(bootstrap)
        try await s3.createBucket(bucket)
        try await s3.createBucket(other)
        _ = try await s3.putObject(bucket: other, key: "secret-report.csv", body: Data("a,b\n".utf8))
        // From now on every request must be signed by a known key and allowed by IAM.
        let r = try await transport.send(HTTPRequest(method: "POST", url: endpoint + "/moto-api/reset-auth",
                                                     body: Data("0".utf8)))
        guard r.status == 200 else { throw FixtureError("reset-auth answered \(r.status)") }
        return MotoFixture(endpoint: endpoint, admin: admin, client: client, roleArn: roleArn,
                           readOnlyRoleArn: readOnly, bucket: bucket, otherBucket: other, process: process)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket() failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw FixtureError("bind() failed") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// The few IAM calls the tests need to create users and roles, over the query protocol.
struct IAMTestClient {
    let iam: QueryService
    init(_ config: AWSConfiguration) { iam = QueryService(service: "iam", version: "2010-05-08", config: config) }

    func createUserWithKey(_ name: String, policy: String) async throws -> Credentials {
        _ = try await iam.call("CreateUser", [("UserName", name)])
        _ = try await iam.call("PutUserPolicy", [("UserName", name), ("PolicyName", "\(name)-policy"),
                                                 ("PolicyDocument", policy)])
        let (xml, _) = try await iam.call("CreateAccessKey", [("UserName", name)])
        guard let key = xml.find("AccessKey"), let id = key.value("AccessKeyId"),
              let secret = key.value("SecretAccessKey") else { throw FixtureError("CreateAccessKey: no key") }
        return Credentials(accessKeyId: id, secretAccessKey: secret)
    }

    func createRole(_ name: String, trust: String, policy: String) async throws -> String {
        let (xml, _) = try await iam.call("CreateRole", [("RoleName", name), ("AssumeRolePolicyDocument", trust)])
        guard let arn = xml.find("Role")?.value("Arn") else { throw FixtureError("CreateRole: no Arn") }
        _ = try await iam.call("PutRolePolicy", [("RoleName", name), ("PolicyName", "\(name)-policy"),
                                                 ("PolicyDocument", policy)])
        return arn
    }
}
