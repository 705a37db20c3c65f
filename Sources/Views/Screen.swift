import Core

/// The candidate's screen for `state` on a terminal of `size`. Pure: the live
/// screen, `watch` and `replay` all draw through here.
public func view(_ state: State, size: Size, options: ViewOptions = ViewOptions()) -> Buffer {
    var buf = Buffer(size: size)
    guard size.cols > 0 && size.rows > 0 else { return buf }
    let layout = Layout(size: size)
    if layout.tooSmall {
        drawTooSmall(&buf, size: size, options: options)
        return buf
    }
    drawTodos(&buf, state, layout.todos, options)
    drawChecks(&buf, state, layout.checks, options)
    drawOutput(&buf, state, layout.output, options)
    drawStatusBar(&buf, state, layout.status, options)
    switch state.overlay {
    case .help: drawHelp(&buf, state, options)
    case .confirm(let c): drawConfirm(&buf, c, options)
    case .none, .filter: break
    }
    return buf
}

func drawTooSmall(_ buf: inout Buffer, size: Size, options: ViewOptions) {
    let min = Layout.minimum
    let lines = wrap("Enlarge the terminal to at least \(min.cols)x\(min.rows) (now \(size.cols)x\(size.rows)).",
                     width: size.cols)
    let top = max(0, (size.rows - lines.count) / 2)
    for (i, l) in lines.enumerated() {
        let x = max(0, (size.cols - displayWidth(l)) / 2)
        buf.write(l, x: x, y: top + i, maxWidth: size.cols - x, style: .bold)
    }
}

func drawTodos(_ buf: inout Buffer, _ s: State, _ rect: Rect, _ o: ViewOptions) {
    let focused = s.focus == .todos
    let total = s.todos.count
    var title = total == 0 ? "TODOs" : "TODOs \(s.openTodoCount) of \(total) open"
    if !s.filter.isEmpty { title += " (filtered)" }
    let inner = buf.box(rect, title: title, titleStyle: focused ? Style(fg: .cyan, bold: true) : .bold,
                        border: o.border(focused: focused), style: focused ? .accent : .plain)
    guard !inner.isEmpty else { return }
    let filtering = s.overlay == .filter || !s.filter.isEmpty
    let (above, filterRect) = inner.splitBottom(filtering ? 1 : 0)
    let layout = Layout(size: Size(cols: buf.width, rows: buf.height))
    let (listRect, detailRect) = above.splitBottom(State.todoDetailRows(layout))
    let visible = s.visibleTodos
    if visible.isEmpty {
        let msg = total == 0 ? "No TODO found in the workspace's .tf files." : "No TODO matches the filter."
        for (i, l) in wrap(msg, width: listRect.width).enumerated() { buf.line(l, in: listRect, row: i, style: .dim) }
    }
    var rows: [(text: String, style: Style)] = []
    var selectedRow: Int?
    for row in s.todoRows {
        switch row {
        case .file(let f):
            rows.append((f, Style(fg: .blue, bold: true)))
        case .todo(let i):
            let e = visible[i]
            let mark = e.done ? o.glyph("✓", "x") : o.glyph("○", "o")
            let text = "\(mark) \(String(e.item.line).leftPad(4)) \(e.item.text)"
            rows.append((text, e.done ? Style(fg: .green, dim: true) : .plain))
            if i == s.todoSelection { selectedRow = rows.count - 1 }
        }
    }
    ListWidget(rows: rows, selected: selectedRow, scroll: s.todoScroll,
               highlight: focused ? .selected : Style(underline: true))
        .draw(into: &buf, listRect, ascii: o.ascii)
    if detailRect.height > 0, s.todoSelection < visible.count {
        let item = visible[s.todoSelection].item
        let lines = wrap("\(item.file):\(item.line) \(item.text)", width: detailRect.width)
        for (i, l) in lines.prefix(detailRect.height).enumerated() {
            let last = i == detailRect.height - 1 && lines.count > detailRect.height
            buf.line(last ? truncate(l + " " + lines[i + 1], to: detailRect.width, ascii: o.ascii) : l,
                     in: detailRect, row: i, style: .dim, ascii: o.ascii)
        }
    }
    if filtering {
        let cursor = s.overlay == .filter ? "_" : ""
        buf.line("/\(s.filter)\(cursor)", in: filterRect, row: 0, style: Style(fg: .yellow), ascii: o.ascii)
    }
}

func checkGlyph(_ status: CheckRow.Status, _ o: ViewOptions) -> (String, String, Style) {
    switch status {
    case .notRun: return (o.glyph("·", "-"), "not run", .dim)
    case .running: return (o.glyph("…", "~"), "running", .warn)
    case .finished(.pass): return (o.glyph("✓", "+"), "pass", Style(fg: .green, bold: true))
    case .finished(.fail): return (o.glyph("✗", "x"), "FAIL", .bad)
    case .finished(.blocked): return (o.glyph("⊘", "!"), "blocked", Style(fg: .magenta, bold: true))
    case .finished(.error): return (o.glyph("!", "!"), "error", Style(fg: .yellow, bold: true))
    case .finished(.pending): return (o.glyph("·", "-"), "pending", .dim)
    case .finished(.running): return (o.glyph("…", "~"), "running", .warn)
    }
}

