import AWSClient
import Foundation
import Testing

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("aws-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
    var entries: [String] { (try? FileManager.default.contentsOfDirectory(atPath: url.path).sorted()) ?? [] }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// `count` bytes from a seeded SplitMix64 generator: the same seed gives the same bytes.
func seededBytes(_ count: Int, seed: UInt64) -> Data {
    var state = seed
    var words = [UInt64](repeating: 0, count: (count + 7) / 8)
    for i in words.indices {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        words[i] = z ^ (z >> 31)
    }
    return words.withUnsafeBytes { Data($0.prefix(count)) }
}

/// Streamed bodies against the real sandbox: a multi-megabyte object goes up from a file and comes back
/// into a file, byte for byte, without the transport holding the body in memory.
@Suite("AWS client streaming against the sandbox", .serialized)
struct SandboxStreamingTests {
    @Test("8 MiB put from a file and got into a file round-trip byte for byte, with SSE headers, unbuffered")
    func largeRoundTrip() async throws {
        let f = try await SandboxFixture.get()
        // A transport of this test's own, so its buffered-bytes counter sees only these calls.
        let transport = CurlTransport(options: TransportOptions(connectTimeout: 2, timeout: 60))
        let s3 = S3(AWSConfiguration(region: f.state.region, credentials: f.client, endpoints: .single(f.endpoint),
                                     transport: transport, retry: .none))
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let source = dir.file("source.bin")
        let bytes = seededBytes(8 << 20, seed: 20_261_203)
        try bytes.write(to: source)
        let key = "streaming/large.bin"

        let put = try await s3.putObject(bucket: f.bucket, key: key, fileURL: source,
                                         serverSideEncryption: "AES256")
        #expect(put.eTag?.isEmpty == false)
        #expect(put.encryption.algorithm == "AES256")
        #expect(try await s3.headObject(bucket: f.bucket, key: key).contentLength == bytes.count)

        let before = transport.bodyBytesBuffered
        let destination = dir.file("copy.bin")
        let got = try await s3.getObject(bucket: f.bucket, key: key, to: destination)
        #expect(transport.bodyBytesBuffered == before)
        #expect(got.contentLength == bytes.count)
        #expect(got.encryption.algorithm == "AES256")
        #expect(got.eTag == put.eTag)
        #expect(try Data(contentsOf: destination) == bytes)
        #expect(dir.entries == ["copy.bin", "source.bin"])
        try await s3.deleteObject(bucket: f.bucket, key: key)
    }

    @Test("a missing object streamed to a file is NoSuchKey from the error document, and creates no file")
    func missingObject() async throws {
        let f = try await SandboxFixture.get()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let error = await #expect(throws: AWSError.self) {
            _ = try await S3(f.config(f.client)).getObject(bucket: f.bucket, key: "streaming/absent",
                                                           to: dir.file("absent.bin"))
        }
        #expect(error?.code == AWSError.Code.noSuchKey)
        #expect(error?.httpStatus == 404)
        #expect(dir.entries.isEmpty)
    }

    @Test("a streamed upload the role may not make is AccessDenied")
    func uploadDenied() async throws {
        let f = try await SandboxFixture.get()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let source = dir.file("small.txt")
        try Data("denied\n".utf8).write(to: source)
        let readOnly = try await STS(f.config(f.client)).assumeRole(roleArn: f.readOnlyRoleArn, sessionName: "ro-stream")
        let error = await #expect(throws: AWSError.self) {
            _ = try await S3(f.config(readOnly.credentials)).putObject(bucket: f.bucket, key: "streaming/nope",
                                                                       fileURL: source)
        }
        #expect(error?.code == AWSError.Code.accessDenied)
    }
}

/// Streamed bodies against a loopback server of the tests' own: cuts, error bodies, retries, and proof that
/// a streamed body is never held in memory.
@Suite("AWS client streaming faults")
struct StreamingFaultTests {
    func s3(_ endpoint: String, transport: CurlTransport = CurlTransport(options: TransportOptions(connectTimeout: 1, timeout: 5)),
            retry: RetryPolicy = .none) -> S3 {
        S3(AWSConfiguration(region: "us-east-1", credentials: FaultTests.planted, endpoints: .single(endpoint),
                            transport: transport, retry: retry))
    }

