/// Display width of graphemes, without the C library's locale-dependent
/// `wcwidth`: views must be pure and give the same grid in every locale.

/// Columns a grapheme takes on a terminal: 0 (combining marks, zero-width and
/// control characters), 1, or 2 (East Asian wide and fullwidth, emoji shown as
/// emoji).
public func displayWidth(_ ch: Character) -> Int {
    let scalars = ch.unicodeScalars
    guard let first = scalars.first else { return 0 }
    let v = first.value
    if v < 0x20 || (v >= 0x7f && v < 0xa0) { return 0 }
    if v < 0x300 { return 1 }
    // A variation selector 16 asks for emoji presentation: two columns.
    if scalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
    if first.properties.isEmojiPresentation { return 2 }
    switch first.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return 0
    default: break
    }
    if v == 0x200B { return 0 }
    return isWide(v) ? 2 : 1
}

/// The display width of a string.
public func displayWidth(_ s: some StringProtocol) -> Int {
    var w = 0
    for ch in s {
        w += ch == "\t" ? 4 : displayWidth(ch)
    }
    return w
}

private func isWide(_ v: UInt32) -> Bool {
    switch v {
    case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
         0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
         0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
         0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
        return true
    default:
        return false
    }
}

/// `s` cut to at most `width` columns; when cut, the last column is `…`
/// (or `~` in ASCII mode).
public func truncate(_ s: String, to width: Int, ascii: Bool = false) -> String {
    guard width > 0 else { return "" }
    if displayWidth(s) <= width { return s }
    var out = ""
    var w = 0
    for ch in s {
        let cw = displayWidth(ch)
        if w + cw > width - 1 { break }
        out.append(ch)
        w += cw
    }
    return out + (ascii ? "~" : "…")
}
