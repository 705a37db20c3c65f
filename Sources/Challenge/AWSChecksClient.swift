import AWSClient
import Foundation

extension CheckCallError {
    /// The checks' view of an AWS client error. Messages of `AWSError` hold no secrets.
    init(_ error: any Error) {
        guard let e = error as? AWSError else {
            self.init(kind: .transport, code: "Error", message: String(describing: error))
            return
        }
        switch e.category {
        case .service:
            self.init(kind: .service, code: e.code, message: e.message, httpStatus: e.httpStatus)
        case .credentials, .configuration:
            self.init(kind: .credentials, code: e.code, message: e.message, httpStatus: e.httpStatus)
        case .transport, .nonXMLResponse, .malformedResponse, .localFile:
            self.init(kind: .transport, code: e.code, message: e.message, httpStatus: e.httpStatus)
        }
    }
}

/// The checks' calls made with the AWS client: STS with the client's
/// credentials, then S3 with the role's. Every client of one process shares
/// the transport's connections.
public struct AWSChecksClient: ClientCalls {
    public var base: AWSConfiguration

    /// Retries for the checks: one more attempt, soon, so a round stays short
    /// when the endpoint is down.
    public static let retry = RetryPolicy(maxAttempts: 2, baseDelay: 0.2, maxBackoff: 1)

    /// A transport whose timeouts bound a round (connect 3 s, a call 10 s).
    public static let transport = CurlTransport(options: {
        var o = TransportOptions.fromEnvironment()
        o.connectTimeout = 3
        o.timeout = 10
        return o
    }())

    public init(base: AWSConfiguration) {
        self.base = base
    }

    public func assumeRole(roleArn: String, sessionName: String) async throws(CheckCallError) -> any RoleS3Calls {
        do {
            let out = try await STS(base).assumeRole(roleArn: roleArn, sessionName: sessionName, durationSeconds: 900)
            return RoleS3(s3: S3(base.with(credentials: out.credentials)))
        } catch {
            throw CheckCallError(error)
        }
    }

    struct RoleS3: RoleS3Calls {
        var s3: S3

        func putObject(bucket: String, key: String, body: Data) async throws(CheckCallError) -> WriteReply {
            do {
                let out = try await s3.putObject(bucket: bucket, key: key, body: body, contentType: "text/plain")
                return WriteReply(algorithm: out.encryption.algorithm, kmsKeyId: out.encryption.kmsKeyId)
            } catch {
                throw CheckCallError(error)
            }
        }

        func getObject(bucket: String, key: String) async throws(CheckCallError) -> Data {
            do {
                return try await s3.getObject(bucket: bucket, key: key).body
            } catch {
                throw CheckCallError(error)
            }
        }

        func listObjectKeys(bucket: String) async throws(CheckCallError) -> [String] {
            do {
                return try await s3.listAllObjectsV2(bucket: bucket, maxPages: 20).map(\.key)
            } catch {
                throw CheckCallError(error)
            }
        }

        func listBuckets() async throws(CheckCallError) -> [String] {
            do {
                return try await s3.listBuckets().buckets.map(\.name)
            } catch {
                throw CheckCallError(error)
            }
        }
    }
}
