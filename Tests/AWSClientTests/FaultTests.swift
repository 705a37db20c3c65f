import AWSClient
import Foundation
import Testing

/// Records the backoffs the retry policy asked for, instead of sleeping.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var delays: [Double] = []
    var recorded: [Double] { lock.withLock { delays } }
    func record(_ d: Double) { lock.withLock { delays.append(d) } }

    func policy(maxAttempts: Int = 3, random: Double = 0.5) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts, baseDelay: 1, maxBackoff: 20,
                    sleep: { [self] d in record(d) }, random: { random })
    }
}

/// Faults from a loopback server of the tests' own. Each gives a typed error or a successful retry; none
/// hangs (every server loop and every client call is bounded).
@Suite("AWS client faults")
struct FaultTests {
    static let planted = Credentials(accessKeyId: "AKIAPLANTED000000001", secretAccessKey: "planted/Secret+Key=0123456789",
                                     sessionToken: "PLANTED-SESSION-TOKEN-abcdef")

    func s3(_ endpoint: String, retry: RetryPolicy = .none, timeout: Double = 5) -> S3 {
        let transport = CurlTransport(options: TransportOptions(connectTimeout: 1, timeout: timeout))
        return S3(AWSConfiguration(region: "us-east-1", credentials: Self.planted, endpoints: .single(endpoint),
                                   transport: transport, retry: retry))
    }

    func expectNoSecret(_ error: AWSError?) {
        guard let error else { return }
        for text in [error.description, error.message, error.code, error.requestId ?? "", "\(error)",
                     String(reflecting: error), error.localizedDescription] {
            #expect(!text.contains(Self.planted.accessKeyId))
            #expect(!text.contains(Self.planted.secretAccessKey))
            #expect(!text.contains(Self.planted.sessionToken ?? "-"))
        }
    }

