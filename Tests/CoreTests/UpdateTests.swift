import Foundation
import Testing
@testable import Core

private func fold(_ state: State, _ events: [Event]) -> (State, [Effect]) {
    var s = state
    var all: [Effect] = []
    for e in events {
        let (next, effects) = update(s, e)
        s = next
        all += effects
    }
    return (s, all)
}

private let base = State(workspace: "/ws", size: Size(cols: 100, rows: 30))
private let todos = [
    TodoItem(file: "iam.tf", line: 12, text: "TODO: trust the client user"),
    TodoItem(file: "iam.tf", line: 30, text: "TODO: attach the write policy"),
    TodoItem(file: "main.tf", line: 3, text: "TODO: set the region"),
]

@Suite struct KeyDispatchTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var setup: [Event]
        var keys: [String]
        var effects: [Effect]
        var check: @Sendable (State) -> Bool = { _ in true }
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "p plans", setup: [], keys: ["p"], effects: [.runTerraform(.plan)]),
        Case(name: "i inits", setup: [], keys: ["i"], effects: [.runTerraform(.`init`)]),
        Case(name: "a asks, y applies", setup: [], keys: ["a", "y"], effects: [.runTerraform(.apply)]),
        Case(name: "a asks, n cancels", setup: [], keys: ["a", "n"], effects: [],
             check: { $0.message == "cancelled" && $0.overlay == .none }),
        Case(name: "d asks, y destroys", setup: [], keys: ["d", "y"], effects: [.runTerraform(.destroy)]),
        Case(name: "c runs the checks", setup: [], keys: ["c"], effects: [.runChecks]),
        Case(name: "c while checks run is refused with a reason", setup: [.checksStarted], keys: ["c"], effects: [],
             check: { $0.message == "run the four checks: the checks are running" }),
        Case(name: "p while apply runs is refused", setup: [.runStarted(.apply)], keys: ["p"], effects: [],
             check: { $0.message?.contains("terraform apply is running") == true }),
        Case(name: "q quits when idle", setup: [], keys: ["q"], effects: [.quit], check: { $0.quitting }),
        Case(name: "q asks while terraform runs", setup: [.runStarted(.plan)], keys: ["q"], effects: [],
             check: { $0.overlay == .confirm(.quit) }),
        Case(name: "q then y interrupts and quits", setup: [.runStarted(.plan)], keys: ["q", "y"],
             effects: [.interruptTerraform, .quit]),
        Case(name: "ctrl-c interrupts a run", setup: [.runStarted(.apply)], keys: ["ctrl-c"],
             effects: [.interruptTerraform]),
        Case(name: "a second interrupt asks before killing", setup: [.runStarted(.apply)], keys: ["x", "x"],
             effects: [.interruptTerraform], check: { $0.overlay == .confirm(.kill) }),
        Case(name: "x, x, y kills", setup: [.runStarted(.apply)], keys: ["x", "x", "y"],
             effects: [.interruptTerraform, .killTerraform]),
        Case(name: "x, x, n does not kill", setup: [.runStarted(.apply)], keys: ["x", "x", "n"],
             effects: [.interruptTerraform]),
        Case(name: "quit after an interrupt does not interrupt twice", setup: [.runStarted(.apply)],
             keys: ["x", "q", "y"], effects: [.interruptTerraform, .quit]),
        Case(name: "a new run forgets the interrupt", setup: [.runStarted(.plan), .key(Key("x")),
             .runExited(.plan, exitCode: 1, interrupted: true, message: ""), .runStarted(.apply)],
             keys: ["x"], effects: [.interruptTerraform]),
        Case(name: "ctrl-c when idle says why not", setup: [], keys: ["ctrl-c"], effects: [],
             check: { $0.message?.contains("terraform is not running") == true }),
        Case(name: "Enter opens the selected TODO", setup: [.todos(todos)], keys: ["j", "enter"],
             effects: [.openEditor(SourceLocation(file: "iam.tf", line: 30))]),
        Case(name: "G then Enter opens the last TODO", setup: [.todos(todos)], keys: ["G", "enter"],
             effects: [.openEditor(SourceLocation(file: "main.tf", line: 3))]),
        Case(name: "Tab cycles the panes", setup: [], keys: ["tab", "tab"], effects: [], check: { $0.focus == .checks }),
        Case(name: "Shift-Tab goes back", setup: [], keys: ["backtab"], effects: [], check: { $0.focus == .checks }),
        Case(name: "? opens help, any key closes it without acting", setup: [], keys: ["?", "q"], effects: [],
             check: { $0.overlay == .none && !$0.quitting }),
        Case(name: "/ filters the TODOs", setup: [.todos(todos)], keys: ["/", "r", "e", "g", "enter"], effects: [],
             check: { $0.filter == "reg" && $0.visibleTodos.count == 1 && $0.overlay == .none }),
        Case(name: "Esc clears the filter", setup: [.todos(todos)], keys: ["/", "x", "esc"], effects: [],
             check: { $0.filter.isEmpty && $0.visibleTodos.count == 3 }),
        Case(name: "typing q in the filter does not quit", setup: [.todos(todos)], keys: ["/", "q"], effects: [],
             check: { $0.filter == "q" && !$0.quitting }),
        Case(name: "an unbound key does nothing", setup: [], keys: ["Z"], effects: [], check: { $0 == base }),
    ]

    @Test(arguments: cases)
    func dispatch(_ c: Case) {
        let (s0, _) = fold(base, c.setup)
        let (s, effects) = fold(s0, c.keys.map { .key(Key($0)) })
        #expect(effects == c.effects)
        #expect(c.check(s))
    }
}

