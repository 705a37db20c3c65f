/// The one place the state changes. Pure: no I/O, no clock, no randomness.
/// Work for the world is returned as effects; the runtime performs them and
/// turns their results back into events.

public enum Effect: Sendable, Equatable {
    case runTerraform(TerraformCommand)
    case interruptTerraform
    /// Kill the running terraform at once (after the user confirmed).
    case killTerraform
    case runChecks
    case openEditor(SourceLocation)
    case rescanTodos
    /// Repaint every cell (the terminal may hold garbage).
    case redraw
    case quit
}

/// The pure fold step, as a value function: `(state, event) -> (state, effects)`.
public func update(_ state: State, _ event: Event) -> (State, [Effect]) {
    var s = state
    let effects = update(&s, event)
    return (s, effects)
}

/// The same step in place. Prefer it in loops (the UI thread, replay): the
/// state's scrollback is then mutated without being copied.
public func update(_ s: inout State, _ event: Event) -> [Effect] {
    var effects: [Effect] = []
    switch event {
    case .todos(let items):
        s.mergeTodos(items)
    case .fileChanged:
        effects.append(.rescanTodos)
    case .runStarted(let command):
        s.runs[command] = RunState(command: command, startedAt: s.now, capacity: s.scrollback)
        s.shownRun = command
        s.interruptSent = false
        s.outputScroll = 0
        s.selectedDiagnostic = nil
        s.message = nil
    case .terraform(let e):
        s.applyTerraform(e)
    case .runExited(let command, let code, let interrupted, let message):
        let now = s.now
        s.withRun(command) { run in
            run.endedAt = now
            if interrupted {
                run.status = .interrupted
                run.lines.append(OutputLine("Interrupted.", kind: .warning))
            } else if code == 0 {
                run.status = .succeeded
            } else {
                run.status = .failed(exitCode: code, message: message)
                let why = message.isEmpty ? "terraform \(command.rawValue) exited with status \(code.map(String.init) ?? "?")" : message
                run.lines.append(OutputLine(why, kind: .error))
            }
        }
        if command == .apply && code == 0 && !interrupted {
            effects.append(.runChecks)
        }
        s.clampScrolls()
    case .checksStarted:
        s.checksRunning = true
        for i in s.checks.indices { s.checks[i].status = .running }
    case .checkResult(let r):
        if let i = s.checks.firstIndex(where: { $0.name == r.name }) {
            s.checks[i].status = .finished(r.status)
            s.checks[i].result = r
        }
    case .checksFinished:
        s.checksRunning = false
        for i in s.checks.indices where s.checks[i].status == .running { s.checks[i].status = .notRun }
    case .target(let t):
        s.target = t
    case .resize(let size):
        s.size = size
        s.clampScrolls()
    case .key(let key):
        effects = s.handleKey(key)
    case .mouse(let m):
        s.handleMouse(m)
    case .tick(let t):
        s.now = max(s.now, t)
    case .marker(let text):
        s.markers.append(text)
        s.message = "marker: \(text)"
    case .notice(let text):
        s.message = text
    case .sessionLog(let path):
        s.sessionLog = path
    }
    return effects
}

extension State {
    /// Mutates one run in place: moved out of the dictionary and back, so its
    /// line ring is never copied.
    mutating func withRun(_ command: TerraformCommand, _ body: (inout RunState) -> Void) {
        guard var run = runs.removeValue(forKey: command) else { return }
        body(&run)
        runs[command] = run
    }

    mutating func mergeTodos(_ items: [TodoItem]) {
        let selectedKey = selectedTodoKey
        var next: [TodoEntry] = items.map { TodoEntry(item: $0) }
        let fresh = Set(items.map { TodoKey($0) })
        // A TODO that disappeared was resolved: keep it, marked done.
        for old in todos where !fresh.contains(TodoKey(old.item)) {
            next.append(TodoEntry(item: old.item, done: true))
        }
        next.sort { a, b in
            if a.item.file != b.item.file { return a.item.file < b.item.file }
            if a.item.line != b.item.line { return a.item.line < b.item.line }
            return a.item.text < b.item.text
        }
        todos = next
        if let key = selectedKey, let i = visibleTodos.firstIndex(where: { TodoKey($0.item) == key }) {
            todoSelection = i
        }
        clampScrolls()
    }