    @Test("connection refused is a transport error, retried, and typed")
    func connectionRefused() async throws {
        // A port held by a bound socket that does not listen: connecting is refused, and no other test
        // can be handed the port meanwhile.
        let (fd, port) = try LoopbackServer.boundNotListening()
        defer { close(fd) }
        let sleeps = SleepRecorder()
        let error = await #expect(throws: AWSError.self) {
            _ = try await s3("http://127.0.0.1:\(port)", retry: sleeps.policy()).listObjectsV2(bucket: "b")
        }
        #expect(error?.category == .transport)
        #expect(error?.code == AWSError.Code.connectionRefused)
        #expect(sleeps.recorded.count == 2)
        expectNoSecret(error)
    }

    @Test("a connection reset in the middle of the body is a transport error")
    func resetMidBody() async throws {
        let partial = Data(("HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 5000\r\n\r\n"
            + "<ListBucketResult><Name>b</Na").utf8)
        let server = try LoopbackServer { _ in .reset(after: partial) }
        defer { server.stop() }
        let error = await #expect(throws: AWSError.self) {
            _ = try await s3(server.endpoint).listObjectsV2(bucket: "b")
        }
        #expect(error?.category == .transport)
        #expect([AWSError.Code.connectionReset, "IncompleteResponse"].contains(error?.code ?? ""))
        expectNoSecret(error)
    }

    @Test("an HTML 502 from a proxy is reported as a non-XML response with its status, after retries")
    func html502() async throws {
        let page = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
        let server = try LoopbackServer { _ in
            .respond(LoopbackServer.http(502, "Bad Gateway", headers: ["Content-Type": "text/html"], body: page))
        }
        defer { server.stop() }
        let sleeps = SleepRecorder()
        let error = await #expect(throws: AWSError.self) {
            _ = try await s3(server.endpoint, retry: sleeps.policy()).getObject(bucket: "b", key: "k")
        }
        #expect(error?.category == .nonXMLResponse)
        #expect(error?.code == AWSError.Code.nonXMLResponse)
        #expect(error?.httpStatus == 502)
        #expect(error?.message.contains("502 Bad Gateway") == true)
        #expect(error?.message.contains("text/html") == true)
        #expect(server.received.count == 3)
        #expect(sleeps.recorded.count == 2)
        expectNoSecret(error)
    }

    @Test("a server slower than the timeout gives a Timeout error")
    func slowServer() async throws {
        let server = try LoopbackServer { _ in .stall(seconds: 10) }
        defer { server.stop() }
        let error = await #expect(throws: AWSError.self) {
            _ = try await s3(server.endpoint, timeout: 0.3).listObjectsV2(bucket: "b")
        }
        #expect(error?.category == .transport)
        #expect(error?.code == AWSError.Code.timeout)
        expectNoSecret(error)
    }

    @Test("malformed XML in a 200 is a malformed-response error and is not retried")
    func malformedXML() async throws {
        let server = try LoopbackServer { _ in
            .respond(LoopbackServer.http(200, "OK", headers: ["Content-Type": "application/xml"],
                                         body: "<ListBucketResult><Contents><Key>k</Contents>"))
        }
        defer { server.stop() }
        let sleeps = SleepRecorder()
        let error = await #expect(throws: AWSError.self) {
            _ = try await s3(server.endpoint, retry: sleeps.policy()).listObjectsV2(bucket: "b")
        }
        #expect(error?.category == .malformedResponse)
        #expect(server.received.count == 1)
        #expect(sleeps.recorded.isEmpty)
    }

    @Test("a 503 then a success: the retry succeeds after one backoff")
    func retryAfter503() async throws {
        let server = try LoopbackServer { i in
            i == 0 ? .respond(LoopbackServer.s3Error(503, code: "SlowDown", message: "Please reduce your request rate."))
                : .respond(LoopbackServer.emptyListing)
        }
        defer { server.stop() }
        let sleeps = SleepRecorder()
        let out = try await s3(server.endpoint, retry: sleeps.policy(random: 0.25)).listObjectsV2(bucket: "b")
        #expect(out.objects.map(\.key) == ["k"])
        #expect(server.received.count == 2)
        #expect(sleeps.recorded == [0.25])
        // Both attempts were signed afresh and carried the session token header.
        #expect(server.received.allSatisfy { $0.lowercased().contains("x-amz-security-token:") })
    }

    @Test("AccessDenied is not retried and keeps its request id")
    func accessDeniedNotRetried() async throws {
        let server = try LoopbackServer { _ in
            .respond(LoopbackServer.s3Error(403, code: "AccessDenied", message: "Access Denied", requestId: "RID-42"))
        }
        defer { server.stop() }
        let sleeps = SleepRecorder()
        let error = await #expect(throws: AWSError.self) {
            _ = try await s3(server.endpoint, retry: sleeps.policy()).getObject(bucket: "b", key: "k")
        }
        #expect(error?.code == AWSError.Code.accessDenied)
        #expect(error?.requestId == "RID-42")
        #expect(error?.httpStatus == 403)
        #expect(server.received.count == 1)
        #expect(sleeps.recorded.isEmpty)
    }

    @Test("HEAD errors without a body get a code from the status")
    func headWithoutBody() async throws {
        let server = try LoopbackServer { _ in
            .respond(LoopbackServer.http(403, "Forbidden", headers: ["x-amz-request-id": "HEAD-RID"], body: ""))
        }
        defer { server.stop() }
        let error = await #expect(throws: AWSError.self) {
            _ = try await s3(server.endpoint).headObject(bucket: "b", key: "k")
        }
        #expect(error?.code == "Forbidden")
        #expect(error?.httpStatus == 403)
        #expect(error?.requestId == "HEAD-RID")
        #expect(server.received.first?.hasPrefix("HEAD /b/k HTTP/1.1") == true)
    }

    @Test("a secret echoed by the server is redacted from the error")
    func plantedSecretRedacted() async throws {
        let echo = "key \(Self.planted.accessKeyId) secret \(Self.planted.secretAccessKey) token \(Self.planted.sessionToken ?? "")"
        let server = try LoopbackServer { _ in
            .respond(LoopbackServer.s3Error(400, code: "InvalidArgument", message: echo))
        }
        defer { server.stop() }
        let error = await #expect(throws: AWSError.self) {
            _ = try await s3(server.endpoint).putObject(bucket: "b", key: "k", body: Data("x".utf8))
        }
        #expect(error?.code == "InvalidArgument")
        #expect(error?.message.contains("<redacted>") == true)
        expectNoSecret(error)
    }

    @Test("STS errors in ErrorResponse documents are parsed")
    func stsErrorDocument() async throws {
        let body = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
            + "<Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error>"
            + "<RequestId>STS-RID-7</RequestId></ErrorResponse>"
        let server = try LoopbackServer { _ in .respond(LoopbackServer.http(403, "Forbidden", body: body)) }
        defer { server.stop() }
        let transport = CurlTransport(options: TransportOptions(connectTimeout: 1, timeout: 5))
        let sts = STS(AWSConfiguration(region: "us-east-1", credentials: Self.planted, endpoints: .single(server.endpoint),
                                       transport: transport, retry: .none))
        let error = await #expect(throws: AWSError.self) { _ = try await sts.getCallerIdentity() }
        #expect(error?.code == AWSError.Code.expiredToken)
        #expect(error?.requestId == "STS-RID-7")
        #expect(server.received.first?.contains("Action=GetCallerIdentity&Version=2011-06-15") == true)
    }

    @Test("sequential calls reuse one connection; concurrent calls use separate handles")
    func connectionReuse() async throws {
        let server = try LoopbackServer { _ in
            .keepAlive(LoopbackServer.http(200, "OK", headers: ["Content-Type": "application/xml"],
                                           body: "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>",
                                           keepAlive: true))
        }
        defer { server.stop() }
        let transport = CurlTransport(options: TransportOptions(connectTimeout: 1, timeout: 5))
        let s3 = S3(AWSConfiguration(region: "us-east-1", credentials: Self.planted, endpoints: .single(server.endpoint),
                                     transport: transport, retry: .none))
        for _ in 0..<5 { _ = try await s3.listObjectsV2(bucket: "b") }
        #expect(server.received.count == 5)
        #expect(server.accepted == 1)
        #expect(transport.connectionsOpened == 1)
        #expect(transport.idleHandles == 1)
    }

    @Test("a presigned URL carries the signature in its query and is fetched without an Authorization header")
    func presignedURL() async throws {
        let server = try LoopbackServer { _ in .respond(LoopbackServer.http(200, "OK", body: "presigned")) }
        defer { server.stop() }
        let fixed = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
        let config = AWSConfiguration(region: "eu-west-1", credentials: StaticCredentialProvider(Self.planted),
                                      endpoints: .single(server.endpoint), transport: CurlTransport(), retry: .none,
                                      now: { fixed })
        let url = try await S3(config).presignedURL(bucket: "b", key: "dir/a b+c.txt", expires: 300)
        #expect(url.hasPrefix(server.endpoint + "/b/dir/a%20b%2Bc.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&"))
        #expect(url.contains("&X-Amz-Date=20130524T000000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&"))
        #expect(url.contains("X-Amz-Credential=AKIAPLANTED000000001%2F20130524%2Feu-west-1%2Fs3%2Faws4_request"))
        #expect(url.contains("&X-Amz-Security-Token="))
        // The same inputs through the signer's presign stage give the same signature.
        let signer = SigV4Signer(credentials: Self.planted, region: "eu-west-1", service: "s3", flavour: .s3)
        let expected = signer.presign(SigningRequest(method: "GET", path: "/b/dir/a b+c.txt",
                                                     headers: [HTTPHeader("Host", "127.0.0.1:\(server.port)")]),
                                      payload: .unsigned, date: fixed, expires: 300)
        #expect(url.hasSuffix("&X-Amz-Signature=" + expected.signature))
        let response = try await CurlTransport().send(HTTPRequest(method: "GET", url: url))
        #expect(response.status == 200)
        let received = try #require(server.received.first)
        #expect(received.hasPrefix("GET /b/dir/a%20b%2Bc.txt?X-Amz-Algorithm="))
        #expect(!received.lowercased().contains("\r\nauthorization:"))
    }

    @Test("TLS is verified: a plain-HTTP server behind an https URL, or a missing CA bundle, is a TLS error")
    func tlsErrors() async throws {
        let server = try LoopbackServer { _ in .respond(LoopbackServer.http(200, "OK", body: "not TLS")) }
        defer { server.stop() }
        let url = "https://127.0.0.1:\(server.port)"
        // The server answers the ClientHello with plain HTTP once its 2 s read deadline passes.
        let plain = CurlTransport(options: TransportOptions(connectTimeout: 4, timeout: 5))
        let handshake = await #expect(throws: AWSError.self) {
            _ = try await plain.send(HTTPRequest(method: "GET", url: url + "/b?list-type=2"))
        }
        #expect(handshake?.category == .transport)
        #expect(handshake?.code == "TLSError")
        let missingBundle = CurlTransport(options: TransportOptions(connectTimeout: 1, timeout: 5,
                                                                    caBundle: "/nonexistent/ca-bundle.pem"))
        let bundle = await #expect(throws: AWSError.self) {
            _ = try await missingBundle.send(HTTPRequest(method: "GET", url: url + "/"))
        }
        #expect(bundle?.category == .transport)
        #expect(bundle?.code == "TLSError")
        #expect(TransportOptions.fromEnvironment(["AWS_CA_BUNDLE": "/etc/custom.pem"]).caBundle == "/etc/custom.pem")
        #expect(TransportOptions.fromEnvironment([:]).caBundle == nil)
    }
}
