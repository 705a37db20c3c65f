import Foundation

/// The terraform subcommands tfchallenge runs.
public enum TerraformCommand: String, Codable, Sendable, CaseIterable {
    case `init`, validate, plan, apply, destroy, output

    /// Whether terraform streams its machine-readable UI (`-json`, one JSON
    /// message per line) for this command. `validate -json` and `output -json`
    /// print one JSON document at the end instead.
    public var streamsJSON: Bool {
        switch self {
        case .`init`, .plan, .apply, .destroy: return true
        case .validate, .output: return false
        }
    }

    /// Whether the command changes real infrastructure (needs a confirmation).
    public var changesInfrastructure: Bool { self == .apply || self == .destroy }
}

/// The level of a terraform log message (`@level`).
public enum TerraformLogLevel: String, Codable, Sendable, Equatable {
    case trace, debug, info, warn, error
}

/// One diagnostic (error or warning) with where it points in the configuration.
public struct Diagnostic: Codable, Sendable, Equatable {
    public enum Severity: String, Codable, Sendable, Equatable { case error, warning }

    public var severity: Severity
    public var summary: String
    public var detail: String
    /// The resource or module address the diagnostic is about, when terraform names one.
    public var address: String?
    public var filename: String?
    public var startLine: Int?
    public var startColumn: Int?
    public var endLine: Int?
    public var endColumn: Int?
    /// The source line the diagnostic points at, as terraform quotes it.
    public var snippet: String?

    public init(severity: Severity, summary: String, detail: String = "", address: String? = nil,
                filename: String? = nil, startLine: Int? = nil, startColumn: Int? = nil,
                endLine: Int? = nil, endColumn: Int? = nil, snippet: String? = nil) {
        self.severity = severity
        self.summary = summary
        self.detail = detail
        self.address = address
        self.filename = filename
        self.startLine = startLine
        self.startColumn = startColumn
        self.endLine = endLine
        self.endColumn = endColumn
        self.snippet = snippet
    }
}

/// The counts of a plan or an apply ("Plan: 2 to add, 0 to change, 0 to destroy.").
public struct ChangeSummary: Codable, Sendable, Equatable {
    public var add: Int
    public var change: Int
    public var remove: Int
    public var `import`: Int
    /// `plan`, `apply` or `destroy`.
    public var operation: String

    public init(add: Int, change: Int, remove: Int, import: Int = 0, operation: String) {
        self.add = add
        self.change = change
        self.remove = remove
        self.import = `import`
        self.operation = operation
    }
}

/// One terraform output. `valueJSON` is the value as JSON text (`"\"name\""`,
/// `"42"`, `"{...}"`), nil when terraform did not give it (a plan's outputs).
///
/// A sensitive value is kept in memory for the code that needs it (the checks)
/// but never rendered, and never encoded: `encode(to:)` leaves it out, so it
/// cannot reach a session log.
public struct OutputValue: Codable, Sendable, Equatable {
    public var sensitive: Bool
    /// The value's type as terraform's JSON type expression (`"string"`, `["list","string"]`).
    public var typeJSON: String?
    public var valueJSON: String?
    /// A plan's planned action for the output (`create`, `update`, `delete`, `noop`).
    public var action: String?

    public init(sensitive: Bool, typeJSON: String? = nil, valueJSON: String? = nil, action: String? = nil) {
        self.sensitive = sensitive
        self.typeJSON = typeJSON
        self.valueJSON = valueJSON
        self.action = action
    }

    enum CodingKeys: String, CodingKey { case sensitive, typeJSON, valueJSON, action }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sensitive, forKey: .sensitive)
        try c.encodeIfPresent(typeJSON, forKey: .typeJSON)
        if !sensitive { try c.encodeIfPresent(valueJSON, forKey: .valueJSON) }
        try c.encodeIfPresent(action, forKey: .action)
    }

    /// The value without its secret: the same value with `valueJSON` removed when sensitive.
    public var redacted: OutputValue {
        var copy = self
        if sensitive { copy.valueJSON = nil }
        return copy
    }

    /// The value when it is a JSON string, unquoted (`nil` for other types and sensitive values
    /// that were not read).
    public var stringValue: String? {
        guard let json = valueJSON, let data = json.data(using: .utf8),
              let s = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? String
        else { return nil }
        return s
    }
}

/// Everything a terraform run can tell, decoded from its `-json` UI stream
/// (or from its plain lines where terraform has no machine-readable output).
public enum TerraformEvent: Codable, Sendable, Equatable {
    /// `version`: the terraform version and the UI format version.
    case version(terraform: String, ui: String)
    /// `log`, `init_output` and other plain messages.
    case log(level: TerraformLogLevel, message: String)
    /// `planned_change`: terraform plans `action` (create, update, delete, replace, read, ...) on `address`.
    case plannedChange(address: String, action: String)
    /// `resource_drift`: `address` changed outside terraform.
    case resourceDrift(address: String, action: String)
    /// `change_summary`.
    case changeSummary(ChangeSummary)
    /// `refresh_start` / `refresh_complete`.
    case refreshStart(address: String)
    case refreshComplete(address: String)
    /// `apply_start`, `apply_progress`, `apply_complete`, `apply_errored`.
    case applyStart(address: String, action: String)
    case applyProgress(address: String, action: String, elapsed: Int)
    case applyComplete(address: String, action: String, id: String?, elapsed: Int)
    case applyErrored(address: String, action: String, elapsed: Int)
    /// `diagnostic`, and each diagnostic of `validate -json`.
    case diagnostic(Diagnostic)
    /// `outputs` (from plan/apply), or the document `output -json` prints.
    case outputs([String: OutputValue])
    /// A JSON message of a type this decoder does not model: kept, never dropped.
    case message(type: String, level: TerraformLogLevel, text: String)
    /// A line that is not a terraform JSON message (plain output, a crash trace).
    case raw(String)
    /// A line terraform wrote to its standard error.
    case stderr(String)
    /// terraform ended: its exit status (128 + N when killed by signal N).
    case exited(code: Int32)
}