func drawChecks(_ buf: inout Buffer, _ s: State, _ rect: Rect, _ o: ViewOptions) {
    let focused = s.focus == .checks
    let finished = s.checks.contains { if case .finished = $0.status { return true } else { return false } }
    var title = "Checks"
    if s.checksRunning { title += " running" } else if finished { title += " \(s.passingChecks)/\(s.checks.count) pass" }
    let inner = buf.box(rect, title: title, titleStyle: focused ? Style(fg: .cyan, bold: true) : .bold,
                        border: o.border(focused: focused), style: focused ? .accent : .plain)
    guard !inner.isEmpty else { return }
    for (i, row) in s.checks.enumerated() where i < inner.height {
        let (glyph, word, style) = checkGlyph(row.status, o)
        var detail = ""
        if let r = row.result {
            detail = "\(r.durationMs) ms"
            if let code = r.errorCode, !code.isEmpty, r.status != .pass { detail += " \(code)" }
        }
        let selected = focused && i == s.checkSelection
        let bg: Style = selected ? .selected : .plain
        buf.line("", in: inner, row: i, style: bg)
        var nameStyle = bg
        nameStyle.bold = true
        var statusStyle = selected ? bg : style
        statusStyle.bold = style.bold
        buf.spans([(glyph + " ", selected ? bg : style), (row.name.rawValue.padding(10), nameStyle),
                   (word.padding(8), statusStyle), (detail, selected ? bg : .dim)],
                  in: inner, row: i)
    }
    // The selected (or first failing) check's error and explanation.
    let detailRows = inner.height - s.checks.count
    guard detailRows > 0 else { return }
    let pick = focused ? s.checks[min(s.checkSelection, s.checks.count - 1)]
        : (s.checks.first { if case .finished(let st) = $0.status { return st != .pass } else { return false } })
    guard let r = pick?.result else { return }
    var text = r.message
    if !r.explanation.isEmpty { text += (text.isEmpty ? "" : " ") + r.explanation }
    let lines = wrap("\(r.name.rawValue): \(text)", width: inner.width)
    let area = Rect(x: inner.x, y: inner.y + s.checks.count, width: inner.width, height: detailRows)
    for (i, l) in lines.prefix(detailRows).enumerated() {
        buf.line(l, in: area, row: i, style: r.status == .pass ? .dim : Style(fg: .yellow), ascii: o.ascii)
    }
}

func formatDuration(_ seconds: Double) -> String {
    let t = max(0, Int(seconds))
    if t < 60 { return "\(t)s" }
    if t < 3600 { return "\(t / 60)m\(String(t % 60).leftPad(2, "0"))s" }
    return "\(t / 3600)h\(String(t / 60 % 60).leftPad(2, "0"))m"
}

func drawOutput(_ buf: inout Buffer, _ s: State, _ rect: Rect, _ o: ViewOptions) {
    let focused = s.focus == .output
    var title = "Output"
    var titleStyle: Style = focused ? Style(fg: .cyan, bold: true) : .bold
    if let run = s.shownRunState {
        title = "terraform \(run.command.rawValue)"
        let elapsed = formatDuration(run.elapsed(now: s.now))
        switch run.status {
        case .running:
            let spin = o.ascii ? ["|", "/", "-", "\\"] : ["⠋", "⠙", "⠸", "⠴", "⠦", "⠇"]
            title += " \(spin[Int(s.now) % spin.count]) running \(elapsed)"
            titleStyle = Style(fg: .yellow, bold: true)
        case .succeeded:
            title += " \(o.glyph("✓", "ok")) done in \(elapsed)"
            titleStyle = Style(fg: .green, bold: true)
        case .failed(let code, _):
            title += " \(o.glyph("✗", "x")) failed\(code.map { " (exit \($0))" } ?? "") after \(elapsed)"
            titleStyle = .bad
        case .interrupted:
            title += " interrupted after \(elapsed)"
            titleStyle = Style(fg: .yellow, bold: true)
        }
        if run.command == .apply || run.command == .destroy, let planned = run.plannedResources, planned > 0 {
            title += " · \(run.resourcesDone)/\(planned) resources"
            if run.resourcesFailed > 0 { title += ", \(run.resourcesFailed) failed" }
        }
        if s.runs.count > 1 { title += " · [ ] \(s.runOrder.map(\.rawValue).joined(separator: " "))" }
    }
    let inner = buf.box(rect, title: title, titleStyle: titleStyle, border: o.border(focused: focused),
                        style: focused ? .accent : .plain)
    guard !inner.isEmpty else { return }
    guard let run = s.shownRunState else {
        let hint = "No terraform command has run yet. Press i to init, p to plan, a to apply, c to run the checks, ? for help."
        for (i, l) in wrap(hint, width: inner.width).prefix(inner.height).enumerated() {
            buf.line(l, in: inner, row: i, style: .dim)
        }
        return
    }
    let highlight = s.selectedDiagnostic.flatMap { i in i < run.diagnostics.count ? run.diagnostics[i].lineIndex : nil }
    TextPane(lines: run.lines, scroll: s.outputScroll, highlightLine: highlight).draw(into: &buf, inner, options: o)
}