    private var selectedTodoKey: TodoKey? {
        let v = visibleTodos
        return todoSelection < v.count ? TodoKey(v[todoSelection].item) : nil
    }

    mutating func applyTerraform(_ e: TerraformEvent) {
        guard let command = runningCommand else { return }
        let facts = TerraformFacts(e)
        withRun(command) { run in
            if let d = facts.diagnostic {
                run.diagnostics.append(RunDiagnostic(severity: d.severity, summary: d.summary, location: d.location,
                                                     lineIndex: run.lines.total))
            }
            run.lines.append(contentsOf: facts.lines)
            if let p = facts.plannedResources { run.plannedResources = p }
            if let summary = facts.summary { run.summary = summary }
            if facts.resourceDone { run.resourcesDone += 1 }
            if facts.resourceFailed { run.resourcesFailed += 1 }
        }
        // Scrolled up: keep the same lines in view while new ones arrive.
        if shownRun == command && outputScroll > 0 {
            outputScroll += facts.lines.count
        }
        clampScrolls()
    }

    mutating func handleKey(_ key: Key) -> [Effect] {
        switch overlay {
        case .help:
            overlay = .none
            return []
        case .confirm(let c):
            overlay = .none
            guard key == Key("y") || key == Key("Y") else {
                message = "cancelled"
                return []
            }
            switch c {
            case .apply: return [.runTerraform(.apply)]
            case .destroy: return [.runTerraform(.destroy)]
            case .quit:
                quitting = true
                return interruptSent ? [.quit] : [.interruptTerraform, .quit]
            case .kill:
                return runningCommand == nil ? [] : [.killTerraform]
            }
        case .filter:
            if key == .enter {
                overlay = .none
            } else if key == .escape {
                filter = ""
                overlay = .none
            } else if key == .backspace {
                if !filter.isEmpty { filter.removeLast() }
            } else if let ch = key.character {
                filter.append(ch)
            }
            todoSelection = 0
            todoScroll = 0
            clampScrolls()
            return []
        case .none:
            break
        }
        guard let action = Bindings.action(for: key) else { return [] }
        if let why = Bindings.whyDisabled(action, in: self) {
            message = "\(Bindings.binding(for: action)?.description ?? action.rawValue): \(why)"
            return []
        }
        return perform(action)
    }

    mutating func perform(_ action: Action) -> [Effect] {
        let panes = Pane.allCases
        switch action {
        case .focusNext:
            focus = panes[((panes.firstIndex(of: focus) ?? 0) + 1) % panes.count]
        case .focusPrevious:
            focus = panes[((panes.firstIndex(of: focus) ?? 0) + panes.count - 1) % panes.count]
        case .up: move(by: -1)
        case .down: move(by: 1)
        case .pageUp: move(by: -pageSize)
        case .pageDown: move(by: pageSize)
        case .top: move(by: -Int(Int32.max))
        case .bottom: move(by: Int(Int32.max))
        case .open:
            if let loc = selectedLocation { return [.openEditor(loc)] }
        case .nextDiagnostic:
            guard let run = shownRunState, !run.diagnostics.isEmpty else { return [] }
            let i = selectedDiagnostic.map { ($0 + 1) % run.diagnostics.count } ?? 0
            selectedDiagnostic = i
            focus = .output
            // Put the diagnostic's first line at the top of the viewport.
            let relative = run.diagnostics[i].lineIndex - run.lines.dropped
            outputScroll = max(0, run.lines.count - relative - outputViewportHeight)
            clampScrolls()
        case .previousOutput, .nextOutput:
            let order = runOrder
            guard !order.isEmpty else { return [] }
            let current = shownRun.flatMap { order.firstIndex(of: $0) } ?? 0
            let step = action == .nextOutput ? 1 : order.count - 1
            shownRun = order[(current + step) % order.count]
            outputScroll = 0
            selectedDiagnostic = nil
        case .runInit: return [.runTerraform(.`init`)]
        case .runPlan: return [.runTerraform(.plan)]
        case .runApply: overlay = .confirm(.apply)
        case .runDestroy: overlay = .confirm(.destroy)
        case .runChecks: return [.runChecks]
        case .interrupt:
            if interruptSent {
                overlay = .confirm(.kill)
                return []
            }
            interruptSent = true
            return [.interruptTerraform]
        case .filter: overlay = .filter
        case .help: overlay = .help
        case .redraw: return [.redraw]
        case .quit:
            if runningCommand != nil {
                overlay = .confirm(.quit)
            } else {
                quitting = true
                return [.quit]
            }
        }
        return []
    }

