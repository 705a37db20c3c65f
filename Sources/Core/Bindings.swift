/// Key bindings as data: the keys, what they do, and when they are disabled
/// and why. `update` dispatches through this table and the help overlay and
/// the README's keys table are generated from it.

public enum Action: String, Sendable, CaseIterable, Hashable {
    case focusNext, focusPrevious, up, down, pageUp, pageDown, top, bottom
    case open, nextDiagnostic, previousOutput, nextOutput
    case runInit, runPlan, runApply, runDestroy, runChecks, interrupt
    case filter, help, redraw, quit
}

public struct KeyBinding: Sendable, Equatable {
    public var keys: [Key]
    /// How the keys are written in the help ("j / ↓").
    public var label: String
    public var action: Action
    public var description: String

    public init(_ keys: [Key], _ label: String, _ action: Action, _ description: String) {
        self.keys = keys
        self.label = label
        self.action = action
        self.description = description
    }
}

public enum Bindings {
    public static let all: [KeyBinding] = [
        KeyBinding([.tab], "Tab", .focusNext, "next pane"),
        KeyBinding([.backTab], "Shift-Tab", .focusPrevious, "previous pane"),
        KeyBinding([.up, Key("k")], "k / Up", .up, "move up / scroll up"),
        KeyBinding([.down, Key("j")], "j / Down", .down, "move down / scroll down"),
        KeyBinding([.pageUp, Key("ctrl-b")], "PgUp", .pageUp, "page up"),
        KeyBinding([.pageDown, Key("ctrl-f"), Key(" ")], "PgDn / Space", .pageDown, "page down"),
        KeyBinding([.home, Key("g")], "g / Home", .top, "go to the top"),
        KeyBinding([.end, Key("G")], "G / End", .bottom, "go to the bottom (follow output)"),
        KeyBinding([.enter, Key("e")], "Enter / e", .open, "open the TODO or diagnostic in $VISUAL/$EDITOR"),
        KeyBinding([Key("n")], "n", .nextDiagnostic, "next diagnostic in the output"),
        KeyBinding([Key("[")], "[", .previousOutput, "show the previous command's output"),
        KeyBinding([Key("]")], "]", .nextOutput, "show the next command's output"),
        KeyBinding([Key("i")], "i", .runInit, "terraform init"),
        KeyBinding([Key("p")], "p", .runPlan, "terraform plan"),
        KeyBinding([Key("a")], "a", .runApply, "terraform apply (asks first), then the checks"),
        KeyBinding([Key("d")], "d", .runDestroy, "terraform destroy (asks first)"),
        KeyBinding([Key("c")], "c", .runChecks, "run the four checks"),
        KeyBinding([.ctrlC, Key("x")], "x / Ctrl-C", .interrupt, "interrupt the running terraform (again: asks to kill it)"),
        KeyBinding([Key("/")], "/", .filter, "filter the TODOs (Enter keeps, Esc clears)"),
        KeyBinding([Key("?")], "?", .help, "show or hide this help"),
        KeyBinding([.ctrlL], "Ctrl-L", .redraw, "redraw the screen"),
        KeyBinding([Key("q")], "q", .quit, "quit (asks first if terraform is running)"),
    ]

    private static let byKey: [Key: Action] = {
        var map: [Key: Action] = [:]
        for b in all { for k in b.keys { map[k] = b.action } }
        return map
    }()

    public static func action(for key: Key) -> Action? { byKey[key] }

    public static func binding(for action: Action) -> KeyBinding? { all.first { $0.action == action } }

    /// Why `action` cannot run in `state` now, or nil when it can.
    public static func whyDisabled(_ action: Action, in state: State) -> String? {
        switch action {
        case .runInit, .runPlan, .runApply, .runDestroy:
            if let running = state.runningCommand { return "terraform \(running.rawValue) is running" }
            return nil
        case .runChecks:
            if state.checksRunning { return "the checks are running" }
            if case .sandboxStarting = state.target { return "the sandbox is starting" }
            return nil
        case .interrupt:
            return state.runningCommand == nil ? "terraform is not running" : nil
        case .open:
            return state.selectedLocation == nil ? "nothing with a file and line is selected" : nil
        case .nextDiagnostic:
            return (state.shownRunState?.diagnostics.isEmpty ?? true) ? "this output has no diagnostic with a file" : nil
        case .previousOutput, .nextOutput:
            return state.runs.count < 2 ? "only one command has run" : nil
        default:
            return nil
        }
    }
}

extension State {
    /// The file and line that Enter would open: the selected TODO in the TODO
    /// pane, the selected (or first error) diagnostic in the output pane.
    public var selectedLocation: SourceLocation? {
        switch focus {
        case .todos:
            let visible = visibleTodos
            guard todoSelection >= 0, todoSelection < visible.count else { return nil }
            let item = visible[todoSelection].item
            return SourceLocation(file: item.file, line: item.line)
        case .output:
            guard let run = shownRunState, !run.diagnostics.isEmpty else { return nil }
            if let i = selectedDiagnostic, i < run.diagnostics.count { return run.diagnostics[i].location }
            return (run.diagnostics.first { $0.severity == "error" } ?? run.diagnostics[0]).location
        case .checks:
            return nil
        }
    }
}
