import Foundation

/// Finds TODO and FIXME markers in the comments of Terraform (HCL) files.
///
/// Only comments count: `#` and `//` line comments and `/* */` block comments.
/// A marker inside a quoted string, a template interpolation's strings, or a
/// heredoc is text, not a TODO, and is skipped. A marker is the word `TODO` or
/// `FIXME` in capitals, standing alone (not part of a longer word).
public enum TodoScanner {
    /// The markers, in the order they are tried.
    public static let markers = ["TODO", "FIXME"]

    /// Scans one file's text. `file` is the name put in each item.
    public static func scan(text: String, file: String) -> [TodoItem] {
        var lexer = HCLCommentLexer(text)
        var items: [TodoItem] = []
        for comment in lexer.comments() {
            for (offset, line) in comment.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if let found = findMarker(in: Substring(line)) {
                    items.append(TodoItem(file: file, line: comment.line + offset, text: found))
                }
            }
        }
        return items
    }

    /// Scans every `.tf` and `.tfvars` file under `directory`, skipping hidden
    /// directories (`.terraform/`, `.git/`). Items are sorted by file then line.
    public static func scan(directory: URL) throws -> [TodoItem] {
        var items: [TodoItem] = []
        for relative in try terraformFiles(in: directory) {
            let url = directory.appendingPathComponent(relative)
            let data = try Data(contentsOf: url)
            let text = String(decoding: data, as: UTF8.self)
            items += scan(text: text, file: relative)
        }
        return items.sorted { ($0.file, $0.line) < ($1.file, $1.line) }
    }

    /// The relative paths of the Terraform files under `directory`, sorted.
    public static func terraformFiles(in directory: URL) throws -> [String] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDir), isDir.boolValue else {
            throw ChallengeError.noWorkspace(directory.path)
        }
        var result: [String] = []
        func walk(_ dir: URL, _ prefix: String) throws {
            let names = try fm.contentsOfDirectory(atPath: dir.path).sorted()
            for name in names where !name.hasPrefix(".") {
                let url = dir.appendingPathComponent(name)
                var sub: ObjCBool = false
                guard fm.fileExists(atPath: url.path, isDirectory: &sub) else { continue }
                let rel = prefix.isEmpty ? name : prefix + "/" + name
                if sub.boolValue {
                    try walk(url, rel)
                } else if name.hasSuffix(".tf") || name.hasSuffix(".tfvars") {
                    result.append(rel)
                }
            }
        }
        try walk(directory, "")
        return result
    }

    /// The marker and what follows it on the line, trimmed, or nil.
    static func findMarker(in line: Substring) -> String? {
        let chars = Array(line)
        for marker in markers {
            let m = Array(marker)
            var i = 0
            while i + m.count <= chars.count {
                if Array(chars[i..<(i + m.count)]) == m {
                    let before = i == 0 ? " " : chars[i - 1]
                    let after = i + m.count < chars.count ? chars[i + m.count] : " "
                    if !isWordCharacter(before) && !isWordCharacter(after) {
                        var text = String(chars[i...])
                        if let end = text.range(of: "*/") { text = String(text[..<end.lowerBound]) }
                        return text.trimmingCharacters(in: .whitespaces)
                    }
                }
                i += 1
            }
        }
        return nil
    }

    static func isWordCharacter(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "_"
    }
}

/// A comment found by the lexer: its text (without the opening `#`, `//` or
/// `/*`) and the 1-based line it starts on.
struct HCLComment: Equatable {
    var line: Int
    var text: String
}

/// A small HCL lexer that knows just enough to tell comments from strings,
/// template interpolations and heredocs.
struct HCLCommentLexer {
    private let chars: [Character]
    private var i = 0
    private var line = 1

    init(_ text: String) {
        chars = Array(text)
    }

    private func peek(_ offset: Int = 0) -> Character? {
        i + offset < chars.count ? chars[i + offset] : nil
    }

    private mutating func advance() {
        if chars[i] == "\n" { line += 1 }
        i += 1
    }

    /// Every comment in the text, in order.
    mutating func comments() -> [HCLComment] {
        var out: [HCLComment] = []
        lexExpression(until: nil, into: &out)
        return out
    }

    /// Expression context. Stops after the `}` that closes an interpolation
    /// when `until` is `}` (nesting counted), or at the end of the text.
    private mutating func lexExpression(until closer: Character?, into out: inout [HCLComment]) {
        var depth = 0
        while let c = peek() {
            if c == "#" || (c == "/" && peek(1) == "/") {
                let start = line
                i += (c == "#") ? 1 : 2
                var text = ""
                while let d = peek(), d != "\n" { text.append(d); i += 1 }
                out.append(HCLComment(line: start, text: text))
            } else if c == "/" && peek(1) == "*" {
                let start = line
                i += 2
                var text = ""
                while let d = peek() {
                    if d == "*" && peek(1) == "/" { i += 2; break }
                    text.append(d)
                    advance()
                }
                out.append(HCLComment(line: start, text: text))
            } else if c == "\"" {
                i += 1
                lexString(into: &out)
            } else if c == "<" && peek(1) == "<" && heredocStartsHere() {
                lexHeredoc()
            } else if c == "{" {
                depth += 1
                advance()
            } else if c == "}" {
                advance()
                if depth == 0 && closer == "}" { return }
                depth -= 1
            } else {
                advance()
            }
        }
    }

    /// Inside a quoted string (after the opening quote). Interpolations
    /// (`${...}`, `%{...}`) are expressions and may hold strings of their own.
    private mutating func lexString(into out: inout [HCLComment]) {
        while let c = peek() {
            if c == "\\" {
                advance()
                if peek() != nil { advance() }
            } else if c == "\"" {
                i += 1
                return
            } else if c == "\n" {
                // An unterminated string ends at the line's end in HCL.
                return
            } else if (c == "$" || c == "%") && peek(1) == c && peek(2) == "{" {
                // `$${` and `%%{` are escaped template markers: literal text.
                i += 3
            } else if (c == "$" || c == "%") && peek(1) == "{" {
                i += 2
                lexExpression(until: "}", into: &out)
            } else {
                advance()
            }
        }
    }

    /// Whether `<<WORD` or `<<-WORD` at the cursor opens a heredoc (the word
    /// then ends the line).
    private func heredocStartsHere() -> Bool {
        var j = i + 2
        if j < chars.count && chars[j] == "-" { j += 1 }
        var word = 0
        while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1; word += 1 }
        guard word > 0 else { return false }
        while j < chars.count, chars[j] == " " || chars[j] == "\t" || chars[j] == "\r" { j += 1 }
        return j == chars.count || chars[j] == "\n"
    }

    /// Skips a heredoc: its body is text up to the line holding only the word.
    private mutating func lexHeredoc() {
        i += 2
        if peek() == "-" { i += 1 }
        var word = ""
        while let c = peek(), c.isLetter || c.isNumber || c == "_" { word.append(c); i += 1 }
        // Skip to the end of the opening line.
        while let c = peek(), c != "\n" { i += 1; _ = c }
        while peek() != nil {
            advance() // the newline
            var current = ""
            while let c = peek(), c != "\n" { current.append(c); i += 1 }
            if current.trimmingCharacters(in: .whitespaces) == word { return }
        }
    }
}