    @Test("a reset mid-body while streaming to a file is a transport error and leaves the destination untouched")
    func resetMidBody() async throws {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n"
        let partial = Data(head.utf8) + seededBytes(30_000, seed: 7)
        let server = try LoopbackServer { _ in .reset(after: partial) }
        defer { server.stop() }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let fresh = dir.file("fresh.bin")
        let existing = dir.file("existing.txt")
        try Data("previous contents\n".utf8).write(to: existing)
        for destination in [fresh, existing] {
            let error = await #expect(throws: AWSError.self) {
                _ = try await s3(server.endpoint).getObject(bucket: "b", key: "k", to: destination)
            }
            #expect(error?.category == .transport)
            #expect([AWSError.Code.connectionReset, "IncompleteResponse"].contains(error?.code ?? ""))
        }
        // No partial file anywhere: the fresh destination does not exist, the existing one is as it was.
        #expect(dir.entries == ["existing.txt"])
        #expect(try Data(contentsOf: existing) == Data("previous contents\n".utf8))
    }

    @Test("a streamed body is written to the file and never buffered; an in-memory get is counted")
    func neverBuffered() async throws {
        let body = seededBytes(512 * 1024, seed: 42)
        var response = Data("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\nETag: \"e1\"\r\n".utf8)
        response += Data("x-amz-server-side-encryption: aws:kms\r\nConnection: close\r\n\r\n".utf8) + body
        let server = try LoopbackServer { [response] _ in .respond(response) }
        defer { server.stop() }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let transport = CurlTransport(options: TransportOptions(connectTimeout: 1, timeout: 5))
        let client = s3(server.endpoint, transport: transport)

        let out = try await client.getObject(bucket: "b", key: "k", to: dir.file("out.bin"))
        #expect(transport.bodyBytesBuffered == 0)
        #expect(out.contentLength == body.count)
        #expect(out.encryption.algorithm == "aws:kms")
        #expect(try Data(contentsOf: dir.file("out.bin")) == body)

        // The transport level: the response of a streamed request holds no body in memory.
        let url = server.endpoint + "/b/k"
        let streamed = try await transport.send(HTTPRequest(method: "GET", url: url, responseFile: dir.file("raw.bin")))
        #expect(streamed.body.isEmpty)
        #expect(streamed.streamedBodyLength == body.count)
        #expect(transport.bodyBytesBuffered == 0)

        // The counter does count: the same object fetched into memory.
        let inMemory = try await client.getObject(bucket: "b", key: "k")
        #expect(inMemory.body == body)
        #expect(transport.bodyBytesBuffered == body.count)
    }

    @Test("an error status while streaming keeps a bounded error body for parsing and writes no file")
    func errorBodyBounded() async throws {
        let huge = String(repeating: "<!-- padding -->", count: 10_000)  // 160 000 bytes after the error
        let server = try LoopbackServer { i in
            i == 0 ? .respond(LoopbackServer.s3Error(403, code: "AccessDenied", message: "Access Denied", requestId: "RID-S"))
                : .respond(LoopbackServer.http(502, "Bad Gateway", headers: ["Content-Type": "text/html"],
                                               body: "<html><title>Gateway down</title>" + huge + "</html>"))
        }
        defer { server.stop() }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let denied = await #expect(throws: AWSError.self) {
            _ = try await s3(server.endpoint).getObject(bucket: "b", key: "k", to: dir.file("a.bin"))
        }
        #expect(denied?.code == AWSError.Code.accessDenied)
        #expect(denied?.requestId == "RID-S")

        let transport = CurlTransport(options: TransportOptions(connectTimeout: 1, timeout: 5))
        let raw = try await transport.send(HTTPRequest(method: "GET", url: server.endpoint + "/b/k",
                                                       responseFile: dir.file("b.bin")))
        #expect(raw.status == 502)
        #expect(raw.body.count == HTTPRequest.errorBodyLimit)
        #expect(raw.streamedBodyLength == nil)
        #expect(String(decoding: raw.body.prefix(40), as: UTF8.self).contains("Gateway down"))
        #expect(try Data(contentsOf: dir.file("b.bin")).isEmpty)
        #expect(dir.entries == ["b.bin"])
    }

    @Test("an upload from a file is signed with its SHA-256 on http and sent again whole on a retry")
    func uploadRetried() async throws {
        let server = try LoopbackServer { i in
            i == 0 ? .respond(LoopbackServer.s3Error(503, code: "SlowDown", message: "Please reduce your request rate."))
                : .respond(LoopbackServer.http(200, "OK", headers: ["ETag": "\"up\"", "x-amz-server-side-encryption": "AES256"],
                                               body: ""))
        }
        defer { server.stop() }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // Text, so the server's decoded view of the request shows it exactly.
        let text = (0..<20_000).map { "line \($0)\n" }.joined()
        let source = dir.file("upload.txt")
        try Data(text.utf8).write(to: source)
        let sleeps = SleepRecorder()
        let out = try await s3(server.endpoint, retry: sleeps.policy()).putObject(bucket: "b", key: "k", fileURL: source)
        #expect(out.eTag == "\"up\"")
        #expect(out.encryption.algorithm == "AES256")
        #expect(sleeps.recorded.count == 1)
        let hash = Crypto.hex(Crypto.sha256(Data(text.utf8)))
        #expect(server.received.count == 2)
        for request in server.received {
            #expect(request.hasPrefix("PUT /b/k HTTP/1.1\r\n"))
            #expect(request.lowercased().contains("x-amz-content-sha256: \(hash)"))
            #expect(request.lowercased().contains("content-length: \(text.utf8.count)\r\n"))
            #expect(request.hasSuffix("\r\n\r\n" + text))
        }
    }

    @Test("an unreadable upload file is a FileError naming the file, and nothing is sent")
    func missingUploadFile() async throws {
        let server = try LoopbackServer { _ in .respond(LoopbackServer.http(200, "OK", body: "")) }
        defer { server.stop() }
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString)")
        let error = await #expect(throws: AWSError.self) {
            _ = try await s3(server.endpoint).putObject(bucket: "b", key: "k", fileURL: missing)
        }
        #expect(error?.category == .localFile)
        #expect(error?.code == AWSError.Code.fileError)
        #expect(error?.message.contains(missing.lastPathComponent) == true)
        #expect(server.received.isEmpty)
    }

    @Test("over https an upload is signed UNSIGNED-PAYLOAD without reading the file to hash it")
    func unsignedOverTLS() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let source = dir.file("f.bin")
        try Data("abc".utf8).write(to: source)
        #expect(try S3.uploadPayloadHash(source, endpoint: Endpoint(url: "https://s3.example.com")) == .unsigned)
        #expect(try S3.uploadPayloadHash(source, endpoint: Endpoint(url: "http://127.0.0.1:9")) == .of(Data("abc".utf8)))
    }
}
