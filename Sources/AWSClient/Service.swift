import Foundation
import TFCSupport

/// Everything a service client needs: region, credentials, endpoints, transport, retry policy, clock.
/// A value: derive variants with `with(credentials:)`; they share the transport and so its connections.
public struct AWSConfiguration: Sendable {
    public var region: String
    public var credentials: any CredentialProvider
    public var endpoints: EndpointResolver
    public var transport: any HTTPTransport
    public var retry: RetryPolicy
    /// Path-style S3 addressing even on AWS endpoints (always used on custom endpoints).
    public var forcePathStyle: Bool
    /// The clock used for signing dates and credential expiry.
    public var now: @Sendable () -> Date

    public init(region: String, credentials: any CredentialProvider,
                endpoints: EndpointResolver = .fromEnvironment(),
                transport: any HTTPTransport = CurlTransport.shared,
                retry: RetryPolicy = .standard, forcePathStyle: Bool = false,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.region = region
        self.credentials = credentials
        self.endpoints = endpoints
        self.transport = transport
        self.retry = retry
        self.forcePathStyle = forcePathStyle
        self.now = now
    }

    public init(region: String, credentials: Credentials, endpoints: EndpointResolver = .fromEnvironment(),
                transport: any HTTPTransport = CurlTransport.shared, retry: RetryPolicy = .standard) {
        self.init(region: region, credentials: StaticCredentialProvider(credentials), endpoints: endpoints,
                  transport: transport, retry: retry)
    }

    /// From the environment and the shared files: the default credential chain, `AWS_REGION` /
    /// `AWS_DEFAULT_REGION` / config file (else us-east-1), `AWS_ENDPOINT_URL*`, `AWS_CA_BUNDLE`.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment)
        -> AWSConfiguration
    {
        let transport: CurlTransport = env["AWS_CA_BUNDLE"].map { !$0.isEmpty } == true
            ? CurlTransport(options: .fromEnvironment(env)) : .shared
        return AWSConfiguration(region: RegionResolver.resolve(environment: env) ?? "us-east-1",
                                credentials: CredentialChain.default(environment: env),
                                endpoints: .fromEnvironment(env), transport: transport)
    }

    /// The same configuration with other credentials.
    public func with(credentials: Credentials) -> AWSConfiguration {
        var c = self
        c.credentials = StaticCredentialProvider(credentials)
        return c
    }

    public func with(credentials provider: any CredentialProvider) -> AWSConfiguration {
        var c = self
        c.credentials = provider
        return c
    }

    func resolveCredentials() async throws -> Credentials {
        if let c = try await credentials.credentials() { return c }
        throw AWSError(category: .credentials, code: "NoCredentials",
                       message: "no AWS credentials found (tried: \(credentials.name))")
    }
}

/// One request to a service, before signing. Path and query are not percent-encoded.
struct ServiceRequest: Sendable {
    var service: String
    var method: String
    var endpoint: Endpoint
    var path: String
    var query: [QueryParameter] = []
    var headers: [HTTPHeader] = []
    var body = Data()
    /// A streamed upload (see `HTTPRequest.bodyFile`); `payloadHash` must then be given.
    var bodyFile: URL?
    /// A 2xx body streamed to this file (see `HTTPRequest.responseFile`).
    var responseFile: URL?
    /// The payload hash to sign; nil hashes `body`.
    var payloadHash: PayloadHash?
    var flavour: SigningFlavour
    var signingRegion: String
}

extension AWSConfiguration {
    static let userAgent = "tfchallenge/\(TFChallengeVersion.current)"

    /// Signs (afresh for every attempt), sends with retries, and turns error responses into `AWSError`.
    /// No credential ever appears in a thrown error.
    func execute(_ request: ServiceRequest) async throws -> HTTPResponse {
        let creds = try await resolveCredentials()
        do {
            return try await retry.run { _ in
                let http = sign(request, credentials: creds, date: now())
                let response = try await transport.send(http)
                if (200..<300).contains(response.status) { return response }
                throw ResponseErrors.error(from: response, method: request.method)
            }
        } catch let error as AWSError {
            throw error.redacting(creds.secrets)
        }
    }

