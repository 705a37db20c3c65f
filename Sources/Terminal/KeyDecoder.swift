import CNcurses
import Core

/// What one read from the terminal meant.
public enum InputEvent: Sendable, Equatable {
    case key(Key)
    case mouse(MouseEvent)
    case resize
}

/// Maps ncurses' answers to keys. `wget_wch` answers either a character
/// (`isFunctionKey` false) or a function key code (`KEY_UP`, ...).
public enum KeyDecoder {
    public static func decode(code: UInt32, isFunctionKey: Bool) -> Key? {
        if isFunctionKey {
            switch Int32(code) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_BTAB: return .backTab
            case KEY_ENTER: return .enter
            case KEY_BACKSPACE: return .backspace
            case KEY_DC: return Key("delete")
            default:
                if Int32(code) >= KEY_F0 && Int32(code) <= KEY_F0 + 12 { return Key("f\(Int32(code) - KEY_F0)") }
                return nil
            }
        }
        switch code {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26:
            let letter = Character(Unicode.Scalar(UInt8(code) + 96))
            return Key("ctrl-\(letter)")
        case 0, 28...31: return nil
        default:
            guard let scalar = Unicode.Scalar(code) else { return nil }
            return Key(String(Character(scalar)))
        }
    }
}
