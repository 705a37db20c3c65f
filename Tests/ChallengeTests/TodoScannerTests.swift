import Foundation
import Testing
@testable import Challenge

@Suite struct TodoScannerTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var source: String
        var expected: [TodoItem]
        var description: String { name }
    }

    static func item(_ line: Int, _ text: String) -> TodoItem { TodoItem(file: "x.tf", line: line, text: text) }

    static let cases: [Case] = [
        Case(name: "hash comment", source: "# TODO: set the region\nregion = \"x\"\n",
             expected: [item(1, "TODO: set the region")]),
        Case(name: "double slash comment after code", source: "a = 1\nb = 2 // FIXME wrong\n",
             expected: [item(2, "FIXME wrong")]),
        Case(name: "block comment, marker on its second line",
             source: "/* first\n   TODO: second line\n*/\nx = 1\n",
             expected: [item(2, "TODO: second line")]),
        Case(name: "block comment on one line ends at */", source: "x = 1 /* TODO: here */ y = 2\n",
             expected: [item(1, "TODO: here")]),
        Case(name: "marker inside a string is not a TODO", source: "name = \"TODO: not a comment\"\n",
             expected: []),
        Case(name: "hash inside a string is not a comment", source: "name = \"a # TODO b\"\n# TODO real\n",
             expected: [item(2, "TODO real")]),
        Case(name: "slashes inside a string are not a comment", source: "url = \"http://x // TODO no\"\n",
             expected: []),
        Case(name: "escaped quote keeps the string open", source: "s = \"say \\\" # TODO no\"\n",
             expected: []),
        Case(name: "heredoc body is text",
             source: "policy = <<EOF\n# TODO not a comment\n// FIXME neither\nEOF\n# TODO after heredoc\n",
             expected: [item(5, "TODO after heredoc")]),
        Case(name: "indented heredoc",
             source: "x = <<-EOT\n    /* TODO no */\n    EOT\n// TODO yes\n",
             expected: [item(4, "TODO yes")]),
        Case(name: "interpolation with a nested string",
             source: "s = \"${lookup(m, \"k # TODO no\")} # TODO no\" # TODO yes\n",
             expected: [item(1, "TODO yes")]),
        Case(name: "escaped interpolation marker stays in the string",
             source: "s = \"$${x} # TODO no\"\n",
             expected: []),
        Case(name: "marker must be a word", source: "# TODOS and MYFIXME and FIXMEs\n",
             expected: []),
        Case(name: "lower case is not a marker", source: "# todo later\n", expected: []),
        Case(name: "block comment start inside a string", source: "s = \"/*\"\n# TODO yes\n",
             expected: [item(2, "TODO yes")]),
        Case(name: "comparison is not a heredoc", source: "x = a << b\n# TODO y\n",
             expected: [item(2, "TODO y")]),
        Case(name: "empty text", source: "", expected: []),
        Case(name: "marker at end of text without newline", source: "# FIXME", expected: [item(1, "FIXME")]),
    ]

    @Test(arguments: cases)
    func scansComments(_ c: Case) {
        #expect(TodoScanner.scan(text: c.source, file: "x.tf") == c.expected)
    }

    @Test func scansADirectorySkippingHiddenOnes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("todo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("modules/a"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent(".terraform/modules"), withIntermediateDirectories: true)
        try "# TODO top\n".write(to: dir.appendingPathComponent("main.tf"), atomically: true, encoding: .utf8)
        try "x = 1\n\n# FIXME deep\n".write(to: dir.appendingPathComponent("modules/a/b.tf"), atomically: true, encoding: .utf8)
        try "# TODO hidden\n".write(to: dir.appendingPathComponent(".terraform/modules/c.tf"), atomically: true, encoding: .utf8)
        try "# TODO not terraform\n".write(to: dir.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let items = try TodoScanner.scan(directory: dir)
        #expect(items == [TodoItem(file: "main.tf", line: 1, text: "TODO top"),
                          TodoItem(file: "modules/a/b.tf", line: 3, text: "FIXME deep")])
    }

    @Test func missingDirectoryIsAClearError() {
        #expect(throws: ChallengeError.noWorkspace("/nonexistent/ws")) {
            try TodoScanner.scan(directory: URL(fileURLWithPath: "/nonexistent/ws"))
        }
    }

    @Test func checkResultJSONHasEveryKey() throws {
        let r = CheckResult(name: .write, status: .pass, durationMs: 12, message: "ok")
        let json = String(decoding: try JSONEncoder().encode(r), as: UTF8.self)
        #expect(json.contains("\"error_code\":null"))
        #expect(json.contains("\"duration_ms\":12"))
        let back = try JSONDecoder().decode(CheckResult.self, from: Data(json.utf8))
        #expect(back == r)
    }
}
