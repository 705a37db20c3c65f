import Core
import Testing
@testable import Views

func sampleState(size: Size = Size(cols: 80, rows: 24)) -> State {
    var s = State(workspace: "/tmp/ws", size: size)
    s = update(s, .todos([
        TodoItem(file: "iam.tf", line: 12, text: "TODO: trust the client user"),
        TodoItem(file: "iam.tf", line: 30, text: "TODO: attach the write policy"),
        TodoItem(file: "main.tf", line: 3, text: "TODO: set the region"),
    ])).0
    s = update(s, .todos([
        TodoItem(file: "iam.tf", line: 12, text: "TODO: trust the client user"),
        TodoItem(file: "iam.tf", line: 30, text: "TODO: attach the write policy"),
    ])).0
    return s
}

@Suite struct BufferTests {
    @Test func zeroAndOneCellAreasNeverCrash() {
        let s = sampleState()
        #expect(view(s, size: Size(cols: 0, rows: 0)).lines == [])
        #expect(view(s, size: Size(cols: 1, rows: 1)).lines.count == 1)
        #expect(view(s, size: Size(cols: 1, rows: 0)).lines == [])
        #expect(view(s, size: Size(cols: 0, rows: 5)).lines == ["", "", "", "", ""])
        var b = Buffer(width: 1, height: 1)
        b.box(b.area, title: "title", border: .unicode)
        b.write("日本", x: 0, y: 0)
        #expect(b.lines == [" "])
        var z = Buffer(width: 0, height: 0)
        z.box(Rect(x: 0, y: 0, width: 5, height: 5), title: "x", border: .unicode)
        z.write("abc", x: 0, y: 0)
        #expect(z.lines.isEmpty)
        // Every size from 0x0 to 70x20 draws without trapping.
        for w in 0...70 { for h in 0...20 where (w + h) % 3 == 0 { _ = view(s, size: Size(cols: w, rows: h)) } }
    }

    @Test func boxWithTitleAsGrid() {
        var b = Buffer(width: 12, height: 3)
        b.box(b.area, title: "Hi", border: .unicode)
        #expect(b.lines == ["┌ Hi ──────┐", "│          │", "└──────────┘"])
        var a = Buffer(width: 12, height: 3)
        a.box(a.area, title: "a very long title", border: .ascii)
        #expect(a.lines == ["+ a very ~ +", "|          |", "+----------+"])
    }

    @Test func wideCharactersTakeTwoColumnsAndNeverTear() {
        var b = Buffer(width: 5, height: 1)
        let w = b.write("日本語", x: 0, y: 0)
        #expect(w == 5)
        #expect(b.lines == ["日本 "])
        #expect(b[1, 0].isContinuation)
        // Overwriting the second half of a wide character blanks the first half.
        b.write("x", x: 1, y: 0)
        #expect(b.lines == [" x本 "])
        var e = Buffer(width: 6, height: 1)
        e.write("a😀b", x: 0, y: 0)
        #expect(e.lines == ["a😀b  "])
        #expect(displayWidth("e\u{301}") == 1)
        #expect(displayWidth("ｈｉ") == 4)
    }

    @Test func longLinesAreCutWithAnEllipsis() {
        var b = Buffer(width: 10, height: 1)
        b.line(String(repeating: "x", count: 5000), in: b.area, row: 0)
        #expect(b.lines == ["xxxxxxxxx…"])
        var a = Buffer(width: 10, height: 1)
        a.line("日本語日本語日本語", in: a.area, row: 0)
        #expect(a.text == "日本語日…")
        #expect(truncate("abc", to: 0) == "")
    }

    @Test func controlCharactersBecomeSpaces() {
        var b = Buffer(width: 10, height: 1)
        b.write("a\u{1b}[31mb\tc", x: 0, y: 0)
        #expect(b.lines == ["a [31mb c "])
    }

    @Test func diffHoldsOnlyChangedCells() {
        var a = Buffer(width: 8, height: 2)
        a.write("hello", x: 0, y: 0)
        var b = a
        #expect(a.diff(to: b).isEmpty)
        b.write("J", x: 0, y: 0)
        b.write("日", x: 3, y: 1)
        let changes = a.diff(to: b)
        #expect(changes.map { "\($0.x),\($0.y),\($0.cell.text)" } == ["0,0,J", "3,1,日"])
        // A size change repaints every cell except continuations.
        let c = Buffer(width: 3, height: 1)
        #expect(a.diff(to: c).count == 3)
    }

