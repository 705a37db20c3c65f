import Foundation

/// The server-side encryption S3 reports for an object (`x-amz-server-side-encryption*` headers).
public struct ServerSideEncryption: Sendable, Hashable {
    /// `AES256`, `aws:kms`, `aws:kms:dsse`, or nil when the response names none.
    public var algorithm: String?
    /// The KMS key (ARN or id) for `aws:kms`.
    public var kmsKeyId: String?
    public var bucketKeyEnabled: Bool?

    init(_ r: HTTPResponse) {
        algorithm = r.header("x-amz-server-side-encryption")
        kmsKeyId = r.header("x-amz-server-side-encryption-aws-kms-key-id")
        bucketKeyEnabled = r.header("x-amz-server-side-encryption-bucket-key-enabled").map { $0.lowercased() == "true" }
    }
}

public struct PutObjectOutput: Sendable {
    public var eTag: String?
    public var versionId: String?
    public var encryption: ServerSideEncryption
    public var requestId: String?
}

public struct GetObjectOutput: Sendable {
    public var body: Data
    public var contentType: String?
    public var eTag: String?
    public var lastModified: Date?
    public var encryption: ServerSideEncryption
    public var requestId: String?
}

/// GetObject streamed to a file: what S3 said about the object, and how many bytes were written.
public struct GetObjectToFileOutput: Sendable {
    public var contentLength: Int
    public var contentType: String?
    public var eTag: String?
    public var lastModified: Date?
    public var encryption: ServerSideEncryption
    public var requestId: String?
}

public struct HeadObjectOutput: Sendable {
    public var contentLength: Int?
    public var contentType: String?
    public var eTag: String?
    public var lastModified: Date?
    public var encryption: ServerSideEncryption
    public var requestId: String?
}

public struct S3Object: Sendable, Hashable {
    public var key: String
    public var size: Int
    public var eTag: String?
    public var lastModified: Date?
}

public struct ListObjectsV2Output: Sendable {
    public var objects: [S3Object]
    public var commonPrefixes: [String]
    public var isTruncated: Bool
    public var nextContinuationToken: String?
    public var keyCount: Int
    public var requestId: String?
}

public struct S3Bucket: Sendable, Hashable {
    public var name: String
    public var creationDate: Date?
}

public struct ListBucketsOutput: Sendable {
    public var buckets: [S3Bucket]
    public var ownerId: String?
    public var requestId: String?
}

/// One rule of a bucket's default encryption.
public struct BucketEncryptionRule: Sendable, Hashable {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    public var algorithm: String
    public var kmsMasterKeyId: String?
    public var bucketKeyEnabled: Bool?
}

/// Amazon S3 (REST-XML). Keys and prefixes are given unencoded; the client encodes them once.
public struct S3: Sendable {
    public let config: AWSConfiguration
    public init(_ config: AWSConfiguration) { self.config = config }

    func request(_ method: String, bucket: String?, key: String? = nil, query: [QueryParameter] = [],
                 headers: [HTTPHeader] = [], body: Data = Data()) throws -> ServiceRequest {
        let base = try config.endpoints.endpoint(service: "s3", region: config.region)
        let endpoint: Endpoint
        let path: String
        if let bucket {
            (endpoint, path) = S3Addressing.locate(bucket: bucket, key: key, endpoint: base,
                                                   forcePathStyle: config.forcePathStyle)
        } else {
            (endpoint, path) = (base, "/")
        }
        return ServiceRequest(service: "s3", method: method, endpoint: endpoint, path: path, query: query,
                              headers: headers, body: body, flavour: .s3, signingRegion: config.region)
    }

