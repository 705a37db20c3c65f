import Core

/// The characters boxes are drawn with: UTF-8 line drawing, or ASCII when the
/// terminal's locale cannot show it.
public struct BorderSet: Sendable, Equatable {
    public var topLeft, topRight, bottomLeft, bottomRight, horizontal, vertical: String

    public static let unicode = BorderSet(topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
                                          horizontal: "─", vertical: "│")
    public static let heavy = BorderSet(topLeft: "┏", topRight: "┓", bottomLeft: "┗", bottomRight: "┛",
                                        horizontal: "━", vertical: "┃")
    public static let ascii = BorderSet(topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
                                        horizontal: "-", vertical: "|")
    public static let asciiFocused = BorderSet(topLeft: "#", topRight: "#", bottomLeft: "#", bottomRight: "#",
                                               horizontal: "=", vertical: "#")
}

/// How the screen may draw: glyphs for a UTF-8 terminal or plain ASCII.
public struct ViewOptions: Sendable, Equatable {
    public var ascii: Bool
    public init(ascii: Bool = false) { self.ascii = ascii }

    public func border(focused: Bool) -> BorderSet {
        ascii ? (focused ? .asciiFocused : .ascii) : (focused ? .heavy : .unicode)
    }

    /// A glyph, or its ASCII stand-in.
    public func glyph(_ unicode: String, _ ascii: String) -> String { self.ascii ? ascii : unicode }
}

extension Buffer {
    /// Draws a box around `rect` with `title` on its top border; returns the
    /// inner area. Areas too small for a border draw what fits and return an
    /// empty inner rectangle.
    @discardableResult
    public mutating func box(_ rect: Rect, title: String = "", titleStyle: Style = .bold, border: BorderSet,
                             style: Style = .plain) -> Rect {
        let r = rect.intersection(area)
        guard !r.isEmpty else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
        if r.width >= 2 && r.height >= 2 {
            for x in r.x + 1..<r.maxX - 1 {
                set(x, r.y, Cell(border.horizontal, style: style))
                set(x, r.maxY - 1, Cell(border.horizontal, style: style))
            }
            for y in r.y + 1..<r.maxY - 1 {
                set(r.x, y, Cell(border.vertical, style: style))
                set(r.maxX - 1, y, Cell(border.vertical, style: style))
            }
            set(r.x, r.y, Cell(border.topLeft, style: style))
            set(r.maxX - 1, r.y, Cell(border.topRight, style: style))
            set(r.x, r.maxY - 1, Cell(border.bottomLeft, style: style))
            set(r.maxX - 1, r.maxY - 1, Cell(border.bottomRight, style: style))
        } else {
            fill(r, with: Cell(border.horizontal, style: style))
        }
        if !title.isEmpty && r.width > 4 {
            let t = truncate(title, to: r.width - 4, ascii: border.horizontal.allSatisfy(\.isASCII))
            write(" ", x: r.x + 1, y: r.y, style: style)
            let w = write(t, x: r.x + 2, y: r.y, maxWidth: r.width - 4, style: titleStyle)
            write(" ", x: r.x + 2 + w, y: r.y, style: style)
        }
        return r.inset(1)
    }

    /// Writes `text` on row `y` of `rect`, cut with an ellipsis when too long,
    /// and pads the rest of the row with `style` (so a selection bar spans it).
    public mutating func line(_ text: String, in rect: Rect, row: Int, style: Style = .plain, ascii: Bool = false) {
        guard row >= 0, row < rect.height, rect.width > 0 else { return }
        let y = rect.y + row
        fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), with: Cell(" ", style: style))
        write(truncate(text, to: rect.width, ascii: ascii), x: rect.x, y: y, maxWidth: rect.width, style: style)
    }

    /// Writes styled spans one after another on a row, clipped to `rect`.
    public mutating func spans(_ parts: [(String, Style)], in rect: Rect, row: Int) {
        guard row >= 0, row < rect.height else { return }
        var x = rect.x
        for (text, style) in parts where x < rect.maxX {
            x += write(text, x: x, y: rect.y + row, maxWidth: rect.maxX - x, style: style)
        }
    }
}

