/// The whole screen's state: a plain value, changed only by `update`.

/// Where the screen's panes are.
public enum Pane: String, Sendable, Codable, CaseIterable, Hashable {
    case todos, output, checks
}

/// A place in a workspace file, as a path relative to the workspace.
public struct SourceLocation: Sendable, Codable, Hashable {
    public var file: String
    public var line: Int
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }
}

/// One line of a terraform output pane.
public struct OutputLine: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case normal, dim, note, added, changed, removed, error, warning, success }
    public var text: String
    public var kind: Kind
    public init(_ text: String, kind: Kind = .normal) {
        self.text = text
        self.kind = kind
    }
}

/// A diagnostic of a run that points at a file: Enter on it opens the editor.
public struct RunDiagnostic: Sendable, Equatable {
    public var severity: String
    public var summary: String
    public var location: SourceLocation
    /// The absolute index, in the run's lines, of the diagnostic's first line.
    public var lineIndex: Int
}

/// The last run of one terraform command.
public struct RunState: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case running
        case succeeded
        case failed(exitCode: Int32?, message: String)
        case interrupted
    }
    public var command: TerraformCommand
    public var status: Status = .running
    public var startedAt: Double
    public var endedAt: Double?
    public var lines: Ring<OutputLine>
    public var diagnostics: [RunDiagnostic] = []
    /// Resources the apply/destroy plans to touch (from the change summary).
    public var plannedResources: Int?
    public var resourcesDone = 0
    public var resourcesFailed = 0
    public var summary: String?

    public init(command: TerraformCommand, startedAt: Double, capacity: Int) {
        self.command = command
        self.startedAt = startedAt
        lines = Ring(capacity: capacity)
    }

    public var isRunning: Bool { status == .running }
    public func elapsed(now: Double) -> Double { (endedAt ?? now) - startedAt }
}

/// A TODO of the workspace; a resolved one stays listed as done.
public struct TodoEntry: Sendable, Equatable {
    public var item: TodoItem
    public var done: Bool
    public init(item: TodoItem, done: Bool = false) {
        self.item = item
        self.done = done
    }
}

/// One row of the check board.
public struct CheckRow: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case notRun, running, finished(CheckStatus)
    }
    public var name: CheckName
    public var status: Status = .notRun
    public var result: CheckResult?
    public init(name: CheckName) { self.name = name }
}

/// What the program runs against.
public enum Target: Sendable, Equatable, Codable {
    case sandboxUnknown
    case sandboxStarting
    case sandboxUp(endpoint: String)
    case sandboxDown(reason: String)
    case aws(account: String, region: String)
}

/// A question the screen is asking; `y` answers yes, anything else no.
public enum Confirmation: Sendable, Equatable {
    case apply, destroy, quit, kill

    public var question: String {
        switch self {
        case .apply: return "Run terraform apply?"
        case .destroy: return "Run terraform destroy? This removes every resource."
        case .quit: return "Terraform is running. Quit and interrupt it?"
        case .kill: return "Terraform is still stopping. Kill it now? Its state may be left incomplete."
        }
    }
}

public enum Overlay: Sendable, Equatable {
    case none, help, confirm(Confirmation), filter
}

public struct State: Sendable, Equatable {
    /// Lines kept per output pane.
    public static let defaultScrollback = 10_000

    public var workspace: String
    public var size: Size
    /// Seconds since the session started, from the last tick.
    public var now: Double = 0
    public var scrollback: Int

    public var todos: [TodoEntry] = []
    public var todoSelection = 0
    public var todoScroll = 0
    public var filter = ""

    public var runs: [TerraformCommand: RunState] = [:]
    /// The run the output pane shows.
    public var shownRun: TerraformCommand?
    /// An interrupt was sent to the running command (a second one asks to kill it).
    public var interruptSent = false
    /// Lines scrolled up from the bottom of the output pane; 0 follows the tail.
    public var outputScroll = 0
    public var selectedDiagnostic: Int?

    public var checks: [CheckRow] = CheckName.allCases.map { CheckRow(name: $0) }
    public var checkSelection = 0
    public var checksRunning = false
    public var checksRequested = false

    public var target: Target = .sandboxUnknown
    public var focus: Pane = .todos
    public var overlay: Overlay = .none
    /// A one-line message in the status bar (the last notice).
    public var message: String?
    /// The session log's path as shown to the user, when the session is recorded.
    public var sessionLog: String?
    public var markers: [String] = []
    public var quitting = false

    public init(workspace: String, size: Size = Size(cols: 80, rows: 24), scrollback: Int = State.defaultScrollback) {
        self.workspace = workspace
        self.size = size
        self.scrollback = scrollback
    }

    // MARK: derived values

    public var runningCommand: TerraformCommand? {
        runs.values.first(where: { $0.isRunning })?.command
    }

    public var openTodoCount: Int { todos.filter { !$0.done }.count }

    /// TODOs the filter lets through, in display order (by file, then line).
    public var visibleTodos: [TodoEntry] {
        guard !filter.isEmpty else { return todos }
        let f = filter.lowercased()
        return todos.filter { $0.item.text.lowercased().contains(f) || $0.item.file.lowercased().contains(f) }
    }

    public var passingChecks: Int {
        checks.filter { $0.status == .finished(.pass) }.count
    }

    public var shownRunState: RunState? { shownRun.flatMap { runs[$0] } }

    /// Runs in a fixed order, for cycling the output pane.
    public var runOrder: [TerraformCommand] {
        TerraformCommand.allCases.filter { runs[$0] != nil }
    }
}