@Suite struct UpdateTests {
    @Test func resolvedTodosStayVisibleAsDone() {
        var (s, _) = fold(base, [.todos(todos)])
        #expect(s.openTodoCount == 3)
        s = update(s, .todos(Array(todos.dropLast()))).0
        #expect(s.openTodoCount == 2)
        #expect(s.todos.count == 3)
        #expect(s.todos.last?.done == true)
        // A TODO whose line moved is the same TODO.
        var moved = todos
        moved[0].line = 14
        s = update(s, .todos(moved)).0
        #expect(s.openTodoCount == 3)
        #expect(s.todos.count == 3)
        #expect(s.todos.first?.item.line == 14)
    }

    @Test func fileChangeAsksForARescan() {
        #expect(update(base, .fileChanged("main.tf")).1 == [.rescanTodos])
    }

    @Test func successfulApplyRunsTheChecks() {
        let ok = fold(base, [.runStarted(.apply), .runExited(.apply, exitCode: 0, interrupted: false, message: "")])
        #expect(ok.1 == [.runChecks])
        #expect(ok.0.runs[.apply]?.status == .succeeded)
        let failed = fold(base, [.runStarted(.apply), .runExited(.apply, exitCode: 1, interrupted: false, message: "")])
        #expect(failed.1 == [])
        #expect(failed.0.runs[.apply]?.status == .failed(exitCode: 1, message: ""))
        let plan = fold(base, [.runStarted(.plan), .runExited(.plan, exitCode: 0, interrupted: false, message: "")])
        #expect(plan.1 == [])
        let interrupted = fold(base, [.runStarted(.apply), .runExited(.apply, exitCode: 0, interrupted: true, message: "")])
        #expect(interrupted.1 == [])
        #expect(interrupted.0.runs[.apply]?.status == .interrupted)
    }