    func sign(_ request: ServiceRequest, credentials: Credentials, date: Date) -> HTTPRequest {
        let signer = SigV4Signer(credentials: credentials, region: request.signingRegion,
                                 service: request.service, flavour: request.flavour)
        var headers = [HTTPHeader("Host", request.endpoint.hostHeader)]
        headers += request.headers
        let signing = SigningRequest(method: request.method, path: request.path, query: request.query,
                                     headers: headers)
        let result = signer.signHeaders(signing, payload: request.payloadHash ?? .of(request.body),
                                          date: date)
        var url = request.endpoint.origin + request.endpoint.basePath + SigV4Signer.encodedPath(request.path)
        if !request.query.isEmpty {
            url += "?" + request.query.map {
                SigV4Signer.uriEncode($0.name, keepSlash: false) + "=" + SigV4Signer.uriEncode($0.value, keepSlash: false)
            }.joined(separator: "&")
        }
        return HTTPRequest(method: request.method, url: url,
                           headers: result.headers + [HTTPHeader("User-Agent", Self.userAgent)], body: request.body,
                           bodyFile: request.bodyFile, responseFile: request.responseFile)
    }
}

/// Error responses to `AWSError`.
enum ResponseErrors {
    static func requestId(_ response: HTTPResponse) -> String? {
        response.header("x-amz-request-id") ?? response.header("x-amzn-RequestId")
    }

    static func error(from response: HTTPResponse, method: String) -> AWSError {
        let status = response.status
        let headerId = requestId(response)
        if response.body.isEmpty {
            let code: String
            switch status {
            case 301: code = "PermanentRedirect"
            case 400: code = "BadRequest"
            case 403: code = "Forbidden"
            case 404: code = AWSError.Code.notFound
            case 409: code = "Conflict"
            case 412: code = "PreconditionFailed"
            case 429: code = "TooManyRequests"
            case 500: code = "InternalError"
            case 503: code = "ServiceUnavailable"
            default: code = "HTTP\(status)"
            }
            let why = method == "HEAD" ? "a HEAD response carries no error details" : "the response has no body"
            return AWSError(category: .service, code: code, message: "HTTP \(status); \(why)",
                            requestId: headerId, httpStatus: status)
        }
        if let xml = try? XMLNode.parse(response.body), let err = xml.find("Error"), let code = err.value("Code"),
           !code.isEmpty {
            return AWSError(category: .service, code: code, message: err.value("Message") ?? "",
                            requestId: err.value("RequestId") ?? xml.value("RequestId") ?? headerId,
                            httpStatus: status)
        }
        let type = response.header("Content-Type") ?? "no content type"
        return AWSError(category: .nonXMLResponse, code: AWSError.Code.nonXMLResponse,
                        message: "HTTP \(status) with a body that is not an AWS error document (\(type)): "
                            + snippet(response.body),
                        requestId: headerId, httpStatus: status)
    }

    /// A short, single-line excerpt of a body: an HTML page's title, else its first characters.
    static func snippet(_ body: Data) -> String {
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        if let start = text.range(of: "<title>", options: .caseInsensitive),
           let end = text.range(of: "</title>", options: .caseInsensitive, range: start.upperBound..<text.endIndex) {
            return "\"" + text[start.upperBound..<end.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines) + "\""
        }
        let flat = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return "\"" + (flat.count > 120 ? String(flat.prefix(120)) + "…" : flat) + "\""
    }

    /// Parses a 2xx body, or throws `.malformedResponse`.
    static func parseXML(_ response: HTTPResponse, what: String) throws -> XMLNode {
        do {
            return try XMLNode.parse(response.body)
        } catch {
            throw AWSError(category: .malformedResponse, code: AWSError.Code.malformedResponse,
                           message: "\(what): the response is not valid XML (\(error))",
                           requestId: requestId(response), httpStatus: response.status)
        }
    }

    static func missing(_ field: String, _ response: HTTPResponse, what: String) -> AWSError {
        AWSError(category: .malformedResponse, code: AWSError.Code.malformedResponse,
                 message: "\(what): the response has no \(field)", requestId: requestId(response),
                 httpStatus: response.status)
    }
}

/// ISO 8601 dates as AWS writes them, with or without fractional seconds.
enum AWSDate {
    static func parse(_ s: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let d = plain.date(from: s) { return d }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = fractional.date(from: s) { return d }
        // "2026-01-01T00:00:00.123456+00:00" and similar: drop the fraction.
        if let dot = s.firstIndex(of: "."), let tz = s[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            return plain.date(from: String(s[..<dot]) + String(s[tz...]))
        }
        return nil
    }

    /// RFC 1123 (`Last-Modified`).
    static func parseHTTP(_ s: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: s)
    }
}
