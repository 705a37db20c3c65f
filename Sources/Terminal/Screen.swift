import CNcurses
import Core
import Foundation
import Views

public struct TerminalError: Error, CustomStringConvertible {
    public var description: String
}

/// What the terminal can show, decided once at start.
public struct TerminalCapabilities: Sendable, Equatable {
    /// The locale is UTF-8: box drawing and wide characters can be shown.
    public var unicode: Bool
    /// Colours are available and wanted (NO_COLOR unset).
    public var color: Bool
}

/// The one owner of the ncurses screen. Writes only the cells that changed
/// since the last frame; restores the terminal in `close()` and `deinit`, and
/// (through `TerminalRestore`) on exit, crash and fatal signals.
public final class TerminalScreen {
    public let capabilities: TerminalCapabilities
    private var screen: OpaquePointer?
    private var window: UnsafeMutablePointer<WINDOW>
    private var last: Buffer?
    private var pairs: [Int: Int16] = [:]
    private var closed = false

    /// Takes over the terminal. `environment` decides NO_COLOR.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        setlocale(LC_ALL, "")
        let codeset = tfc_codeset().map { String(cString: $0) } ?? ""
        let unicode = codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        guard isatty(0) == 1, isatty(1) == 1 else {
            throw TerminalError(description: "the screen needs a terminal (stdin and stdout are not one)")
        }
        guard let term = environment["TERM"], !term.isEmpty, term != "dumb" else {
            throw TerminalError(description: "TERM is not set to a terminal that can draw a full screen")
        }
        TerminalRestore.shared.install()
        // newterm, unlike initscr, returns an error instead of exiting the process.
        guard let s = tfc_newterm() else {
            throw TerminalError(description: "ncurses could not open the terminal '\(term)'")
        }
        screen = s
        set_term(s)
        guard let w = tfc_stdscr() else {
            endwin()
            throw TerminalError(description: "ncurses has no screen")
        }
        window = w
        TerminalRestore.shared.activate()
        raw()
        noecho()
        nonl()
        keypad(w, true)
        nodelay(w, true)
        scrollok(w, false)
        leaveok(w, true)
        curs_set(0)
        set_escdelay(25)
        mouseinterval(0)
        _ = mousemask(tfc_button1_pressed() | tfc_button4_pressed() | tfc_button5_pressed(), nil)
        var color = false
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        if has_colors() && !noColor {
            start_color()
            use_default_colors()
            color = true
        }
        capabilities = TerminalCapabilities(unicode: unicode, color: color)
    }

    deinit { close() }

    /// Gives the terminal back. Safe to call more than once.
    public func close() {
        guard !closed else { return }
        closed = true
        curs_set(1)
        endwin()
        if let s = screen { delscreen(s) }
        screen = nil
        TerminalRestore.shared.deactivate()
    }

    public var size: Size {
        var rows: Int32 = 0, cols: Int32 = 0
        tfc_getmaxyx(window, &rows, &cols)
        return Size(cols: Int(cols), rows: Int(rows))
    }

    /// Draws `buffer`, writing only the cells that differ from the last frame.
    /// Returns the number of cells written.
    @discardableResult
    public func draw(_ buffer: Buffer) -> Int {
        let changes: [CellChange]
        if let last, last.width == buffer.width, last.height == buffer.height {
            changes = last.diff(to: buffer)
        } else {
            werase(window)
            // After an erase the blanks are right already: write the rest.
            changes = Buffer(width: buffer.width, height: buffer.height).diff(to: buffer)
        }
        for change in changes { put(change) }
        wnoutrefresh(window)
        doupdate()
        last = buffer
        return changes.count
    }

    /// Forgets the last frame so the next draw repaints everything.
    public func invalidate() {
        last = nil
        clearok(tfc_curscr(), true)
    }

    private func put(_ change: CellChange) {
        var text = change.cell.text
        if !capabilities.unicode && !text.allSatisfy(\.isASCII) {
            text = displayWidth(Character(text)) == 2 ? "??" : "?"
        }
        let style = change.cell.style
        var attrs = tfc_a_normal()
        if style.bold { attrs |= tfc_a_bold() }
        if style.dim { attrs |= tfc_a_dim() }
        if style.reverse { attrs |= tfc_a_reverse() }
        if style.underline { attrs |= tfc_a_underline() }
        let pair = capabilities.color ? colorPair(style.fg, style.bg) : 0
        wattr_set(window, attrs, pair, nil)
        // The bottom-right cell makes waddstr report ERR (the cursor cannot
        // advance); the character is drawn all the same.
        _ = mvwaddstr(window, Int32(change.y), Int32(change.x), text)
    }

    private func colorPair(_ fg: Color, _ bg: Color) -> Int16 {
        if fg == .default && bg == .default { return 0 }
        let key = Int(fg.rawValue) * 16 + Int(bg.rawValue)
        if let p = pairs[key] { return p }
        let n = Int16(pairs.count + 1)
        guard Int32(n) < tfc_color_pairs() else { return 0 }
        init_pair(n, cursesColor(fg), cursesColor(bg))
        pairs[key] = n
        return n
    }

    private func cursesColor(_ c: Color) -> Int16 {
        switch c {
        case .default: return -1
        case .black: return Int16(COLOR_BLACK)
        case .red: return Int16(COLOR_RED)
        case .green: return Int16(COLOR_GREEN)
        case .yellow: return Int16(COLOR_YELLOW)
        case .blue: return Int16(COLOR_BLUE)
        case .magenta: return Int16(COLOR_MAGENTA)
        case .cyan: return Int16(COLOR_CYAN)
        case .white: return Int16(COLOR_WHITE)
        }
    }

    /// Everything the terminal has sent since the last call, decoded.
    public func readInput() -> [InputEvent] {
        var out: [InputEvent] = []
        var ch: wint_t = 0
        while true {
            let rc = wget_wch(window, &ch)
            if rc == tfc_err() { break }
            let isFunctionKey = rc == tfc_key_code_yes()
            if isFunctionKey && Int32(ch) == tfc_key_resize() {
                out.append(.resize)
            } else if isFunctionKey && Int32(ch) == tfc_key_mouse() {
                var m = MEVENT()
                if getmouse(&m) == tfc_ok() {
                    let x = Int(m.x), y = Int(m.y)
                    if m.bstate & tfc_button4_pressed() != 0 {
                        out.append(.mouse(MouseEvent(.wheelUp, x: x, y: y)))
                    } else if tfc_button5_pressed() != 0 && m.bstate & tfc_button5_pressed() != 0 {
                        out.append(.mouse(MouseEvent(.wheelDown, x: x, y: y)))
                    } else if m.bstate & (tfc_button1_pressed() | tfc_button1_clicked()) != 0 {
                        out.append(.mouse(MouseEvent(.click, x: x, y: y)))
                    }
                }
            } else if let key = KeyDecoder.decode(code: UInt32(ch), isFunctionKey: isFunctionKey) {
                out.append(.key(key))
            }
        }
        return out
    }

    /// Leaves curses mode for a foreground program (the editor).
    public func suspend() {
        def_prog_mode()
        curs_set(1)
        endwin()
    }

    /// Comes back after `suspend` and repaints everything.
    public func resume() {
        reset_prog_mode()
        curs_set(0)
        invalidate()
        refresh()
    }
}
