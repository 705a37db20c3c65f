import Foundation

/// An AWS access key, with a session token for temporary credentials.
///
/// `description` and `debugDescription` never show the key id, the secret or the token.
public struct Credentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: Date?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String {
        var s = "Credentials(access key: <redacted>, secret: <redacted>"
        if sessionToken != nil { s += ", session token: <redacted>" }
        if let e = expiration { s += ", expires: \(ISO8601DateFormatter().string(from: e))" }
        return s + ")"
    }

    public var debugDescription: String { description }

    /// True when the credentials expire within `margin` seconds of `now`.
    public func isExpired(at now: Date, margin: TimeInterval = 60) -> Bool {
        guard let e = expiration else { return false }
        return e.timeIntervalSince(now) <= margin
    }

    /// The strings that must never appear in output.
    var secrets: [String] {
        [accessKeyId, secretAccessKey, sessionToken].compactMap { $0 }.filter { !$0.isEmpty }
    }
}

/// A source of credentials. Providers are tried in order by `CredentialChain`.
public protocol CredentialProvider: Sendable {
    /// The credentials, or nil when this source has none (so the chain tries the next one).
    /// Throws when the source exists but is broken (an unreadable file, a failed AssumeRole).
    func credentials() async throws -> Credentials?
    /// A short name for messages ("environment", "shared files (profile dev)").
    var name: String { get }
}

/// Fixed credentials given by the caller.
public struct StaticCredentialProvider: CredentialProvider {
    public let value: Credentials
    public init(_ value: Credentials) { self.value = value }
    public func credentials() async throws -> Credentials? { value }
    public var name: String { "explicit" }
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentialProvider: CredentialProvider {
    public let environment: [String: String]
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) { self.environment = environment }

    public func credentials() async throws -> Credentials? { resolve() }

    public func resolve() -> Credentials? {
        guard let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty,
              let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else { return nil }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token)
    }
    public var name: String { "environment" }
}

/// The shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`, sections `[name]`)
/// and the shared config file (`AWS_CONFIG_FILE`, default `~/.aws/config`, sections `[default]` and
/// `[profile name]`), for the profile `AWS_PROFILE` (default `default`). The credentials file wins.
public struct SharedFilesCredentialProvider: CredentialProvider {
    public let files: SharedConfigFiles
    public init(files: SharedConfigFiles) { self.files = files }
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, profile: String? = nil) {
        self.files = SharedConfigFiles(environment: environment, profile: profile)
    }

    public func credentials() async throws -> Credentials? { try resolve() }

    public func resolve() throws -> Credentials? {
        let fromCredentials = try files.credentialsSection()
        let fromConfig = try files.configSection()
        for section in [fromCredentials, fromConfig] {
            guard let s = section, let id = s["aws_access_key_id"], !id.isEmpty,
                  let secret = s["aws_secret_access_key"], !secret.isEmpty else { continue }
            return Credentials(accessKeyId: id, secretAccessKey: secret,
                               sessionToken: s["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 })
        }
        return nil
    }
    public var name: String { "shared files (profile \(files.profile))" }
}

/// The two shared files and the selected profile.
public struct SharedConfigFiles: Sendable {
    public var credentialsFile: URL
    public var configFile: URL
    public var profile: String

    public init(credentialsFile: URL, configFile: URL, profile: String) {
        self.credentialsFile = credentialsFile
        self.configFile = configFile
        self.profile = profile
    }

    public init(environment env: [String: String], profile: String? = nil) {
        let home = env["HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        func path(_ key: String, _ fallback: String) -> URL {
            if let p = env[key], !p.isEmpty {
                let expanded = p.hasPrefix("~/") ? home.appendingPathComponent(String(p.dropFirst(2))).path : p
                return URL(fileURLWithPath: expanded)
            }
            return home.appendingPathComponent(fallback)
        }
        credentialsFile = path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials")
        configFile = path("AWS_CONFIG_FILE", ".aws/config")
        self.profile = profile ?? env["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
    }

    /// The profile's section of the credentials file, nil if the file or the section is missing.
    public func credentialsSection() throws -> [String: String]? {
        try Self.read(credentialsFile)?[profile]
    }

    /// The profile's section of the config file (`[default]` or `[profile name]`).
    public func configSection() throws -> [String: String]? {
        guard let sections = try Self.read(configFile) else { return nil }
        if profile == "default" { return sections["default"] ?? sections["profile default"] }
        return sections["profile " + profile]
    }

    static func read(_ url: URL) throws -> [String: [String: String]]? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw AWSError(category: .configuration, code: "UnreadableConfigFile",
                           message: "cannot read \(url.path): \(error.localizedDescription)")
        }
        return parseINI(text)
    }

    /// A small INI reader: `[section]`, `key = value`, `#` and `;` comments. Section names are trimmed and
    /// inner whitespace collapsed, so `[profile   dev]` is `profile dev`.
    public static func parseINI(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().split(whereSeparator: { $0 == " " || $0 == "\t" })
                    .joined(separator: " ")
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section = current, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            // Nested sub-sections (indented lines such as `s3 =` blocks) are ignored.
            if raw.first == " " || raw.first == "\t" { continue }
            sections[section]?[key] = value
        }
        return sections
    }
}

/// Providers tried in order; the first that yields credentials wins.
public struct CredentialChain: CredentialProvider {
    public let providers: [any CredentialProvider]
    public init(_ providers: [any CredentialProvider]) { self.providers = providers }

    /// Environment, then the shared files.
    public static func `default`(environment: [String: String] = ProcessInfo.processInfo.environment) -> CredentialChain {
        CredentialChain([EnvironmentCredentialProvider(environment: environment),
                         SharedFilesCredentialProvider(environment: environment)])
    }

    public func credentials() async throws -> Credentials? {
        for p in providers {
            if let c = try await p.credentials() { return c }
        }
        return nil
    }

    /// The credentials, or a `.credentials` error naming every source tried.
    public func require() async throws -> Credentials {
        if let c = try await credentials() { return c }
        throw AWSError(category: .credentials, code: "NoCredentials",
                       message: "no AWS credentials found (tried: \(name))")
    }

    public var name: String { providers.map(\.name).joined(separator: ", ") }
}
