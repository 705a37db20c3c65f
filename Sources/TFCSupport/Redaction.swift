import Foundation

/// Scrubs secrets out of text before it reaches a log, a screen or an error message.
///
/// A `Redactor` knows two kinds of secret:
/// - literal values it was given: access key ids, secret keys, session tokens,
///   values Terraform marks sensitive, secret-looking environment variables;
/// - patterns: an AWS access key id (`AKIA`/`ASIA` followed by 16 upper-case
///   letters or digits), and a 40-character secret-key-like word that follows the
///   word "secret" closely (`aws_secret_access_key = ...`, `"SecretAccessKey": "..."`).
///
/// Every occurrence is replaced by `Redactor.marker`. A redactor never prints its
/// secrets: its description only counts them.
public struct Redactor: Sendable, Equatable {
    /// What replaces a secret.
    public static let marker = "[REDACTED]"
    /// Literal secrets shorter than this are not scrubbed: a 1-3 character value
    /// would match all over ordinary text and make the log unreadable, and it is
    /// not a credential.
    public static let minimumLength = 4

    /// The literal secrets, longest first (so a secret that contains another is
    /// replaced whole).
    private var literals: [String] = []

    public init(secrets: [String] = []) {
        for s in secrets { add(s) }
    }

    /// The number of literal secrets held.
    public var count: Int { literals.count }

    /// Adds one literal secret. Empty and too-short values are ignored.
    public mutating func add(_ secret: String) {
        let trimmed = secret.trimmingWhitespace()
        for value in Set([secret, trimmed]) where value.utf8.count >= Self.minimumLength {
            if literals.contains(value) { continue }
            let i = literals.firstIndex { $0.utf8.count < value.utf8.count } ?? literals.count
            literals.insert(value, at: i)
        }
    }

    /// Adds a set of AWS credentials.
    public mutating func add(accessKeyId: String?, secretAccessKey: String?, sessionToken: String?) {
        for v in [accessKeyId, secretAccessKey, sessionToken] { if let v { add(v) } }
    }

    /// Adds every secret this redactor does not have yet from `other`.
    public mutating func merge(_ other: Redactor) {
        for s in other.literals { add(s) }
    }

    /// Environment variables whose values are always secrets.
    public static let secretEnvironmentNames: Set<String> = [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    ]

    /// Words that make an environment variable's value a secret (`GITHUB_TOKEN`,
    /// `DB_PASSWORD`, `TF_VAR_client_secret`, ...).
    static let secretNameWords = ["SECRET", "TOKEN", "PASSWORD", "PASSWD", "CREDENTIAL", "PRIVATE_KEY", "API_KEY"]

    /// A redactor holding the secrets of an environment: the AWS credential
    /// variables, and any variable whose name says it holds a secret.
    public static func fromEnvironment(_ environment: [String: String]) -> Redactor {
        var r = Redactor()
        for (name, value) in environment {
            let upper = name.uppercased()
            if secretEnvironmentNames.contains(upper) || secretNameWords.contains(where: { upper.contains($0) }) {
                r.add(value)
            }
        }
        return r
    }

    /// Adds the values `terraform output -json` marks sensitive: every string,
    /// number or boolean inside an output whose `"sensitive"` is true.
    /// Returns how many outputs were sensitive. Text that is not such JSON adds nothing.
    @discardableResult
    public mutating func addSensitiveOutputs(terraformOutputJSON text: String) -> Int {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return 0 }
        var n = 0
        for (_, output) in object {
            guard let o = output as? [String: Any], (o["sensitive"] as? Bool) == true else { continue }
            n += 1
            addLeaves(of: o["value"])
        }
        return n
    }

    /// Adds every scalar inside a JSON-like value (as produced by JSONSerialization).
    public mutating func addLeaves(of value: Any?) {
        switch value {
        case let s as String: add(s)
        case let a as [Any]: for v in a { addLeaves(of: v) }
        case let d as [String: Any]: for (_, v) in d { addLeaves(of: v) }
        case let n as NSNumber: add(n.stringValue)
        default: break
        }
    }

    /// `text` with every secret replaced by `Redactor.marker`.
    public func redact(_ text: String) -> String {
        var out = text
        for secret in literals where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: Self.marker)
        }
        out = Self.redactAccessKeyIds(out)
        out = Self.redactKeyedSecrets(out)
        return out
    }

    /// Whether `text` holds anything this redactor would scrub.
    public func containsSecret(_ text: String) -> Bool {
        redact(text) != text
    }

    // MARK: patterns

    private static func isUpperAlnum(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39)
    }

    private static func isSecretKeyChar(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2B || b == 0x2F
    }

    /// Replaces `AKIA`/`ASIA` followed by 16 upper-case letters or digits.
    static func redactAccessKeyIds(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return text }
        var out: [UInt8] = []
        var changed = false
        var i = 0
        let marker = Array(Self.marker.utf8)
        while i < bytes.count {
            if bytes[i] == 0x41, i + 20 <= bytes.count,  // 'A'
               (bytes[i + 1] == 0x4B && bytes[i + 2] == 0x49 && bytes[i + 3] == 0x41)       // KIA
                || (bytes[i + 1] == 0x53 && bytes[i + 2] == 0x49 && bytes[i + 3] == 0x41),  // SIA
               (i + 4..<i + 20).allSatisfy({ isUpperAlnum(bytes[$0]) }) {
                if !changed { out.reserveCapacity(bytes.count); out.append(contentsOf: bytes[0..<i]); changed = true }
                out.append(contentsOf: marker)
                i += 20
                continue
            }
            if changed { out.append(bytes[i]) }
            i += 1
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    /// Replaces a run of exactly 40 secret-key characters (letters, digits, `+`, `/`)
    /// that starts within 40 bytes after the word "secret" (any case).
    static func redactKeyedSecrets(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 46 else { return text }
        let word: [UInt8] = Array("secret".utf8)
        var hits: [Range<Int>] = []
        var i = 0
        while i + word.count <= bytes.count {
            var match = true
            for k in 0..<word.count where bytes[i + k] | 0x20 != word[k] { match = false; break }
            guard match else { i += 1; continue }
            // Find the first run of secret-key characters of length exactly 40 after the word.
            var j = i + word.count
            let limit = min(bytes.count, j + 40)
            while j < limit {
                guard isSecretKeyChar(bytes[j]) else { j += 1; continue }
                var e = j
                while e < bytes.count && isSecretKeyChar(bytes[e]) { e += 1 }
                if e - j == 40 { hits.append(j..<e); break }
                j = e
            }
            i += word.count
        }
        guard !hits.isEmpty else { return text }
        var out: [UInt8] = []
        var last = 0
        for h in hits where h.lowerBound >= last {
            out.append(contentsOf: bytes[last..<h.lowerBound])
            out.append(contentsOf: Self.marker.utf8)
            last = h.upperBound
        }
        out.append(contentsOf: bytes[last...])
        return String(decoding: out, as: UTF8.self)
    }

    public static func == (a: Redactor, b: Redactor) -> Bool { a.literals == b.literals }
}

extension Redactor: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "Redactor(\(literals.count) secrets)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["count": literals.count]) }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

