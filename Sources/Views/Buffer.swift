// A grid of cells that views draw into. Pure: no terminal, no I/O.
//
// A wide grapheme (CJK, most emoji) occupies two cells: the first holds the
// grapheme, the second is a `continuation` cell with empty text that the
// backend skips. Writing over half of a wide grapheme blanks the other half,
// so the grid never holds a torn character.
import Core

/// A colour of the terminal's basic palette. `.default` is the terminal's own.
public enum Color: UInt8, Sendable, Hashable, CaseIterable {
    case `default`, black, red, green, yellow, blue, magenta, cyan, white
}

/// How a cell is drawn. Colours fall back to attributes on a monochrome
/// terminal (the backend decides), so views also set `bold`/`reverse` where
/// the meaning must survive without colour.
public struct Style: Sendable, Hashable {
    public var fg: Color
    public var bg: Color
    public var bold: Bool
    public var dim: Bool
    public var reverse: Bool
    public var underline: Bool

    public init(fg: Color = .default, bg: Color = .default, bold: Bool = false, dim: Bool = false,
                reverse: Bool = false, underline: Bool = false) {
        self.fg = fg
        self.bg = bg
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
        self.underline = underline
    }

    public static let plain = Style()
    public static let bold = Style(bold: true)
    public static let dim = Style(dim: true)
    public static let selected = Style(reverse: true)
    public static let ok = Style(fg: .green)
    public static let bad = Style(fg: .red, bold: true)
    public static let warn = Style(fg: .yellow)
    public static let accent = Style(fg: .cyan)
}

/// One cell of the grid.
public struct Cell: Sendable, Hashable {
    /// One grapheme cluster, or "" for the second half of a wide grapheme.
    public var text: String
    public var style: Style

    public init(_ text: String = " ", style: Style = .plain) {
        self.text = text
        self.style = style
    }

    public static let blank = Cell()
    public var isContinuation: Bool { text.isEmpty }
}

public struct Buffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: fill, count: self.width * self.height)
    }

    public init(size: Size) { self.init(width: size.cols, height: size.rows) }

    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { contains(x, y) ? cells[y * width + x] : .blank }
    }

    func contains(_ x: Int, _ y: Int) -> Bool { x >= 0 && y >= 0 && x < width && y < height }

    /// Sets one cell, repairing any wide grapheme it cuts in half.
    mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        guard contains(x, y) else { return }
        let i = y * width + x
        // Overwriting the continuation of a wide grapheme blanks its head.
        if cells[i].isContinuation, x > 0 {
            cells[i - 1] = Cell(" ", style: cells[i - 1].style)
        }
        // Overwriting the head of a wide grapheme blanks its continuation.
        if x + 1 < width, cells[i + 1].isContinuation, !cells[i].isContinuation {
            cells[i + 1] = Cell(" ", style: cells[i + 1].style)
        }
        cells[i] = cell
    }

    /// Fills `rect` (clipped) with `cell`.
    public mutating func fill(_ rect: Rect, with cell: Cell = .blank) {
        let r = rect.intersection(area)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { set(x, y, cell) }
        }
    }

    /// Writes `text` at (x, y), clipped to `maxWidth` columns and to the
    /// buffer. Control characters become spaces (tabs expand to the next
    /// multiple of 4). A wide grapheme that does not fit whole is replaced by
    /// a space. Returns the number of columns written.
    @discardableResult
    public mutating func write(_ text: some StringProtocol, x: Int, y: Int, maxWidth: Int = .max,
                               style: Style = .plain) -> Int {
        guard y >= 0, y < height, maxWidth > 0 else { return 0 }
        let limit = min(maxWidth, width - x)
        guard limit > 0 else { return 0 }
        var col = 0
        for ch in text {
            if col >= limit { break }
            if ch == "\t" {
                let next = min(limit, (col / 4 + 1) * 4)
                while col < next { set(x + col, y, Cell(" ", style: style)); col += 1 }
                continue
            }
            let w = displayWidth(ch)
            if w == 0 {
                if ch.unicodeScalars.first.map({ $0.value < 0x20 || $0.value == 0x7f }) ?? false {
                    set(x + col, y, Cell(" ", style: style))
                    col += 1
                }
                continue
            }
            if col + w > limit {
                // A wide grapheme that does not fit: pad the rest.
                while col < limit { set(x + col, y, Cell(" ", style: style)); col += 1 }
                break
            }
            if x + col >= 0 {
                set(x + col, y, Cell(String(ch), style: style))
                if w == 2 { set(x + col + 1, y, Cell("", style: style)) }
            }
            col += w
        }
        return col
    }

    /// The grid as text, one line per row, trailing spaces kept. Test helper
    /// and the ASCII dump used in failure messages.
    public var lines: [String] {
        (0..<height).map { y in
            var s = ""
            for x in 0..<width { s += cells[y * width + x].text }
            return s
        }
    }

    /// The grid as text with trailing spaces removed on each line.
    public var text: String {
        lines.map { line in
            var l = Substring(line)
            while l.last == " " { l = l.dropLast() }
            return String(l)
        }.joined(separator: "\n")
    }
}

/// One changed cell: what the backend must write.
public struct CellChange: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var cell: Cell
}

extension Buffer {
    /// The cells of `next` that differ from `self`, row by row. Continuation
    /// cells are never emitted (writing the head draws both halves); when a
    /// wide grapheme changes to narrow ones, the cell after it is emitted too.
    /// A size change returns every cell of `next`.
    public func diff(to next: Buffer) -> [CellChange] {
        var changes: [CellChange] = []
        let sameSize = width == next.width && height == next.height
        var y = 0
        while y < next.height {
            var x = 0
            let row = y * next.width
            while x < next.width {
                let n = next.cells[row + x]
                if !sameSize || cells[row + x] != n {
                    if !n.isContinuation {
                        changes.append(CellChange(x: x, y: y, cell: n))
                    } else if x > 0 && (sameSize && cells[row + x - 1] == next.cells[row + x - 1]) {
                        // The head did not change but its continuation did: redraw the head.
                        changes.append(CellChange(x: x - 1, y: y, cell: next.cells[row + x - 1]))
                    }
                }
                x += 1
            }
            y += 1
        }
        return changes
    }
}
