import AWSClient
import Foundation
import Testing

/// Every operation against a real moto server with signatures and IAM enforced, as the seeded client user
/// and as an assumed role.
@Suite("AWS client against the sandbox", .serialized)
struct SandboxOperationTests {
    enum Identity: String, CaseIterable, Sendable { case clientUser, assumedRole }

    func config(_ identity: Identity) async throws -> (SandboxFixture, AWSConfiguration) {
        let f = try await SandboxFixture.get()
        switch identity {
        case .clientUser:
            return (f, f.config(f.client))
        case .assumedRole:
            let out = try await STS(f.config(f.client)).assumeRole(roleArn: f.roleArn, sessionName: "tests-session")
            return (f, f.config(out.credentials))
        }
    }

    @Test("GetCallerIdentity names the identity", arguments: Identity.allCases)
    func callerIdentity(_ identity: Identity) async throws {
        let (f, config) = try await config(identity)
        let id = try await STS(config).getCallerIdentity()
        #expect(id.account == f.accountId)
        switch identity {
        case .clientUser: #expect(id.arn.hasSuffix(":user/\(f.clientUserName)"))
        case .assumedRole: #expect(id.arn.contains(":assumed-role/aws-client-tests-rw-") && id.arn.hasSuffix("/tests-session"))
        }
        _ = f
    }

    @Test("AssumeRole returns temporary credentials with an expiry")
    func assumeRole() async throws {
        let f = try await SandboxFixture.get()
        let out = try await STS(f.config(f.client)).assumeRole(roleArn: f.roleArn, sessionName: "expiry-check",
                                                               durationSeconds: 900)
        #expect(out.credentials.sessionToken?.isEmpty == false)
        #expect(out.credentials.accessKeyId != f.client.accessKeyId)
        let expiry = try #require(out.credentials.expiration)
        #expect(expiry > Date())
        #expect(out.assumedRoleArn.contains("aws-client-tests-rw-"))
    }

    @Test("put, head, get, list, delete objects", arguments: Identity.allCases)
    func objectRoundTrip(_ identity: Identity) async throws {
        let (f, config) = try await config(identity)
        let s3 = S3(config)
        let key = "round-trip/\(identity.rawValue).txt"
        let body = Data("hello from \(identity.rawValue)\n".utf8)
        let put = try await s3.putObject(bucket: f.bucket, key: key, body: body, contentType: "text/plain")
        #expect(put.eTag?.isEmpty == false)
        let head = try await s3.headObject(bucket: f.bucket, key: key)
        #expect(head.contentLength == body.count)
        let got = try await s3.getObject(bucket: f.bucket, key: key)
        #expect(got.body == body)
        #expect(got.contentType == "text/plain")
        let listed = try await s3.listObjectsV2(bucket: f.bucket, prefix: "round-trip/")
        #expect(listed.objects.contains { $0.key == key && $0.size == body.count })
        try await s3.deleteObject(bucket: f.bucket, key: key)
        let error = await #expect(throws: AWSError.self) { _ = try await s3.getObject(bucket: f.bucket, key: key) }
        #expect(error?.code == AWSError.Code.noSuchKey)
        #expect(error?.httpStatus == 404)
        let headError = await #expect(throws: AWSError.self) { _ = try await s3.headObject(bucket: f.bucket, key: key) }
        #expect(headError?.code == AWSError.Code.notFound)
        #expect(headError?.isNotFound == true)
    }

    @Test("ListBuckets (refused to the bare client user) and GetBucketEncryption", arguments: Identity.allCases)
    func bucketLevel(_ identity: Identity) async throws {
        let (f, config) = try await config(identity)
        let s3 = S3(config)
        switch identity {
        case .assumedRole:
            let buckets = try await s3.listBuckets()
            #expect(buckets.buckets.map(\.name).contains(f.bucket))
            #expect(buckets.buckets.map(\.name).contains(f.otherBucket))
        case .clientUser:
            // The seeded client user may not list the account's buckets.
            let error = await #expect(throws: AWSError.self) { _ = try await s3.listBuckets() }
            #expect(error?.code == AWSError.Code.accessDenied)
        }
        let admin = S3(f.config(f.admin))
        try await admin.putBucketEncryption(bucket: f.bucket, algorithm: "AES256")
        let rules = try await s3.getBucketEncryption(bucket: f.bucket)
        #expect(rules.map(\.algorithm) == ["AES256"])
    }

    @Test("SSE headers of PutObject, HeadObject and GetObject are exposed")
    func sseHeaders() async throws {
        let (f, config) = try await config(.clientUser)
        let s3 = S3(config)
        let put = try await s3.putObject(bucket: f.bucket, key: "sse/object", body: Data("x".utf8),
                                         serverSideEncryption: "AES256")
        #expect(put.encryption.algorithm == "AES256")
        #expect(try await s3.headObject(bucket: f.bucket, key: "sse/object").encryption.algorithm == "AES256")
        #expect(try await s3.getObject(bucket: f.bucket, key: "sse/object").encryption.algorithm == "AES256")
    }