    @Test func terraformEventsFillTheRunningPane() throws {
        let diag = Diagnostic(severity: .error, summary: "Missing region", detail: "set it",
                              filename: "main.tf", startLine: 4)
        let (s, _) = fold(base, [
            .tick(5), .runStarted(.plan),
            .terraform(.log(level: .info, message: "Refreshing")),
            .terraform(.diagnostic(diag)),
            .tick(9),
            .runExited(.plan, exitCode: 1, interrupted: false, message: ""),
        ])
        let run = try #require(s.runs[.plan])
        #expect(run.lines.count >= 3)
        #expect(run.diagnostics == [RunDiagnostic(severity: "error", summary: "Missing region",
                                                  location: SourceLocation(file: "main.tf", line: 4), lineIndex: 1)])
        #expect(run.elapsed(now: 100) == 4)
        var f = s
        f.focus = .output
        #expect(f.selectedLocation == SourceLocation(file: "main.tf", line: 4))
        #expect(update(f, .key(.enter)).1 == [.openEditor(SourceLocation(file: "main.tf", line: 4))])
    }

    @Test func applyProgressCountsResources() {
        let (s, _) = fold(base, [
            .runStarted(.apply),
            .terraform(.changeSummary(ChangeSummary(add: 3, change: 0, remove: 0, operation: "plan"))),
            .terraform(.applyStart(address: "a.b", action: "create")),
            .terraform(.applyComplete(address: "a.b", action: "create", id: "x", elapsed: 1)),
            .terraform(.applyErrored(address: "a.c", action: "create", elapsed: 1)),
        ])
        #expect(s.runs[.apply]?.plannedResources == 3)
        #expect(s.runs[.apply]?.resourcesDone == 1)
        #expect(s.runs[.apply]?.resourcesFailed == 1)
    }

    @Test func scrollbackIsBoundedAndScrollingHoldsItsPlace() {
        var s = State(workspace: "/ws", size: Size(cols: 100, rows: 30), scrollback: 100)
        s = update(s, .runStarted(.plan)).0
        for i in 0..<250 { s = update(s, .terraform(.raw("line \(i)"))).0 }
        #expect(s.runs[.plan]?.lines.count == 100)
        #expect(s.runs[.plan]?.lines.dropped == 150)
        s.focus = .output
        s = update(s, .key(.up)).0
        s = update(s, .key(.up)).0
        #expect(s.outputScroll == 2)
        s = update(s, .terraform(.raw("more"))).0
        #expect(s.outputScroll == 3)
        s = update(s, .key(.end)).0
        #expect(s.outputScroll == 0)
        s = update(s, .key(.home)).0
        #expect(s.outputScroll == s.maxOutputScroll)
    }

    @Test func checkRoundUpdatesTheBoard() {
        var (s, _) = fold(base, [.checksStarted])
        #expect(s.checksRunning)
        #expect(s.checks.allSatisfy { $0.status == .running })
        s = update(s, .checkResult(CheckResult(name: .read, status: .fail, durationMs: 3, errorCode: "AccessDenied",
                                               message: "refused"))).0
        s = update(s, .checksFinished).0
        #expect(!s.checksRunning)
        #expect(s.checks[1].status == .finished(.fail))
        #expect(s.checks[0].status == .notRun)
    }

    @Test func mouseClickSelectsAndWheelScrolls() {
        var (s, _) = fold(base, [.todos(todos)])
        let layout = Layout(size: s.size)
        // Rows: iam.tf, TODO 12, TODO 30, main.tf, TODO 3 -> click the fifth row.
        s = update(s, .mouse(MouseEvent(.click, x: layout.todos.x + 3, y: layout.todos.y + 5))).0
        #expect(s.todoSelection == 2)
        s = update(s, .mouse(MouseEvent(.click, x: layout.checks.x + 3, y: layout.checks.y + 2))).0
        #expect(s.focus == .checks)
        #expect(s.checkSelection == 1)
        s = update(s, .mouse(MouseEvent(.wheelUp, x: layout.todos.x + 3, y: layout.todos.y + 2))).0
        #expect(s.todoSelection == 0)
        #expect(s.focus == .checks)
    }

    @Test func resizeKeepsTheSelectionInSight() throws {
        let many = (1...40).map { TodoItem(file: "f\($0 / 10).tf", line: $0, text: "TODO \($0)") }
        var (s, _) = fold(base, [.todos(many), .key(Key("G"))])
        #expect(s.todoSelection == 39)
        s = update(s, .resize(Size(cols: 60, rows: 16))).0
        let height = s.todoListHeight(Layout(size: s.size))
        let row = try #require(s.todoRows.firstIndex(of: .todo(39)))
        #expect(row >= s.todoScroll && row < s.todoScroll + height)
    }
}