    @Test func wrapKeepsWordsAndCutsLongOnes() {
        #expect(wrap("one two three", width: 7) == ["one two", "three"])
        #expect(wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(wrap("x", width: 0) == [])
    }
}

@Suite struct WidgetTests {
    @Test func textPaneShowsTheTailAndTheDroppedNote() {
        var ring = Ring<OutputLine>(capacity: 3)
        for i in 1...5 { ring.append(OutputLine("line \(i)")) }
        var b = Buffer(width: 30, height: 4)
        TextPane(lines: ring, scroll: 0).draw(into: &b, b.area, options: ViewOptions())
        #expect(b.text == "… 2 older lines dropped\nline 3\nline 4\nline 5")
        var s = Buffer(width: 30, height: 3)
        TextPane(lines: ring, scroll: 1).draw(into: &s, s.area, options: ViewOptions(ascii: true))
        #expect(s.text == "... 2 older lines dropped\nline 3\nline 4               v 1 more")
    }

    @Test func listScrollsToKeepRowsInRange() {
        let rows = (0..<10).map { (text: "row \($0)", style: Style.plain) }
        var b = Buffer(width: 8, height: 3)
        ListWidget(rows: rows, selected: 8, scroll: 7).draw(into: &b, b.area, ascii: false)
        #expect(b.text == "row 7\nrow 8\nrow 9")
        #expect(b[0, 1].style.reverse)
    }
}

@Suite struct ScreenTests {
    @Test func fullScreenShowsTodosChecksOutputAndStatus() {
        var s = sampleState()
        s = update(s, .target(.sandboxUp(endpoint: "127.0.0.1:4566"))).0
        s = update(s, .tick(75)).0
        let text = view(s, size: Size(cols: 100, rows: 24)).text
        #expect(text.contains("TODOs 2 of 3 open"))
        #expect(text.contains("iam.tf"))
        #expect(text.contains("○   12 TODO: trust the client user"))
        #expect(text.contains("✓    3 TODO: set the region"))
        #expect(text.contains("Checks"))
        #expect(text.contains("write"))
        #expect(text.contains("isolation"))
        #expect(text.contains("No terraform command has run yet"))
        #expect(text.contains("sandbox up 127.0.0.1:4566"))
        #expect(text.contains("1m15s"))
        #expect(text.contains("? help"))
    }

    @Test func statusBarShowsTheSessionLogWhenThereIsRoom() {
        var s = sampleState()
        s = update(s, .target(.sandboxUp(endpoint: "127.0.0.1:4566"))).0
        s = update(s, .sessionLog("~/.local/share/tfchallenge/sessions/bigcorp-s3-1.ndjson")).0
        let wide = view(s, size: Size(cols: 140, rows: 24), options: ViewOptions(ascii: true)).lines
        #expect(wide[23].hasPrefix(" sandbox up 127.0.0.1:4566 | 0s | log ~/.local/share/tfchallenge/sessions/bigcorp-s3-1.ndjson "))
        #expect(wide[23].hasSuffix("p plan  a apply  c checks  ? help  q quit "))
        // Narrower: the key hints keep their place and the path gives way.
        let narrow = view(s, size: Size(cols: 80, rows: 24), options: ViewOptions(ascii: true)).lines
        #expect(!narrow[23].contains("log ~"))
        #expect(narrow[23].hasSuffix("p plan  a apply  c checks  ? help  q quit "))
        // Without a log nothing is shown for it.
        let none = view(sampleState(), size: Size(cols: 140, rows: 24), options: ViewOptions(ascii: true)).lines
        #expect(!none[23].contains("| log "))
    }

    @Test func exactGridOfASmallScreen() {
        var s = State(workspace: "w", size: Size(cols: 60, rows: 16))
        s = update(s, .todos([TodoItem(file: "main.tf", line: 3, text: "TODO: set the region")])).0
        let grid = view(s, size: Size(cols: 60, rows: 16), options: ViewOptions(ascii: true)).lines
        #expect(grid.count == 16)
        #expect(grid.allSatisfy { $0.count == 60 })
        #expect(grid[0] == "# TODOs 1 of 1 open =========#+ Output --------------------+")
        #expect(grid[1] == "#main.tf                     #|No terraform command has run|")
        #expect(grid[2] == "#o    3 TODO: set the region #|yet. Press i to init, p to  |")
        #expect(grid[9] == "+ Checks --------------------+|                            |")
        #expect(grid[10] == "|- write     not run         ||                            |")
        #expect(grid[14] == "+----------------------------++----------------------------+")
        let b = view(s, size: Size(cols: 60, rows: 16), options: ViewOptions(ascii: true))
        #expect(b[3, 2].style.reverse)
        #expect(!b[3, 1].style.reverse)
        #expect(grid[15].hasPrefix(" sandbox ? | 0s"))
    }