    /// A presigned URL for an object (S3 flavour: `UNSIGNED-PAYLOAD`, only `host` signed), valid for
    /// `expires` seconds (at most 7 days). Anyone holding it may make that one call; treat it as a secret.
    public func presignedURL(method: String = "GET", bucket: String, key: String, expires: Int = 900) async throws -> String {
        let creds = try await config.resolveCredentials()
        let r = try request(method, bucket: bucket, key: key)
        let signer = SigV4Signer(credentials: creds, region: r.signingRegion, service: "s3", flavour: .s3)
        let signing = SigningRequest(method: method, path: r.path, headers: [HTTPHeader("Host", r.endpoint.hostHeader)])
        let result = signer.presign(signing, payload: .unsigned, date: config.now(), expires: min(max(1, expires), 604_800))
        return r.endpoint.origin + r.endpoint.basePath + SigV4Signer.encodedPath(r.path) + "?"
            + result.query.map {
                SigV4Signer.uriEncode($0.name, keepSlash: false) + "=" + SigV4Signer.uriEncode($0.value, keepSlash: false)
            }.joined(separator: "&")
    }

    /// Uploads an object. `serverSideEncryption` (`aws:kms`, `AES256`) and `kmsKeyId` override the bucket's
    /// default encryption; without them the bucket's default applies.
    public func putObject(bucket: String, key: String, body: Data, contentType: String = "application/octet-stream",
                          serverSideEncryption: String? = nil, kmsKeyId: String? = nil) async throws -> PutObjectOutput {
        var headers = [HTTPHeader("Content-Type", contentType)]
        if let s = serverSideEncryption { headers.append(HTTPHeader("x-amz-server-side-encryption", s)) }
        if let k = kmsKeyId { headers.append(HTTPHeader("x-amz-server-side-encryption-aws-kms-key-id", k)) }
        let r = try await config.execute(try request("PUT", bucket: bucket, key: key, headers: headers, body: body))
        return PutObjectOutput(eTag: r.header("ETag"), versionId: r.header("x-amz-version-id"),
                               encryption: ServerSideEncryption(r), requestId: ResponseErrors.requestId(r))
    }

    public func getObject(bucket: String, key: String) async throws -> GetObjectOutput {
        let r = try await config.execute(try request("GET", bucket: bucket, key: key))
        return GetObjectOutput(body: r.body, contentType: r.header("Content-Type"), eTag: r.header("ETag"),
                               lastModified: r.header("Last-Modified").flatMap(AWSDate.parseHTTP),
                               encryption: ServerSideEncryption(r), requestId: ResponseErrors.requestId(r))
    }

    /// Uploads a file, streamed from disk (never whole in memory); a retry reads it again from the start.
    /// The payload is signed with its SHA-256 (the file is read once to hash it) on http endpoints, and as
    /// `UNSIGNED-PAYLOAD` over https, where TLS protects it, as S3 allows.
    public func putObject(bucket: String, key: String, fileURL: URL, contentType: String = "application/octet-stream",
                          serverSideEncryption: String? = nil, kmsKeyId: String? = nil) async throws -> PutObjectOutput {
        var headers = [HTTPHeader("Content-Type", contentType)]
        if let s = serverSideEncryption { headers.append(HTTPHeader("x-amz-server-side-encryption", s)) }
        if let k = kmsKeyId { headers.append(HTTPHeader("x-amz-server-side-encryption-aws-kms-key-id", k)) }
        var req = try request("PUT", bucket: bucket, key: key, headers: headers)
        req.bodyFile = fileURL
        req.payloadHash = try Self.uploadPayloadHash(fileURL, endpoint: req.endpoint)
        let r = try await config.execute(req)
        return PutObjectOutput(eTag: r.header("ETag"), versionId: r.header("x-amz-version-id"),
                               encryption: ServerSideEncryption(r), requestId: ResponseErrors.requestId(r))
    }

    /// The payload hash `putObject(bucket:key:fileURL:)` signs: `UNSIGNED-PAYLOAD` over TLS; otherwise the
    /// file's SHA-256, computed in chunks.
    public static func uploadPayloadHash(_ file: URL, endpoint: Endpoint) throws -> PayloadHash {
        if endpoint.scheme.lowercased() == "https" {
            _ = try ReadableFile(file)  // fail early and clearly on an unreadable file
            return .unsigned
        }
        return .hex(Crypto.hex(try Crypto.sha256(fileAt: file).digest))
    }