@Suite struct EventCodingTests {
    static let samples: [Event] = [
        .todos(todos), .fileChanged("iam.tf"), .runStarted(.apply),
        .terraform(.applyComplete(address: "a.b", action: "create", id: nil, elapsed: 2)),
        .runExited(.apply, exitCode: 0, interrupted: false, message: ""),
        .runExited(.plan, exitCode: nil, interrupted: false, message: "terraform not found"),
        .checksStarted,
        .checkResult(CheckResult(name: .isolation, status: .fail, durationMs: 7, errorCode: nil, message: "saw 3 buckets")),
        .checksFinished,
        .target(.sandboxUp(endpoint: "127.0.0.1:5000")), .target(.sandboxStarting),
        .target(.sandboxDown(reason: "no venv")), .target(.aws(account: "123456789012", region: "eu-west-1")),
        .target(.sandboxUnknown),
        .resize(Size(cols: 120, rows: 40)), .key(Key("q")), .key(.ctrlC),
        .mouse(MouseEvent(.wheelDown, x: 3, y: 4)), .tick(12.5), .marker("candidate starts"), .notice("sandbox started"),
        .sessionLog("~/.local/share/tfchallenge/sessions/s.ndjson"),
    ]

    @Test func everyKindRoundTrips() throws {
        #expect(Set(Self.samples.map(\.kind)) == Set(Event.kinds))
        for e in Self.samples {
            let data = try JSONEncoder().encode(e)
            let back = try JSONDecoder().decode(Event.self, from: data)
            #expect(back == e, "\(String(decoding: data, as: UTF8.self))")
        }
    }

    @Test func stableJSONShape() throws {
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        let key = String(decoding: try enc.encode(Event.key(Key("q"))), as: UTF8.self)
        #expect(key == #"{"key":"q","kind":"key"}"#)
        let resize = String(decoding: try enc.encode(Event.resize(Size(cols: 80, rows: 24))), as: UTF8.self)
        #expect(resize == #"{"cols":80,"kind":"resize","rows":24}"#)
    }

    @Test func unknownKindIsReportedByName() {
        #expect(throws: EventDecodingError.unknownKind("telepathy")) {
            try JSONDecoder().decode(Event.self, from: Data(#"{"kind":"telepathy"}"#.utf8))
        }
    }
}

@Suite struct RingTests {
    @Test func keepsTheNewestAndCountsDrops() {
        var r = Ring<Int>(capacity: 3)
        #expect(r.isEmpty)
        r.append(contentsOf: 1...5)
        #expect(r.count == 3)
        #expect(r.dropped == 2)
        #expect(r.slice(0..<3) == [3, 4, 5])
        #expect(r.element(absolute: 1) == nil)
        #expect(r.element(absolute: 4) == 5)
        #expect(r.last == 5)
        #expect(r.total == 5)
    }
}

@Suite struct BindingTests {
    @Test func noKeyIsBoundTwice() {
        var seen: Set<Key> = []
        for b in Bindings.all { for k in b.keys { #expect(seen.insert(k).inserted, "\(k) bound twice") } }
    }

    @Test func everyActionHasABinding() {
        for a in Action.allCases { #expect(Bindings.binding(for: a) != nil, "\(a)") }
    }
}

@Suite struct ReadmeKeysTests {
    @Test func readmeKeysTableMatchesTheBindings() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        for b in Bindings.all {
            #expect(readme.contains("| `\(b.label)` | \(b.description) |"), "README lacks the row for \(b.label)")
        }
    }
}