    @Test("ListObjectsV2 pages with continuation tokens")
    func pagination() async throws {
        let (f, config) = try await config(.assumedRole)
        let s3 = S3(config)
        let keys = (0..<5).map { "paged/item-\($0)" }
        for k in keys { _ = try await s3.putObject(bucket: f.bucket, key: k, body: Data(k.utf8)) }
        let first = try await s3.listObjectsV2(bucket: f.bucket, prefix: "paged/", maxKeys: 2)
        #expect(first.objects.count == 2)
        #expect(first.isTruncated)
        #expect(first.nextContinuationToken != nil)
        let all = try await s3.listAllObjectsV2(bucket: f.bucket, prefix: "paged/", pageSize: 2)
        #expect(all.map(\.key) == keys)
    }

    @Test("keys with spaces, +, =, ~, unicode and dot segments round-trip", arguments: [
        "with space.txt", "plus+sign", "equals=sign", "tilde~name", "ünïcödé/文件.txt", "a b+c=d~e/ü",
        "dir/../dotdot", "double//slash", "percent%20literal", "question?and#hash",
    ])
    func s3Keys(_ key: String) async throws {
        let (f, config) = try await config(.clientUser)
        let s3 = S3(config)
        let body = Data("key \(key)".utf8)
        _ = try await s3.putObject(bucket: f.bucket, key: "keys/" + key, body: body)
        #expect(try await s3.getObject(bucket: f.bucket, key: "keys/" + key).body == body)
        let listed = try await s3.listObjectsV2(bucket: f.bucket, prefix: "keys/" + key)
        #expect(listed.objects.map(\.key).contains("keys/" + key))
        try await s3.deleteObject(bucket: f.bucket, key: "keys/" + key)
    }

    @Test("a wrong secret is refused with SignatureDoesNotMatch, and the secret is in no message")
    func wrongSecret() async throws {
        let f = try await SandboxFixture.get()
        let planted = "PLANTED-wrong-secret-0123456789abcdef"
        let bad = Credentials(accessKeyId: f.client.accessKeyId, secretAccessKey: planted)
        let s3Error = await #expect(throws: AWSError.self) {
            _ = try await S3(f.config(bad)).listObjectsV2(bucket: f.bucket)
        }
        #expect(s3Error?.code == AWSError.Code.signatureDoesNotMatch)
        #expect(s3Error?.httpStatus == 403)
        let stsError = await #expect(throws: AWSError.self) {
            _ = try await STS(f.config(bad)).getCallerIdentity()
        }
        #expect(stsError?.code == AWSError.Code.signatureDoesNotMatch)
        for e in [s3Error, stsError].compactMap({ $0 }) {
            for text in [e.description, e.message, "\(e)", String(reflecting: e), e.localizedDescription] {
                #expect(!text.contains(planted))
                #expect(!text.contains(f.client.accessKeyId))
            }
        }
    }

    @Test("a call the policy does not allow is AccessDenied with a request id")
    func accessDenied() async throws {
        let f = try await SandboxFixture.get()
        let client = S3(f.config(f.client))
        let error = await #expect(throws: AWSError.self) {
            _ = try await client.listObjectsV2(bucket: f.otherBucket)
        }
        #expect(error?.code == AWSError.Code.accessDenied)
        #expect(error?.isAccessDenied == true)
        #expect(error?.isRetryable == false)
        #expect(error?.requestId?.isEmpty == false)

        let readOnly = try await STS(f.config(f.client)).assumeRole(roleArn: f.readOnlyRoleArn, sessionName: "ro")
        let roleError = await #expect(throws: AWSError.self) {
            _ = try await S3(f.config(readOnly.credentials)).putObject(bucket: f.bucket, key: "nope", body: Data())
        }
        #expect(roleError?.code == AWSError.Code.accessDenied)
        #expect(roleError?.requestId?.isEmpty == false)
        for e in [error, roleError].compactMap({ $0 }) {
            for secret in [f.client.secretAccessKey, f.client.accessKeyId, readOnly.credentials.secretAccessKey,
                           readOnly.credentials.sessionToken ?? "-", readOnly.credentials.accessKeyId] {
                #expect(!e.description.contains(secret))
            }
        }
    }

    @Test("the assumed-role provider caches credentials until they near expiry")
    func assumeRoleProvider() async throws {
        let f = try await SandboxFixture.get()
        let provider = AssumeRoleCredentialProvider(roleArn: f.roleArn, sessionName: "cached", base: f.config(f.client))
        let a = try #require(try await provider.credentials())
        let b = try #require(try await provider.credentials())
        #expect(a == b)
        #expect(!provider.name.contains(f.client.accessKeyId))
        let s3 = S3(f.config(f.client).with(credentials: provider))
        #expect(try await s3.listBuckets().buckets.isEmpty == false)
    }

    @Test("concurrent calls over the shared transport all succeed")
    func concurrentCalls() async throws {
        let (f, config) = try await config(.clientUser)
        let s3 = S3(config)
        _ = try await s3.putObject(bucket: f.bucket, key: "concurrent", body: Data("c".utf8))
        let bodies = try await withThrowingTaskGroup(of: Data.self) { group in
            for _ in 0..<12 { group.addTask { try await s3.getObject(bucket: f.bucket, key: "concurrent").body } }
            var out: [Data] = []
            for try await b in group { out.append(b) }
            return out
        }
        #expect(bodies.count == 12)
        #expect(bodies.allSatisfy { $0 == Data("c".utf8) })
    }
}
