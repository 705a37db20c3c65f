import Foundation

/// A client of an AWS "query" protocol service (STS, IAM): form-encoded POST, XML response.
public struct QueryService: Sendable {
    public let service: String
    public let version: String
    public let config: AWSConfiguration

    public init(service: String, version: String, config: AWSConfiguration) {
        self.service = service
        self.version = version
        self.config = config
    }

    /// `application/x-www-form-urlencoded` as the AWS SDKs write it (Python's `urlencode`): unreserved
    /// characters stay, a space becomes `+`, everything else `%XX`. Servers that re-encode the parsed form to
    /// check the payload hash (moto) then agree with the bytes that were signed.
    public static func formEncode(_ s: String) -> String {
        SigV4Signer.uriEncode(s, keepSlash: false).replacingOccurrences(of: "%20", with: "+")
    }

    /// Calls `action` with `parameters` and returns the parsed response document and its request id.
    public func call(_ action: String, _ parameters: [(String, String)] = []) async throws -> (XMLNode, String?) {
        let form = ([("Action", action), ("Version", version)] + parameters).map {
            Self.formEncode($0.0) + "=" + Self.formEncode($0.1)
        }.joined(separator: "&")
        let endpoint = try config.endpoints.endpoint(service: service, region: config.region)
        let request = ServiceRequest(
            service: service, method: "POST", endpoint: endpoint, path: "/",
            headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: Data(form.utf8), flavour: .standard,
            signingRegion: config.endpoints.signingRegion(service: service, region: config.region))
        let response = try await config.execute(request)
        let xml = try ResponseErrors.parseXML(response, what: "\(service) \(action)")
        return (xml, xml.find("RequestId")?.text ?? ResponseErrors.requestId(response))
    }
}

/// The result of AssumeRole.
public struct AssumeRoleOutput: Sendable, CustomStringConvertible {
    public var credentials: Credentials
    public var assumedRoleArn: String
    public var assumedRoleId: String
    public var requestId: String?
    public var description: String { "AssumeRoleOutput(\(assumedRoleArn), \(credentials))" }
}

/// The result of GetCallerIdentity.
public struct CallerIdentity: Sendable, Hashable {
    public var account: String
    public var arn: String
    public var userId: String
}

/// AWS Security Token Service.
public struct STS: Sendable {
    public let query: QueryService
    public init(_ config: AWSConfiguration) { query = QueryService(service: "sts", version: "2011-06-15", config: config) }

    /// Temporary credentials of a role. `sessionName` must be 2 to 64 characters.
    public func assumeRole(roleArn: String, sessionName: String, durationSeconds: Int? = nil,
                           externalId: String? = nil, policy: String? = nil) async throws -> AssumeRoleOutput {
        var params = [("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let d = durationSeconds { params.append(("DurationSeconds", String(d))) }
        if let e = externalId { params.append(("ExternalId", e)) }
        if let p = policy { params.append(("Policy", p)) }
        let (xml, requestId) = try await query.call("AssumeRole", params)
        let what = "STS AssumeRole"
        guard let result = xml.find("AssumeRoleResult"), let c = result["Credentials"],
              let id = c.value("AccessKeyId"), let secret = c.value("SecretAccessKey") else {
            throw AWSError(category: .malformedResponse, code: AWSError.Code.malformedResponse,
                           message: "\(what): the response has no credentials", requestId: requestId)
        }
        let creds = Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: c.value("SessionToken"),
                                expiration: c.value("Expiration").flatMap(AWSDate.parse))
        return AssumeRoleOutput(credentials: creds, assumedRoleArn: result.value("AssumedRoleUser", "Arn") ?? "",
                                assumedRoleId: result.value("AssumedRoleUser", "AssumedRoleId") ?? "",
                                requestId: requestId)
    }

    /// Who the credentials belong to.
    public func getCallerIdentity() async throws -> CallerIdentity {
        let (xml, requestId) = try await query.call("GetCallerIdentity")
        guard let r = xml.find("GetCallerIdentityResult"), let arn = r.value("Arn") else {
            throw AWSError(category: .malformedResponse, code: AWSError.Code.malformedResponse,
                           message: "STS GetCallerIdentity: the response has no Arn", requestId: requestId)
        }
        return CallerIdentity(account: r.value("Account") ?? "", arn: arn, userId: r.value("UserId") ?? "")
    }
}

/// Credentials of an assumed role, fetched with the base configuration's credentials and cached until
/// they are within `refreshMargin` seconds of their expiry.
public actor AssumeRoleCredentialProvider: CredentialProvider {
    public nonisolated let roleArn: String
    public nonisolated let sessionName: String
    let sts: STS
    let durationSeconds: Int?
    let refreshMargin: TimeInterval
    let now: @Sendable () -> Date
    private var cached: Credentials?

    public init(roleArn: String, sessionName: String, base: AWSConfiguration, durationSeconds: Int? = nil,
                refreshMargin: TimeInterval = 300) {
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.sts = STS(base)
        self.durationSeconds = durationSeconds
        self.refreshMargin = refreshMargin
        self.now = base.now
    }

    public func credentials() async throws -> Credentials? {
        if let c = cached, !c.isExpired(at: now(), margin: refreshMargin) { return c }
        let fresh = try await sts.assumeRole(roleArn: roleArn, sessionName: sessionName,
                                             durationSeconds: durationSeconds).credentials
        cached = fresh
        return fresh
    }

    public nonisolated var name: String { "assumed role \(roleArn)" }
}
