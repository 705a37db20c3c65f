import TFCSupport

/// Exit codes shared by every command.
public enum ExitCode {
    public static let success: Int32 = 0
    /// The command ran and the answer is "no" (a check failed, terraform failed, ...).
    public static let failure: Int32 = 1
    /// The command line itself was wrong.
    public static let usage: Int32 = 2
}

/// The context a command runs in.
public struct CommandContext: Sendable {
    public var console: Console
    public var paths: Paths
    public var environment: [String: String] { console.environment }

    public init(console: Console, paths: Paths) {
        self.console = console
        self.paths = paths
    }
}

/// One command (or a group of subcommands) as data. `help`, `--help` and the
/// usage errors are generated from these values.
public struct Command: Sendable {
    public var name: String
    public var summary: String
    /// The synopsis after the program name, e.g. `sandbox up [--port N]`.
    public var synopsis: String
    /// Longer text for `help <command>`.
    public var details: String
    public var flags: [FlagSpec]
    public var maxPositionals: Int
    public var subcommands: [Command]
    public var run: (@Sendable (ParsedArguments, CommandContext) async throws -> Int32)?

    public init(name: String, summary: String, synopsis: String, details: String = "",
                flags: [FlagSpec] = [], maxPositionals: Int = 0, subcommands: [Command] = [],
                run: (@Sendable (ParsedArguments, CommandContext) async throws -> Int32)? = nil) {
        self.name = name
        self.summary = summary
        self.synopsis = synopsis
        self.details = details
        self.flags = flags
        self.maxPositionals = maxPositionals
        self.subcommands = subcommands
        self.run = run
    }

    /// The help text of this command.
    public func helpText(program: String = "tfchallenge") -> String {
        var lines = ["usage: \(program) \(synopsis)", "", summary]
        if !details.isEmpty { lines += ["", details] }
        if !subcommands.isEmpty {
            lines += ["", "subcommands:"]
            let width = subcommands.map(\.name.count).max() ?? 0
            for sub in subcommands {
                lines.append("  \(sub.name.padding(toLength: width + 2, withPad: " ", startingAt: 0))\(sub.summary)")
            }
        }
        let allFlags = flags + [FlagSpec("help", help: "show this help")]
        lines += ["", "flags:"]
        let labels = allFlags.map { f in "--\(f.name)" + (f.valueName.map { " \($0)" } ?? "") }
        let width = labels.map(\.count).max() ?? 0
        for (label, f) in zip(labels, allFlags) {
            lines.append("  \(label.padding(toLength: width + 2, withPad: " ", startingAt: 0))\(f.help)")
        }
        return lines.joined(separator: "\n")
    }
}