/// A list with a selection and a scroll offset.
public struct ListWidget {
    public var rows: [(text: String, style: Style)]
    public var selected: Int?
    public var scroll: Int
    public var highlight: Style

    public init(rows: [(text: String, style: Style)], selected: Int?, scroll: Int, highlight: Style = .selected) {
        self.rows = rows
        self.selected = selected
        self.scroll = scroll
        self.highlight = highlight
    }

    public func draw(into buf: inout Buffer, _ rect: Rect, ascii: Bool) {
        guard !rect.isEmpty else { return }
        let start = max(0, min(scroll, max(0, rows.count - rect.height)))
        for row in 0..<rect.height {
            let i = start + row
            guard i < rows.count else { break }
            var style = rows[i].style
            if i == selected {
                style = highlight
                style.bold = rows[i].style.bold
            }
            buf.line(rows[i].text, in: rect, row: row, style: style, ascii: ascii)
        }
    }
}

/// A pane showing the tail (or a scrolled window) of a ring of lines, with a
/// note when older lines were dropped. Draws only the visible window: the cost
/// does not grow with the scrollback.
public struct TextPane {
    public var lines: Ring<OutputLine>
    /// Lines scrolled up from the bottom.
    public var scroll: Int
    public var highlightLine: Int?

    public init(lines: Ring<OutputLine>, scroll: Int, highlightLine: Int? = nil) {
        self.lines = lines
        self.scroll = scroll
        self.highlightLine = highlightLine
    }

    public func draw(into buf: inout Buffer, _ rect: Rect, options: ViewOptions) {
        guard !rect.isEmpty else { return }
        var area = rect
        if lines.dropped > 0 {
            let (note, rest) = area.splitTop(1)
            buf.line("\(options.glyph("…", "...")) \(lines.dropped) older lines dropped", in: note, row: 0,
                     style: .dim, ascii: options.ascii)
            area = rest
        }
        guard area.height > 0 else { return }
        let end = max(0, lines.count - max(0, scroll))
        let start = max(0, end - area.height)
        for (row, i) in (start..<end).enumerated() {
            let l = lines[i]
            var style = TextPane.style(for: l.kind)
            if let h = highlightLine, h == i + lines.dropped { style.reverse = true }
            buf.line(l.text, in: area, row: row, style: style, ascii: options.ascii)
        }
        if scroll > 0 && area.width > 12 {
            let tag = " \(options.glyph("↓", "v")) \(scroll) more "
            buf.write(tag, x: area.maxX - displayWidth(tag), y: area.maxY - 1, style: Style(reverse: true))
        }
    }

    static func style(for kind: OutputLine.Kind) -> Style {
        switch kind {
        case .normal: return .plain
        case .error: return .bad
        case .warning: return Style(fg: .yellow, bold: true)
        case .success: return .ok
        case .note: return .bold
        case .dim: return .dim
        case .added: return Style(fg: .green)
        case .changed: return Style(fg: .yellow)
        case .removed: return Style(fg: .red)
        }
    }
}

/// Words of `text` laid out in lines of at most `width` columns (a word longer
/// than a line is cut).
public func wrap(_ text: String, width: Int) -> [String] {
    guard width > 0 else { return [] }
    var out: [String] = []
    for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
        var line = ""
        var lineWidth = 0
        for word in paragraph.split(separator: " ") {
            var w = String(word)
            var ww = displayWidth(w)
            while ww > width {
                if !line.isEmpty { out.append(line); line = ""; lineWidth = 0 }
                var head = ""
                var hw = 0
                for ch in w {
                    let cw = displayWidth(ch)
                    if hw + cw > width { break }
                    head.append(ch)
                    hw += cw
                }
                if head.isEmpty { break }
                out.append(head)
                w = String(w.dropFirst(head.count))
                ww = displayWidth(w)
            }
            if w.isEmpty { continue }
            if lineWidth == 0 {
                line = w
                lineWidth = ww
            } else if lineWidth + 1 + ww <= width {
                line += " " + w
                lineWidth += 1 + ww
            } else {
                out.append(line)
                line = w
                lineWidth = ww
            }
        }
        out.append(line)
    }
    return out
}
