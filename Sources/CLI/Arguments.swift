/// Hand-rolled argument parsing: commands and flags are data, so `--help`,
/// `help <command>` and the error messages are all generated from one table.

/// One flag of a command. `--name` for booleans, `--name VALUE` or
/// `--name=VALUE` for flags that take a value.
public struct FlagSpec: Sendable, Equatable {
    public var name: String
    public var valueName: String?
    public var help: String

    public init(_ name: String, value: String? = nil, help: String) {
        self.name = name
        self.valueName = value
        self.help = help
    }

    public var takesValue: Bool { valueName != nil }
}

/// What a command received, after parsing.
public struct ParsedArguments: Sendable, Equatable {
    public var flags: [String: String] = [:]
    public var positionals: [String] = []

    public init(flags: [String: String] = [:], positionals: [String] = []) {
        self.flags = flags
        self.positionals = positionals
    }

    public func has(_ flag: String) -> Bool { flags[flag] != nil }
    public func value(_ flag: String) -> String? { flags[flag] }
}

/// A usage error: the message names the offending word; the caller exits 2.
public struct UsageError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var command: String
    public init(_ message: String, command: String) {
        self.message = message
        self.command = command
    }
    public var description: String { message }
}

/// Parses `args` against `flags`. `--` ends the flags. At most
/// `maxPositionals` positional words are accepted.
public func parseArguments(_ args: [String], flags: [FlagSpec], maxPositionals: Int,
                           command: String) throws(UsageError) -> ParsedArguments {
    var parsed = ParsedArguments()
    var i = 0
    var flagsEnded = false
    while i < args.count {
        let word = args[i]
        i += 1
        if !flagsEnded && word == "--" {
            flagsEnded = true
            continue
        }
        if !flagsEnded && word.hasPrefix("-") && word != "-" {
            var name = word
            var inlineValue: String?
            if let eq = word.firstIndex(of: "=") {
                name = String(word[..<eq])
                inlineValue = String(word[word.index(after: eq)...])
            }
            let bare = name.hasPrefix("--") ? String(name.dropFirst(2)) : String(name.dropFirst(1))
            guard let spec = flags.first(where: { $0.name == bare }) else {
                throw UsageError("unknown flag '\(name)' for '\(command)'", command: command)
            }
            if spec.takesValue {
                if let v = inlineValue {
                    parsed.flags[spec.name] = v
                } else if i < args.count {
                    parsed.flags[spec.name] = args[i]
                    i += 1
                } else {
                    throw UsageError("flag '--\(spec.name)' of '\(command)' needs a value (\(spec.valueName ?? "VALUE"))",
                                     command: command)
                }
            } else {
                if inlineValue != nil {
                    throw UsageError("flag '--\(spec.name)' of '\(command)' takes no value", command: command)
                }
                parsed.flags[spec.name] = "true"
            }
            continue
        }
        parsed.positionals.append(word)
    }
    if parsed.positionals.count > maxPositionals {
        let extra = parsed.positionals[maxPositionals]
        throw UsageError("unexpected argument '\(extra)' for '\(command)'", command: command)
    }
    return parsed
}
