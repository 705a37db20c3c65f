import Foundation

/// Where a service is reached: scheme, host, optional port and base path.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?
    public var basePath: String
    /// A user-given endpoint (`AWS_ENDPOINT_URL*`, the sandbox): S3 uses path-style addressing there.
    public var isCustom: Bool

    public init(scheme: String, host: String, port: Int? = nil, basePath: String = "", isCustom: Bool) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
        self.isCustom = isCustom
    }

    /// Parses `http(s)://host[:port][/path]`.
    public init(url: String, isCustom: Bool = true) throws {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = c.host, !host.isEmpty else {
            throw AWSError(category: .configuration, code: "InvalidEndpoint",
                           message: "endpoint '\(url)' is not an http(s)://host[:port] URL")
        }
        self.init(scheme: scheme, host: host, port: c.port,
                  basePath: c.path.hasSuffix("/") ? String(c.path.dropLast()) : c.path, isCustom: isCustom)
    }

    /// The value of the `Host` header: the host, with the port when it is not the scheme's default.
    public var hostHeader: String {
        guard let p = port, !(scheme == "https" && p == 443), !(scheme == "http" && p == 80) else { return host }
        return host + ":" + String(p)
    }

    /// `scheme://host[:port]`
    public var origin: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return scheme + "://" + (port.map { h + ":" + String($0) } ?? h)
    }

    public var description: String { origin + basePath }
}

/// Endpoint resolution: AWS's regional endpoints, or the SDK conventions `AWS_ENDPOINT_URL` (every service)
/// and `AWS_ENDPOINT_URL_<SERVICE>` (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL_IAM`).
public struct EndpointResolver: Sendable {
    /// Service id (lower case: `s3`, `sts`, `iam`) to URL.
    public var overrides: [String: String]
    /// One URL for every service not overridden.
    public var global: String?

    public init(overrides: [String: String] = [:], global: String? = nil) {
        self.overrides = overrides
        self.global = global
    }

    /// Every service at one URL (the sandbox).
    public static func single(_ url: String) -> EndpointResolver { EndpointResolver(global: url) }

    /// Real AWS, no overrides.
    public static let aws = EndpointResolver()

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> EndpointResolver {
        var overrides: [String: String] = [:]
        for service in ["s3", "sts", "iam"] {
            if let v = env["AWS_ENDPOINT_URL_" + service.uppercased()], !v.isEmpty { overrides[service] = v }
        }
        let global = env["AWS_ENDPOINT_URL"].flatMap { $0.isEmpty ? nil : $0 }
        return EndpointResolver(overrides: overrides, global: global)
    }

    /// The endpoint of a service in a region.
    public func endpoint(service: String, region: String) throws -> Endpoint {
        if let url = overrides[service.lowercased()] ?? global { return try Endpoint(url: url, isCustom: true) }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        switch service {
        case "iam":
            return Endpoint(scheme: "https", host: region.hasPrefix("cn-") ? "iam.cn-north-1.\(suffix)" : "iam.\(suffix)",
                            isCustom: false)
        default:
            return Endpoint(scheme: "https", host: "\(service).\(region).\(suffix)", isCustom: false)
        }
    }

    /// The region requests to a service are signed for (IAM is global and signs for us-east-1).
    public func signingRegion(service: String, region: String) -> String {
        if service == "iam" && overrides["iam"] == nil && global == nil {
            return region.hasPrefix("cn-") ? "cn-north-1" : "us-east-1"
        }
        return region
    }
}

/// Region resolution: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `region` in the profile's section of the
/// shared config file; nil when none is set.
public enum RegionResolver {
    public static func resolve(environment env: [String: String] = ProcessInfo.processInfo.environment,
                               profile: String? = nil) -> String? {
        for key in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let r = env[key]?.trimmingCharacters(in: .whitespaces), !r.isEmpty { return r }
        }
        let files = SharedConfigFiles(environment: env, profile: profile)
        if let section = try? files.configSection(), let r = section["region"], !r.isEmpty { return r }
        return nil
    }
}

/// S3 addressing: virtual-hosted (`bucket.s3.region.amazonaws.com/key`) on AWS when the bucket name is
/// DNS-compatible without dots (dots break the TLS wildcard), path-style (`host/bucket/key`) otherwise and
/// always on custom endpoints.
public enum S3Addressing {
    public static func isVirtualHostable(_ bucket: String) -> Bool {
        guard (3...63).contains(bucket.count), !bucket.contains("."), !bucket.hasPrefix("-"), !bucket.hasSuffix("-")
        else { return false }
        return bucket.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" }
    }

    /// The endpoint and the (unencoded) path for a bucket and an optional key.
    public static func locate(bucket: String, key: String?, endpoint: Endpoint, forcePathStyle: Bool)
        -> (endpoint: Endpoint, path: String)
    {
        let keyPath = key.map { "/" + $0 } ?? "/"
        if !forcePathStyle && !endpoint.isCustom && isVirtualHostable(bucket) {
            var e = endpoint
            e.host = bucket + "." + endpoint.host
            return (e, keyPath)
        }
        return (endpoint, "/" + bucket + (key.map { "/" + $0 } ?? ""))
    }
}
