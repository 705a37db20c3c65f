/// A key press, named by a stable string so it can be logged and replayed:
/// a printable character is itself ("q", "?", "é"); special keys have names
/// ("up", "enter", "ctrl-c").
public struct Key: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ name: String) { rawValue = name }

    public static let up = Key("up"), down = Key("down"), left = Key("left"), right = Key("right")
    public static let pageUp = Key("pgup"), pageDown = Key("pgdn"), home = Key("home"), end = Key("end")
    public static let tab = Key("tab"), backTab = Key("backtab"), enter = Key("enter"), escape = Key("esc")
    public static let backspace = Key("backspace"), ctrlC = Key("ctrl-c"), ctrlL = Key("ctrl-l")

    /// The character of a printable key, nil for a named key.
    public var character: Character? {
        rawValue.count == 1 ? rawValue.first : nil
    }

    public var description: String { rawValue }

    public init(from decoder: Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// A mouse event in screen cells.
public struct MouseEvent: Hashable, Sendable, Codable {
    public enum Action: String, Sendable, Codable { case click, wheelUp = "wheel_up", wheelDown = "wheel_down" }
    public var action: Action
    public var x: Int
    public var y: Int
    public init(_ action: Action, x: Int, y: Int) {
        self.action = action
        self.x = x
        self.y = y
    }
}
