import Foundation

/// One HTTP header as sent: its name keeps its case, its value is kept as given.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One query parameter, not percent-encoded.
public struct QueryParameter: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// What the signer needs of a request. The path and the query are NOT percent-encoded:
/// the signer (and the transport, through `SigV4Signer.encodedPath`) encode them once.
public struct SigningRequest: Sendable, Hashable {
    public var method: String
    public var path: String
    public var query: [QueryParameter]
    /// Every header here is signed; the `Host` header must be among them.
    public var headers: [HTTPHeader]

    public init(method: String, path: String, query: [QueryParameter] = [], headers: [HTTPHeader]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }

    /// Sets a header, replacing any with the same name (case-insensitive) in place.
    public mutating func setHeader(_ name: String, _ value: String) {
        let lower = name.lowercased()
        var found = false
        headers = headers.compactMap { h in
            guard h.name.lowercased() == lower else { return h }
            if found { return nil }
            found = true
            return HTTPHeader(h.name, value)
        }
        if !found { headers.append(HTTPHeader(name, value)) }
    }
}

/// The last line of the canonical request.
public enum PayloadHash: Sendable, Hashable {
    /// Lower-case hex SHA-256 of the body.
    case hex(String)
    /// `UNSIGNED-PAYLOAD` (S3 presigned URLs, or S3 uploads that do not hash the body).
    case unsigned

    public static let empty = PayloadHash.hex(Crypto.emptySHA256)
    public static func of<D: ContiguousBytes>(_ body: D) -> PayloadHash { .hex(Crypto.hex(Crypto.sha256(body))) }

    public var value: String {
        switch self {
        case .hex(let h): return h
        case .unsigned: return "UNSIGNED-PAYLOAD"
        }
    }
}

/// How a service wants requests signed.
public struct SigningFlavour: Sendable, Hashable {
    /// Remove `.`/`..` segments and collapse `//` before encoding the path (every service but S3).
    public var normalizePath: Bool
    /// Send and sign `x-amz-content-sha256` with the payload hash (S3).
    public var contentSHA256Header: Bool
    /// Add the session token after signing instead of signing it (a few legacy services).
    public var omitSessionToken: Bool

    public init(normalizePath: Bool, contentSHA256Header: Bool, omitSessionToken: Bool = false) {
        self.normalizePath = normalizePath
        self.contentSHA256Header = contentSHA256Header
        self.omitSessionToken = omitSessionToken
    }

    /// STS, IAM and the other query/JSON services.
    public static let standard = SigningFlavour(normalizePath: true, contentSHA256Header: false)
    /// S3: the path is signed as sent (no normalisation, encoded once) and the payload hash is a header.
    public static let s3 = SigningFlavour(normalizePath: false, contentSHA256Header: true)
}

/// The canonical request and the list of signed header names.
public struct CanonicalRequest: Sendable, Hashable {
    public var text: String
    public var signedHeaders: String
}

/// Everything signing produced, stage by stage.
public struct SigningResult: Sendable, Hashable {
    public var canonicalRequest: CanonicalRequest
    public var stringToSign: String
    public var signature: String
    /// Header signing: the headers to send (the request's, plus date, token, content hash and Authorization).
    /// Presigning: the request's headers unchanged.
    public var headers: [HTTPHeader]
    /// Header signing: the request's query. Presigning: the query to send, with the `X-Amz-*` parameters
    /// and `X-Amz-Signature` last.
    public var query: [QueryParameter]

    /// The `Authorization` header's value, when header-signed.
    public var authorization: String? {
        headers.first { $0.name == "Authorization" }?.value
    }
}