    /// Downloads an object into `destination`, streamed to disk (never whole in memory). The body goes to a
    /// temporary file beside it that replaces `destination` only once the whole body has arrived: a failed
    /// or cut transfer leaves `destination` as it was and no temporary file behind.
    public func getObject(bucket: String, key: String, to destination: URL) async throws -> GetObjectToFileOutput {
        let name = ".\(destination.lastPathComponent).partial-\(UUID().uuidString.prefix(8))"
        let temporary = destination.deletingLastPathComponent().appendingPathComponent(name)
        do {
            var req = try request("GET", bucket: bucket, key: key)
            req.responseFile = temporary
            let r = try await config.execute(req)
            let length: Int
            if let streamed = r.streamedBodyLength {
                length = streamed
            } else {
                // A transport that does not stream (a test double) returned the body in memory.
                try r.body.write(to: temporary)
                length = r.body.count
            }
            guard rename(temporary.path, destination.path) == 0 else {
                throw FileErrors.error("cannot move the download to", destination.path)
            }
            return GetObjectToFileOutput(contentLength: length, contentType: r.header("Content-Type"),
                                         eTag: r.header("ETag"),
                                         lastModified: r.header("Last-Modified").flatMap(AWSDate.parseHTTP),
                                         encryption: ServerSideEncryption(r), requestId: ResponseErrors.requestId(r))
        } catch {
            unlink(temporary.path)
            throw error
        }
    }

    /// Errors of HEAD have no body: a missing object is `NotFound` (404), a refusal `Forbidden` (403).
    public func headObject(bucket: String, key: String) async throws -> HeadObjectOutput {
        let r = try await config.execute(try request("HEAD", bucket: bucket, key: key))
        return HeadObjectOutput(contentLength: r.header("Content-Length").flatMap { Int($0) },
                                contentType: r.header("Content-Type"), eTag: r.header("ETag"),
                                lastModified: r.header("Last-Modified").flatMap(AWSDate.parseHTTP),
                                encryption: ServerSideEncryption(r), requestId: ResponseErrors.requestId(r))
    }

    /// Deletes an object (S3 answers 204 whether or not it existed).
    public func deleteObject(bucket: String, key: String) async throws {
        _ = try await config.execute(try request("DELETE", bucket: bucket, key: key))
    }

    /// One page of ListObjectsV2.
    public func listObjectsV2(bucket: String, prefix: String? = nil, delimiter: String? = nil,
                              maxKeys: Int? = nil, continuationToken: String? = nil) async throws -> ListObjectsV2Output {
        var query = [QueryParameter("list-type", "2")]
        if let p = prefix { query.append(QueryParameter("prefix", p)) }
        if let d = delimiter { query.append(QueryParameter("delimiter", d)) }
        if let m = maxKeys { query.append(QueryParameter("max-keys", String(m))) }
        if let t = continuationToken { query.append(QueryParameter("continuation-token", t)) }
        let r = try await config.execute(try request("GET", bucket: bucket, query: query))
        let xml = try ResponseErrors.parseXML(r, what: "S3 ListObjectsV2")
        guard xml.name == "ListBucketResult" else { throw ResponseErrors.missing("ListBucketResult", r, what: "S3 ListObjectsV2") }
        let objects = xml.all("Contents").map { c in
            S3Object(key: c.value("Key") ?? "", size: c.value("Size").flatMap { Int($0) } ?? 0, eTag: c.value("ETag"),
                     lastModified: c.value("LastModified").flatMap(AWSDate.parse))
        }
        return ListObjectsV2Output(
            objects: objects, commonPrefixes: xml.all("CommonPrefixes").compactMap { $0.value("Prefix") },
            isTruncated: xml.value("IsTruncated") == "true",
            nextContinuationToken: xml.value("NextContinuationToken").flatMap { $0.isEmpty ? nil : $0 },
            keyCount: xml.value("KeyCount").flatMap { Int($0) } ?? objects.count,
            requestId: ResponseErrors.requestId(r))
    }

