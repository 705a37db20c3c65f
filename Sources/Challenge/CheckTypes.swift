/// Value types shared by the checks, the TUI and the session log.

/// One TODO or FIXME comment found in a workspace's Terraform files.
public struct TodoItem: Codable, Sendable, Equatable, Hashable {
    /// The file's path relative to the workspace, with `/` separators.
    public var file: String
    /// 1-based line of the comment's marker.
    public var line: Int
    /// The comment's text from the marker on (e.g. `TODO: attach the write policy`).
    public var text: String

    public init(file: String, line: Int, text: String) {
        self.file = file
        self.line = line
        self.text = text
    }
}

/// The four live checks, in the order they are shown.
public enum CheckName: String, Codable, Sendable, CaseIterable {
    case write, read, list, isolation
}

/// The outcome of one check. `pending` and `running` exist for screens that
/// show a round in progress; a finished round only holds the other four.
public enum CheckStatus: String, Codable, Sendable {
    /// The check succeeded.
    case pass
    /// AWS answered and the answer is wrong (refused, or allowed when it must not be).
    case fail
    /// The check could not start: the role could not be assumed, or an input is missing.
    case blocked
    /// Something other than the candidate's code went wrong (network, timeout, unexpected reply).
    case error
    case pending
    case running
}

/// The result of one check.
public struct CheckResult: Codable, Sendable, Equatable {
    public var name: CheckName
    public var status: CheckStatus
    /// Wall time of the check's own calls, in milliseconds.
    public var durationMs: Int
    /// The AWS error code (e.g. `AccessDenied`), when AWS refused.
    public var errorCode: String?
    /// What happened, in one line.
    public var message: String
    /// The likely cause and where to look, from the challenge's hints; empty on a pass.
    public var explanation: String

    public init(name: CheckName, status: CheckStatus, durationMs: Int = 0, errorCode: String? = nil,
                message: String, explanation: String = "") {
        self.name = name
        self.status = status
        self.durationMs = durationMs
        self.errorCode = errorCode
        self.message = message
        self.explanation = explanation
    }

    enum CodingKeys: String, CodingKey {
        case name, status
        case durationMs = "duration_ms"
        case errorCode = "error_code"
        case message, explanation
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(CheckName.self, forKey: .name)
        status = try c.decode(CheckStatus.self, forKey: .status)
        durationMs = try c.decode(Int.self, forKey: .durationMs)
        errorCode = try c.decodeIfPresent(String.self, forKey: .errorCode)
        message = try c.decode(String.self, forKey: .message)
        explanation = try c.decodeIfPresent(String.self, forKey: .explanation) ?? ""
    }

    /// Encodes `error_code` as `null` when absent, so the JSON schema has every key.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(status, forKey: .status)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(errorCode, forKey: .errorCode)
        try c.encode(message, forKey: .message)
        try c.encode(explanation, forKey: .explanation)
    }
}