func drawStatusBar(_ buf: inout Buffer, _ s: State, _ rect: Rect, _ o: ViewOptions) {
    guard !rect.isEmpty else { return }
    let bar = Style(reverse: true)
    buf.fill(rect, with: Cell(" ", style: bar))
    let target: (String, Style)
    switch s.target {
    case .sandboxUnknown: target = ("sandbox ?", bar)
    case .sandboxStarting: target = ("sandbox starting", Style(fg: .yellow, reverse: true))
    case .sandboxUp(let endpoint): target = ("sandbox up \(endpoint)", Style(fg: .green, reverse: true))
    case .sandboxDown(let reason): target = ("sandbox down" + (reason.isEmpty ? "" : ": \(reason)"), Style(fg: .red, bold: true, reverse: true))
    case .aws(let account, let region): target = ("AWS \(account) \(region)", Style(fg: .cyan, reverse: true))
    }
    var parts: [(String, Style)] = [(" ", bar), target, (" \(o.glyph("│", "|")) \(formatDuration(s.now)) ", bar)]
    if let m = s.message { parts.append(("\(o.glyph("│", "|")) \(m) ", Style(bold: true, reverse: true))) }
    let used = parts.reduce(0) { $0 + displayWidth($1.0) }
    // What fits beside target, time and message, in order of preference: the key
    // hints come before the session log's path, and the short hints after it.
    let fullHints = "p plan  a apply  c checks  ? help  q quit "
    let shortHints = "? help q quit "
    let log = s.sessionLog.map { "\(o.glyph("│", "|")) log \($0) " }
    let choices: [(log: String?, hints: String)] = [(log, fullHints), (nil, fullHints), (log, shortHints),
                                                    (nil, shortHints), (nil, "")]
    let fits = choices.first { c in
        used + displayWidth(c.log ?? "") + displayWidth(c.hints) + (c.hints.isEmpty ? 0 : 1) <= rect.width
    }
    if let logText = fits?.log { parts.append((logText, bar)) }
    buf.spans(parts, in: rect, row: 0)
    if let hints = fits?.hints, !hints.isEmpty {
        buf.write(hints, x: rect.maxX - displayWidth(hints), y: rect.y, style: bar)
    }
}

/// A centred box of `lines`, at most the screen's size.
func overlayBox(_ buf: inout Buffer, title: String, lines: [(String, Style)], width: Int, _ o: ViewOptions) {
    let w = min(buf.width - 2, width + 4)
    let h = min(buf.height - 2, lines.count + 2)
    guard w > 4, h > 2 else { return }
    let rect = Rect(x: (buf.width - w) / 2, y: (buf.height - h) / 2, width: w, height: h)
    buf.fill(rect)
    let inner = buf.box(rect, title: title, border: o.border(focused: true), style: .accent).inset(0)
    let content = Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: inner.height)
    for (i, (text, style)) in lines.prefix(content.height).enumerated() {
        buf.line(text, in: content, row: i, style: style, ascii: o.ascii)
    }
}

/// The help overlay, generated from the key bindings.
public func helpLines(_ s: State) -> [(String, Style)] {
    let width = Bindings.all.map { displayWidth($0.label) }.max() ?? 0
    var lines: [(String, Style)] = []
    for b in Bindings.all {
        var text = b.label.padding(width + 2) + b.description
        var style = Style.plain
        if let why = Bindings.whyDisabled(b.action, in: s) {
            text += " (now: \(why))"
            style = .dim
        }
        lines.append((text, style))
    }
    lines.append(("", .plain))
    lines.append(("Mouse: the wheel scrolls, a click selects. Any key closes this help.", .dim))
    return lines
}

func drawHelp(_ buf: inout Buffer, _ s: State, _ o: ViewOptions) {
    let lines = helpLines(s)
    let width = lines.map { displayWidth($0.0) }.max() ?? 0
    overlayBox(&buf, title: "Keys", lines: lines, width: width, o)
}

func drawConfirm(_ buf: inout Buffer, _ c: Confirmation, _ o: ViewOptions) {
    let lines: [(String, Style)] = [(c.question, .bold), ("", .plain), ("y: yes    any other key: no", .dim)]
    overlayBox(&buf, title: "Confirm", lines: lines, width: lines.map { displayWidth($0.0) }.max() ?? 0, o)
}

extension String {
    func leftPad(_ n: Int, _ pad: Character = " ") -> String {
        let w = displayWidth(self)
        return w >= n ? self : String(repeating: pad, count: n - w) + self
    }

    func padding(_ n: Int) -> String {
        let w = displayWidth(self)
        return w >= n ? self : self + String(repeating: " ", count: n - w)
    }
}