/// AWS Signature Version 4, as a pure value: the date is always passed in.
///
/// Stages carry the specification's names: `canonicalRequest`, `stringToSign`, `signingKey`, `signature`.
public struct SigV4Signer: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"

    public var credentials: Credentials
    public var region: String
    public var service: String
    public var flavour: SigningFlavour

    public init(credentials: Credentials, region: String, service: String, flavour: SigningFlavour) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.flavour = flavour
    }

    // MARK: stages

    /// Task 1: the canonical request.
    public func canonicalRequest(_ request: SigningRequest, payload: PayloadHash) -> CanonicalRequest {
        let path = SigV4Signer.canonicalURI(request.path, normalize: flavour.normalizePath)
        let query = SigV4Signer.canonicalQuery(request.query)
        let (headerLines, signed) = SigV4Signer.canonicalHeaders(request.headers)
        let text = request.method + "\n" + path + "\n" + query + "\n" + headerLines + "\n" + signed + "\n" + payload.value
        return CanonicalRequest(text: text, signedHeaders: signed)
    }

    /// Task 2: the string to sign.
    public func stringToSign(canonicalRequest: String, date: Date) -> String {
        let d = AMZDate(date)
        return SigV4Signer.algorithm + "\n" + d.long + "\n" + scope(d) + "\n"
            + Crypto.hex(Crypto.sha256(canonicalRequest))
    }

    /// Task 3: the signing key, derived from the secret, the day, the region and the service.
    public func signingKey(date: Date) -> [UInt8] {
        let d = AMZDate(date)
        let kDate = Crypto.hmacSHA256(key: Array(("AWS4" + credentials.secretAccessKey).utf8), d.short)
        let kRegion = Crypto.hmacSHA256(key: kDate, region)
        let kService = Crypto.hmacSHA256(key: kRegion, service)
        return Crypto.hmacSHA256(key: kService, "aws4_request")
    }

    /// Task 4: the signature, lower-case hex.
    public func signature(stringToSign: String, signingKey: [UInt8]) -> String {
        Crypto.hex(Crypto.hmacSHA256(key: signingKey, stringToSign))
    }

    /// The credential scope: `yyyymmdd/region/service/aws4_request`.
    public func scope(date: Date) -> String { scope(AMZDate(date)) }

    func scope(_ d: AMZDate) -> String { d.short + "/" + region + "/" + service + "/aws4_request" }

    // MARK: signing

    /// Signs with the `Authorization` header. Adds `X-Amz-Date`, the session token (signed unless the flavour
    /// omits it) and, for S3, `x-amz-content-sha256`.
    public func signHeaders(_ request: SigningRequest, payload: PayloadHash, date: Date) -> SigningResult {
        let d = AMZDate(date)
        var toSign = request
        toSign.setHeader("X-Amz-Date", d.long)
        if let token = credentials.sessionToken, !flavour.omitSessionToken {
            toSign.setHeader("X-Amz-Security-Token", token)
        }
        if flavour.contentSHA256Header {
            toSign.setHeader("x-amz-content-sha256", payload.value)
        }
        let canonical = canonicalRequest(toSign, payload: payload)
        let sts = stringToSign(canonicalRequest: canonical.text, date: date)
        let sig = signature(stringToSign: sts, signingKey: signingKey(date: date))
        var headers = toSign.headers
        if let token = credentials.sessionToken, flavour.omitSessionToken {
            headers.append(HTTPHeader("X-Amz-Security-Token", token))
        }
        headers.append(HTTPHeader("Authorization",
                                  "\(SigV4Signer.algorithm) Credential=\(credentials.accessKeyId)/\(scope(d)), "
                                  + "SignedHeaders=\(canonical.signedHeaders), Signature=\(sig)"))
        return SigningResult(canonicalRequest: canonical, stringToSign: sts, signature: sig,
                             headers: headers, query: request.query)
    }

    /// Presigns: the authentication goes into the query string, valid for `expires` seconds.
    /// S3 presigned URLs use `payload: .unsigned`.
    public func presign(_ request: SigningRequest, payload: PayloadHash, date: Date, expires: Int) -> SigningResult {
        let d = AMZDate(date)
        let (_, signedNames) = SigV4Signer.canonicalHeaders(request.headers)
        var auth = [
            QueryParameter("X-Amz-Algorithm", SigV4Signer.algorithm),
            QueryParameter("X-Amz-Credential", credentials.accessKeyId + "/" + scope(d)),
            QueryParameter("X-Amz-Date", d.long),
            QueryParameter("X-Amz-Expires", String(expires)),
            QueryParameter("X-Amz-SignedHeaders", signedNames),
        ]
        if let token = credentials.sessionToken, !flavour.omitSessionToken {
            auth.append(QueryParameter("X-Amz-Security-Token", token))
        }
        var toSign = request
        toSign.query += auth
        let canonical = canonicalRequest(toSign, payload: payload)
        let sts = stringToSign(canonicalRequest: canonical.text, date: date)
        let sig = signature(stringToSign: sts, signingKey: signingKey(date: date))
        var query = toSign.query
        if let token = credentials.sessionToken, flavour.omitSessionToken {
            query.append(QueryParameter("X-Amz-Security-Token", token))
        }
        query.append(QueryParameter("X-Amz-Signature", sig))
        return SigningResult(canonicalRequest: canonical, stringToSign: sts, signature: sig,
                             headers: request.headers, query: query)
    }

    // MARK: canonical pieces

    /// The path as signed: normalised when asked, then URI-encoded once, keeping `/`.
    public static func canonicalURI(_ path: String, normalize: Bool) -> String {
        var p = path.isEmpty ? "/" : path
        if normalize { p = normalizedPath(p) }
        return uriEncode(p, keepSlash: true)
    }

    /// The path as sent on the wire by the transport: encoded exactly like the signed path, never normalised.
    public static func encodedPath(_ path: String) -> String {
        uriEncode(path.isEmpty ? "/" : path, keepSlash: true)
    }

    /// Removes `.` and `..` segments and empty segments, keeping a trailing `/`.
    public static func normalizedPath(_ path: String) -> String {
        var out: [Substring] = []
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        for part in parts {
            if part == "." { continue }
            if part == ".." { if !out.isEmpty { out.removeLast() }; continue }
            out.append(part)
        }
        var result = "/" + out.joined(separator: "/")
        if path.hasSuffix("/") && !out.isEmpty { result += "/" }
        return result
    }

    /// Sorted by encoded name, then by encoded value, byte-wise.
    public static func canonicalQuery(_ query: [QueryParameter]) -> String {
        query.map { (uriEncode($0.name, keepSlash: false), uriEncode($0.value, keepSlash: false)) }
            .sorted { a, b in
                if a.0 != b.0 { return a.0.utf8.lexicographicallyPrecedes(b.0.utf8) }
                return a.1.utf8.lexicographicallyPrecedes(b.1.utf8)
            }
            .map { $0.0 + "=" + $0.1 }
            .joined(separator: "&")
    }

    /// The canonical header block (each line ending in `\n`) and the signed header names.
    /// Names are lower-cased and sorted; values trimmed with inner runs of whitespace collapsed; repeated
    /// names joined with `,` in request order.
    public static func canonicalHeaders(_ headers: [HTTPHeader]) -> (String, String) {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for h in headers {
            let name = h.name.lowercased()
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(collapseWhitespace(h.value))
        }
        let names = order.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var block = ""
        for n in names { block += n + ":" + (values[n] ?? []).joined(separator: ",") + "\n" }
        return (block, names.joined(separator: ";"))
    }

    static func collapseWhitespace(_ value: String) -> String {
        // Most values need nothing: no leading or trailing whitespace, no tab, newline or double space.
        var clean = true
        var previousSpace = true  // a leading space is not clean
        for b in value.utf8 {
            if b == 0x09 || b == 0x0a || b == 0x0d || (b == 0x20 && previousSpace) { clean = false; break }
            previousSpace = b == 0x20
        }
        if clean && !previousSpace || value.isEmpty { return value }
        var out = ""
        var pendingSpace = false
        for scalar in value.unicodeScalars {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.unicodeScalars.append(" "); pendingSpace = false }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// RFC 3986 encoding as SigV4 wants it: unreserved characters stay, every other UTF-8 byte becomes `%XX`
    /// (upper case). `/` stays when `keepSlash` (paths) and becomes `%2F` otherwise (query parts).
    public static func uriEncode(_ string: String, keepSlash: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count)
        for b in string.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(b)
            case UInt8(ascii: "/") where keepSlash:
                out.append(b)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(b >> 4)])
                out.append(upperHex[Int(b & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The two date forms SigV4 uses, from a `Date`, in UTC, without a formatter.
struct AMZDate {
    /// `yyyyMMdd'T'HHmmss'Z'`
    let long: String
    /// `yyyyMMdd`
    let short: String

    init(_ date: Date) {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let day = "\(parts.tm_year + 1900)" + two(parts.tm_mon + 1) + two(parts.tm_mday)
        short = day
        long = day + "T" + two(parts.tm_hour) + two(parts.tm_min) + two(parts.tm_sec) + "Z"
    }
}
