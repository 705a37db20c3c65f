import Foundation

/// Every failure of the AWS client: a service error (from the response's XML), an HTTP error whose body is
/// not XML, a transport failure (curl), a malformed response, missing credentials or bad configuration.
///
/// Messages never contain the credentials in use: the client removes them before building the error.
public struct AWSError: Error, LocalizedError, Sendable, Hashable, CustomStringConvertible {
    public enum Category: String, Sendable, Hashable {
        /// The service answered with an error document (`code` is AWS's, e.g. `AccessDenied`).
        case service
        /// An HTTP error status whose body is not an AWS error document (an HTML 502 from a proxy).
        case nonXMLResponse
        /// A 2xx response whose body could not be understood.
        case malformedResponse
        /// The request did not complete: refused, reset, timed out, TLS, DNS (`code` names which).
        case transport
        /// No credentials could be found, or a provider failed.
        case credentials
        /// A bad endpoint, region or config file.
        case configuration
        /// A local file of a streamed transfer could not be opened, read or written (`FileError`).
        case localFile
    }

    public var category: Category
    /// AWS's error code (`AccessDenied`, `NoSuchKey`, ...) or, for other categories, a name of our own
    /// (`ConnectionRefused`, `Timeout`, `NonXMLResponse`, `MalformedResponse`, `NoCredentials`).
    public var code: String
    public var message: String
    public var requestId: String?
    public var httpStatus: Int?

    public init(category: Category, code: String, message: String, requestId: String? = nil, httpStatus: Int? = nil) {
        self.category = category
        self.code = code
        self.message = message
        self.requestId = requestId
        self.httpStatus = httpStatus
    }

    public var errorDescription: String? { description }

    public var description: String {
        var s = code
        if let st = httpStatus { s += " (HTTP \(st))" }
        if !message.isEmpty { s += ": " + message }
        if let r = requestId { s += " [request id \(r)]" }
        return s
    }

    // Codes of the common cases, for comparisons (`error.code == AWSError.Code.accessDenied`).
    public enum Code {
        public static let accessDenied = "AccessDenied"
        public static let invalidClientTokenId = "InvalidClientTokenId"
        public static let invalidAccessKeyId = "InvalidAccessKeyId"
        public static let signatureDoesNotMatch = "SignatureDoesNotMatch"
        public static let expiredToken = "ExpiredToken"
        public static let noSuchBucket = "NoSuchBucket"
        public static let noSuchKey = "NoSuchKey"
        public static let notFound = "NotFound"
        public static let serverSideEncryptionConfigurationNotFound = "ServerSideEncryptionConfigurationNotFoundError"
        public static let connectionRefused = "ConnectionRefused"
        public static let fileError = "FileError"
        public static let connectionReset = "ConnectionReset"
        public static let timeout = "Timeout"
        public static let nonXMLResponse = "NonXMLResponse"
        public static let malformedResponse = "MalformedResponse"
    }

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "ServiceUnavailable",
    ]

    /// AccessDenied, or a bodiless 403 (a HEAD refused).
    public var isAccessDenied: Bool {
        code == Code.accessDenied || code == "AccessDeniedException" || (code == "Forbidden" && httpStatus == 403)
    }
    public var isThrottling: Bool { Self.throttlingCodes.contains(code) || httpStatus == 429 }
    public var isServerError: Bool { (httpStatus ?? 0) >= 500 }
    public var isNotFound: Bool {
        [Code.noSuchKey, Code.noSuchBucket, Code.notFound].contains(code) || httpStatus == 404
    }

    /// Whether the standard retry mode retries this error: throttling, 5xx, transient codes, and transport
    /// failures (never client errors such as AccessDenied).
    public var isRetryable: Bool {
        switch category {
        case .transport: return true
        case .service, .nonXMLResponse:
            return isThrottling || isServerError || Self.transientCodes.contains(code)
        case .malformedResponse, .credentials, .configuration, .localFile: return false
        }
    }

    /// The same error with every occurrence of the given secrets replaced by `<redacted>`.
    func redacting(_ secrets: [String]) -> AWSError {
        var e = self
        e.message = Redact.apply(message, secrets)
        e.code = Redact.apply(code, secrets)
        if let r = requestId { e.requestId = Redact.apply(r, secrets) }
        return e
    }
}

enum Redact {
    static func apply(_ text: String, _ secrets: [String]) -> String {
        var t = text
        for s in secrets where s.count >= 4 && t.contains(s) {
            t = t.replacingOccurrences(of: s, with: "<redacted>")
        }
        return t
    }
}