    var pageSize: Int {
        let layout = Layout(size: size)
        switch focus {
        case .todos: return max(1, todoListHeight(layout) - 1)
        case .output: return max(1, outputViewportHeight - 1)
        case .checks: return 1
        }
    }

    mutating func move(by delta: Int) {
        switch focus {
        case .todos: todoSelection = clampAdd(todoSelection, delta)
        case .output: outputScroll = clampAdd(outputScroll, -delta)
        case .checks: checkSelection = clampAdd(checkSelection, delta)
        }
        clampScrolls()
    }

    private func clampAdd(_ a: Int, _ b: Int) -> Int {
        let r = a.addingReportingOverflow(b)
        return r.overflow ? (b > 0 ? Int.max : 0) : r.partialValue
    }

    mutating func handleMouse(_ m: MouseEvent) {
        let layout = Layout(size: size)
        guard !layout.tooSmall, overlay == .none, let pane = layout.pane(atX: m.x, y: m.y) else { return }
        switch m.action {
        case .wheelUp, .wheelDown:
            // The wheel scrolls the pane under the pointer without moving the focus.
            let saved = focus
            focus = pane
            move(by: m.action == .wheelUp ? -3 : 3)
            focus = saved
        case .click:
            focus = pane
            switch pane {
            case .todos:
                let row = m.y - layout.todos.y - 1 + todoScroll
                let rows = todoRows
                if m.y > layout.todos.y, row >= 0, row < rows.count, case .todo(let i) = rows[row] {
                    todoSelection = i
                }
            case .checks:
                let row = m.y - layout.checks.y - 1
                if row >= 0, row < checks.count { checkSelection = row }
            case .output:
                break
            }
            clampScrolls()
        }
    }

    func todoListHeight(_ layout: Layout) -> Int {
        let inner = layout.todos.inset(1).height
        return max(0, inner - ((overlay == .filter || !filter.isEmpty) ? 1 : 0) - State.todoDetailRows(layout))
    }

    /// Rows under the TODO list that show the selected TODO's whole text (the
    /// list cuts long ones); none when the pane is short.
    public static func todoDetailRows(_ layout: Layout) -> Int {
        let inner = layout.todos.inset(1).height
        return inner >= 14 ? 3 : inner >= 10 ? 2 : 0
    }

    /// Keeps selections inside their lists and the selected TODO in sight.
    mutating func clampScrolls() {
        let visible = visibleTodos
        todoSelection = visible.isEmpty ? 0 : min(max(0, todoSelection), visible.count - 1)
        checkSelection = min(max(0, checkSelection), checks.count - 1)
        outputScroll = min(max(0, outputScroll), maxOutputScroll)
        let rows = todoRows
        let height = todoListHeight(Layout(size: size))
        guard height > 0, let row = rows.firstIndex(of: .todo(todoSelection)) else {
            todoScroll = 0
            return
        }
        // Show the file heading above the first TODO of a file too.
        let top = row > 0 && rows[row - 1] != .todo(todoSelection - 1) ? row - 1 : row
        if top < todoScroll { todoScroll = top }
        if row >= todoScroll + height { todoScroll = row - height + 1 }
        todoScroll = max(0, min(todoScroll, max(0, rows.count - height)))
    }
}

/// A TODO's identity across scans: its file and text (its line moves as the
/// file is edited).
struct TodoKey: Hashable {
    var file: String
    var text: String
    init(_ item: TodoItem) {
        file = item.file
        text = item.text
    }
}
