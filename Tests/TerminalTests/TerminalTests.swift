import Foundation
import Core
import Testing
@testable import Terminal

// ncurses key codes (curses.h: KEY_DOWN 0402, KEY_UP 0403, KEY_HOME 0406, KEY_BACKSPACE 0407,
// KEY_NPAGE 0522, KEY_PPAGE 0523, KEY_ENTER 0527, KEY_BTAB 0541, KEY_END 0550).
@Suite struct KeyDecoderTests {
    @Test(arguments: [
        (UInt32(9), false, "tab"), (10, false, "enter"), (13, false, "enter"), (27, false, "esc"),
        (127, false, "backspace"), (8, false, "backspace"), (3, false, "ctrl-c"), (12, false, "ctrl-l"),
        (UInt32(Character("q").unicodeScalars.first!.value), false, "q"),
        (UInt32(Character("?").unicodeScalars.first!.value), false, "?"),
        (0xE9, false, "é"), (0x65E5, false, "日"),
        (259, true, "up"), (258, true, "down"), (338, true, "pgdn"),
        (339, true, "pgup"), (353, true, "backtab"), (262, true, "home"),
        (360, true, "end"), (343, true, "enter"), (263, true, "backspace"),
    ])
    func decodes(_ code: UInt32, _ function: Bool, _ expected: String) {
        #expect(KeyDecoder.decode(code: code, isFunctionKey: function) == Key(expected))
    }

    @Test func everyBindingKeyCanBeTyped() {
        // Every key the bindings name is a key the decoder can produce.
        let producible: Set<String> = ["up", "down", "left", "right", "pgup", "pgdn", "home", "end", "tab", "backtab",
                                       "enter", "esc", "backspace"]
        for b in Bindings.all {
            for k in b.keys {
                #expect(k.character != nil || producible.contains(k.rawValue) || k.rawValue.hasPrefix("ctrl-"), "\(k)")
            }
        }
    }

    @Test func unknownCodesAreDropped() {
        #expect(KeyDecoder.decode(code: 0, isFunctionKey: false) == nil)
        #expect(KeyDecoder.decode(code: 0x7FFF, isFunctionKey: true) == nil)
    }
}

@Suite struct EditorCommandTests {
    @Test(arguments: [
        ("vi", ["vi", "+12", "main.tf"]),
        ("vim", ["vim", "+12", "main.tf"]),
        ("/usr/bin/nvim", ["/usr/bin/nvim", "+12", "main.tf"]),
        ("nano", ["nano", "+12", "main.tf"]),
        ("emacs -nw", ["emacs", "-nw", "+12", "main.tf"]),
        ("micro", ["micro", "main.tf:12"]),
        ("hx", ["hx", "main.tf:12"]),
        ("helix", ["helix", "main.tf:12"]),
        ("code --wait", ["code", "--wait", "-g", "main.tf:12"]),
        ("  ", ["vi", "+12", "main.tf"]),
    ])
    func argvForEditor(_ editor: String, _ expected: [String]) {
        #expect(EditorCommand.argv(editor: editor, file: "main.tf", line: 12) == expected)
    }

    @Test func aFileNameWithSpacesOrShellCharactersStaysOneArgument() {
        let argv = EditorCommand.argv(editor: "vim", file: "my dir/$(rm -rf x);.tf", line: 0)
        #expect(argv == ["vim", "+1", "my dir/$(rm -rf x);.tf"])
    }

    @Test func visualWinsOverEditor() {
        #expect(EditorCommand.editor(environment: ["VISUAL": "nvim", "EDITOR": "nano"]) == "nvim")
        #expect(EditorCommand.editor(environment: ["EDITOR": "nano"]) == "nano")
        #expect(EditorCommand.editor(environment: ["VISUAL": ""]) == "vi")
    }

    @Test func runsTheEditorAndReportsItsStatus() throws {
        #expect(try runForeground(["true"], directory: "/") == 0)
        #expect(try runForeground(["sh", "-c", "exit 3"], directory: "/") == 3)
        #expect(throws: EditorLaunchError.self) { try runForeground(["no-such-editor-tfc"], directory: "/") }
    }
}

@Suite struct TerminalScreenTests {
    @Test func withoutATerminalTheScreenRefusesClearly() {
        // The test runner's stdin is not a terminal.
        guard isatty(0) == 0 else { return }
        #expect(throws: TerminalError.self) { try TerminalScreen(environment: ["TERM": "xterm"]) }
    }

    @Test func queuePreservesOrderAcrossThreads() async throws {
        let q = try EventQueue()
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<4 {
                group.addTask { for i in 0..<100 { q.post(.tick(Double(t * 1000 + i))) } }
            }
        }
        let events = q.drain()
        #expect(events.count == 400)
        for t in 0..<4 {
            let mine = events.compactMap { e -> Double? in
                if case .tick(let v) = e, Int(v) / 1000 == t { return v } else { return nil }
            }
            #expect(mine == mine.sorted())
        }
        #expect(q.drain().isEmpty)
    }
}