    @Test func theSelectedTodosWholeTextShowsUnderTheList() {
        var s = State(workspace: "w", size: Size(cols: 80, rows: 30))
        let long = "TODO: BigCorp must also write objects: attach the write policy to the role"
        s = update(s, .todos([TodoItem(file: "iam.tf", line: 24, text: long)])).0
        let text = view(s, size: Size(cols: 80, rows: 30)).text
        #expect(!text.contains(long))  // the list cuts it...
        #expect(text.contains("┃iam.tf:24 TODO: BigCorp must  ┃"))  // ...the detail rows wrap it
        #expect(text.contains("┃also write objects: attach the┃"))
        #expect(text.contains("┃write policy to the role      ┃"))
    }

    @Test func asciiModeUsesOnlyAscii() {
        var s = sampleState()
        s = update(s, .runStarted(.plan)).0
        s = update(s, .terraform(.log(level: .info, message: "résumé 日本"))).0
        let text = view(s, size: Size(cols: 100, rows: 30), options: ViewOptions(ascii: true)).text
        let borderChars = text.unicodeScalars.filter { !$0.isASCII }
        // Only the output's own text may hold non-ASCII; no glyph of ours does.
        #expect(String(String.UnicodeScalarView(borderChars)) == "éé日本")
    }

    @Test func tooSmallAsksToEnlarge() {
        let text = view(sampleState(), size: Size(cols: 40, rows: 12)).text
        #expect(text.contains("Enlarge the terminal"))
        #expect(text.contains("60x16"))
        #expect(!text.contains("TODOs"))
    }

    @Test func helpOverlayIsGeneratedFromTheBindings() {
        var s = sampleState(size: Size(cols: 120, rows: 40))
        s = update(s, .key(Key("?"))).0
        let text = view(s, size: Size(cols: 120, rows: 40)).text
        for b in Bindings.all { #expect(text.contains(b.description), "\(b.description)") }
        #expect(text.contains("terraform is not running"))
    }

    @Test func runningApplyShowsProgressAndElapsedTime() {
        var s = sampleState()
        s = update(s, .tick(10)).0
        s = update(s, .runStarted(.apply)).0
        s = update(s, .terraform(.changeSummary(ChangeSummary(add: 4, change: 0, remove: 0, operation: "apply")))).0
        s = update(s, .terraform(.applyComplete(address: "aws_s3_bucket.this", action: "create", id: nil, elapsed: 2))).0
        s = update(s, .tick(22)).0
        let text = view(s, size: Size(cols: 120, rows: 24)).text
        #expect(text.contains("terraform apply"))
        #expect(text.contains("running 12s"))
        #expect(text.contains("1/4 resources"))
        #expect(text.contains("aws_s3_bucket.this: Creation complete after 2s"))
    }

    @Test func checkBoardShowsStatusDurationAndExplanation() {
        var s = sampleState(size: Size(cols: 100, rows: 30))
        s = update(s, .checksStarted).0
        s = update(s, .checkResult(CheckResult(name: .write, status: .pass, durationMs: 120, message: "ok"))).0
        s = update(s, .checkResult(CheckResult(name: .read, status: .fail, durationMs: 80, errorCode: "AccessDenied",
                                               message: "GetObject was refused.",
                                               explanation: "Check the KMS permissions in iam.tf."))).0
        s = update(s, .checkResult(CheckResult(name: .list, status: .pass, durationMs: 50, message: "ok"))).0
        s = update(s, .checkResult(CheckResult(name: .isolation, status: .pass, durationMs: 40, message: "ok"))).0
        s = update(s, .checksFinished).0
        let text = view(s, size: Size(cols: 100, rows: 30)).text
        #expect(text.contains("Checks 3/4 pass"))
        #expect(text.contains("✓ write     pass    120 ms"))
        #expect(text.contains("✗ read      FAIL    80 ms AccessDenied"))
        #expect(text.contains("read: GetObject was refused."))
    }

    @Test func confirmOverlayAsksBeforeApply() {
        var s = sampleState()
        s = update(s, .key(Key("a"))).0
        let text = view(s, size: Size(cols: 80, rows: 24)).text
        #expect(text.contains("Run terraform apply?"))
    }
}
