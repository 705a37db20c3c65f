/// Where each pane sits for a screen size. Pure, shared by the views (to
/// draw) and by `update` (to map a mouse click to a pane and a row, and to
/// keep the selection in sight).
public struct Layout: Sendable, Equatable {
    /// Below this size the screen only asks for a larger terminal.
    public static let minimum = Size(cols: 60, rows: 16)

    public var size: Size
    public var tooSmall: Bool
    public var todos: Rect
    public var checks: Rect
    public var output: Rect
    public var status: Rect

    public init(size: Size) {
        self.size = size
        let all = Rect(x: 0, y: 0, width: size.cols, height: size.rows)
        tooSmall = size.cols < Layout.minimum.cols || size.rows < Layout.minimum.rows
        let (body, status) = all.splitBottom(1)
        self.status = status
        let leftWidth = min(64, max(30, size.cols * 2 / 5))
        let (left, right) = body.splitLeft(leftWidth)
        // Four checks plus borders; plus three detail lines when there is room.
        let checksHeight = body.height >= 22 ? 10 : 6
        let (todos, checks) = left.splitBottom(checksHeight)
        self.todos = todos
        self.checks = checks
        output = right
    }

    /// The pane under a screen cell.
    public func pane(atX x: Int, y: Int) -> Pane? {
        for (pane, r) in [(Pane.todos, todos), (.checks, checks), (.output, output)]
        where x >= r.x && x < r.maxX && y >= r.y && y < r.maxY {
            return pane
        }
        return nil
    }
}

/// One row of the TODO list: a file heading or a TODO (index into `visibleTodos`).
public enum TodoRow: Sendable, Equatable {
    case file(String)
    case todo(Int)
}

extension State {
    /// The TODO list's rows: each file once, then its TODOs.
    public var todoRows: [TodoRow] {
        var rows: [TodoRow] = []
        var lastFile: String?
        for (i, entry) in visibleTodos.enumerated() {
            if entry.item.file != lastFile {
                rows.append(.file(entry.item.file))
                lastFile = entry.item.file
            }
            rows.append(.todo(i))
        }
        return rows
    }

    /// Lines of the output pane's inner area that show output lines (one row
    /// is the "older lines dropped" note when lines were dropped).
    public var outputViewportHeight: Int {
        let inner = Layout(size: size).output.inset(1).height
        let dropped = (shownRunState?.lines.dropped ?? 0) > 0
        return max(0, inner - (dropped ? 1 : 0))
    }

    public var maxOutputScroll: Int {
        max(0, (shownRunState?.lines.count ?? 0) - outputViewportHeight)
    }
}