    /// Every object under `prefix`, following continuation tokens (at most `maxPages` pages).
    public func listAllObjectsV2(bucket: String, prefix: String? = nil, pageSize: Int? = nil,
                                 maxPages: Int = 10_000) async throws -> [S3Object] {
        var all: [S3Object] = []
        var token: String?
        for _ in 0..<maxPages {
            let page = try await listObjectsV2(bucket: bucket, prefix: prefix, maxKeys: pageSize, continuationToken: token)
            all += page.objects
            guard page.isTruncated, let next = page.nextContinuationToken else { return all }
            token = next
        }
        return all
    }

    public func listBuckets() async throws -> ListBucketsOutput {
        let r = try await config.execute(try request("GET", bucket: nil))
        let xml = try ResponseErrors.parseXML(r, what: "S3 ListBuckets")
        guard xml.name == "ListAllMyBucketsResult" else {
            throw ResponseErrors.missing("ListAllMyBucketsResult", r, what: "S3 ListBuckets")
        }
        let buckets = (xml["Buckets"]?.all("Bucket") ?? []).map {
            S3Bucket(name: $0.value("Name") ?? "", creationDate: $0.value("CreationDate").flatMap(AWSDate.parse))
        }
        return ListBucketsOutput(buckets: buckets, ownerId: xml.value("Owner", "ID"), requestId: ResponseErrors.requestId(r))
    }

    /// Creates a bucket in the configuration's region.
    public func createBucket(_ bucket: String) async throws {
        var body = Data()
        if config.region != "us-east-1" {
            body = Data(("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(config.region)</LocationConstraint></CreateBucketConfiguration>").utf8)
        }
        _ = try await config.execute(try request("PUT", bucket: bucket, body: body))
    }

    /// Sets the bucket's default encryption (`AES256`, or `aws:kms` with an optional key).
    public func putBucketEncryption(bucket: String, algorithm: String, kmsKeyId: String? = nil,
                                    bucketKeyEnabled: Bool? = nil) async throws {
        var rule = "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>\(xmlEscape(algorithm))</SSEAlgorithm>"
        if let k = kmsKeyId { rule += "<KMSMasterKeyID>\(xmlEscape(k))</KMSMasterKeyID>" }
        rule += "</ApplyServerSideEncryptionByDefault>"
        if let b = bucketKeyEnabled { rule += "<BucketKeyEnabled>\(b)</BucketKeyEnabled>" }
        let body = "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + "<Rule>\(rule)</Rule></ServerSideEncryptionConfiguration>"
        let data = Data(body.utf8)
        // S3 requires an integrity header on this call: Content-MD5 is not available without MD5, so the
        // SHA-256 checksum header is sent instead.
        let checksum = Data(Crypto.sha256(data)).base64EncodedString()
        _ = try await config.execute(try request("PUT", bucket: bucket, query: [QueryParameter("encryption", "")],
                                                 headers: [HTTPHeader("Content-Type", "application/xml"),
                                                           HTTPHeader("x-amz-checksum-sha256", checksum),
                                                           HTTPHeader("x-amz-sdk-checksum-algorithm", "SHA256")],
                                                 body: data))
    }

    /// The bucket's default encryption rules. A bucket without one fails with
    /// `ServerSideEncryptionConfigurationNotFoundError`.
    public func getBucketEncryption(bucket: String) async throws -> [BucketEncryptionRule] {
        let r = try await config.execute(try request("GET", bucket: bucket, query: [QueryParameter("encryption", "")]))
        let xml = try ResponseErrors.parseXML(r, what: "S3 GetBucketEncryption")
        return xml.all("Rule").compactMap { rule in
            guard let d = rule["ApplyServerSideEncryptionByDefault"], let alg = d.value("SSEAlgorithm") else { return nil }
            return BucketEncryptionRule(algorithm: alg, kmsMasterKeyId: d.value("KMSMasterKeyID"),
                                        bucketKeyEnabled: rule.value("BucketKeyEnabled").map { $0 == "true" })
        }
    }
}

func xmlEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
