import Foundation
import TFCSupport

/// The whole command line: global flags, the command table, dispatch.
public enum Program {
    /// Every command, in the order `--help` lists them.
    public static var commands: [Command] {
        [HelpCommand.command, VersionCommand.command, SandboxCommands.command] + ChallengeCommands.commands
            + LogCommands.all + TerraformCommands.commands() + [RunCommand.command]
    }

    public static func overview() -> String {
        var lines = [
            "tfchallenge \(TFChallengeVersion.current): the Terraform live-coding interview in your terminal.",
            "",
            "usage: tfchallenge <command> [flags] [arguments]",
            "",
            "commands:",
        ]
        let width = commands.map(\.name.count).max() ?? 0
        for c in commands {
            lines.append("  \(c.name.padding(toLength: width + 2, withPad: " ", startingAt: 0))\(c.summary)")
        }
        lines += ["", "Run 'tfchallenge help <command>' for a command's flags."]
        return lines.joined(separator: "\n")
    }

    /// Runs the program with `arguments` (without the program name) and returns the exit code.
    public static func run(_ arguments: [String], console: Console = Console(),
                           paths: Paths = .resolve()) async -> Int32 {
        let context = CommandContext(console: console, paths: paths)
        guard let first = arguments.first else {
            console.print(overview())
            return ExitCode.success
        }
        switch first {
        case "--help", "-h":
            console.print(overview())
            return ExitCode.success
        case "--version":
            console.print("tfchallenge \(TFChallengeVersion.current)")
            return ExitCode.success
        default:
            break
        }
        if first.hasPrefix("-") {
            console.error("tfchallenge: unknown flag '\(first)'\n\n\(overview())")
            return ExitCode.usage
        }
        guard let command = commands.first(where: { $0.name == first }) else {
            // `tfchallenge DIR` opens the screen on DIR (commands win over directory names).
            if RunCommand.isDirectoryArgument(first) {
                return await dispatch(RunCommand.command, arguments, path: ["run"], context: context)
            }
            console.error("tfchallenge: unknown command '\(first)'\n\n\(overview())")
            return ExitCode.usage
        }
        return await dispatch(command, Array(arguments.dropFirst()), path: [first], context: context)
    }

    static func dispatch(_ command: Command, _ args: [String], path: [String],
                         context: CommandContext) async -> Int32 {
        let console = context.console
        let name = path.joined(separator: " ")
        if args.contains("--help") || args.contains("-h") {
            console.print(command.helpText())
            return ExitCode.success
        }
        if !command.subcommands.isEmpty {
            guard let word = args.first else {
                console.error("tfchallenge \(name): a subcommand is needed\n\n\(command.helpText())")
                return ExitCode.usage
            }
            guard let sub = command.subcommands.first(where: { $0.name == word }) else {
                console.error("tfchallenge \(name): unknown subcommand '\(word)'\n\n\(command.helpText())")
                return ExitCode.usage
            }
            return await dispatch(sub, Array(args.dropFirst()), path: path + [word], context: context)
        }
        let parsed: ParsedArguments
        do {
            parsed = try parseArguments(args, flags: command.flags, maxPositionals: command.maxPositionals,
                                        command: name)
        } catch {
            console.error("tfchallenge: \(error.message)\n\n\(command.helpText())")
            return ExitCode.usage
        }
        guard let run = command.run else {
            console.print(command.helpText())
            return ExitCode.success
        }
        do {
            return try await run(parsed, context)
        } catch let error as UsageError {
            console.error("tfchallenge: \(error.message)\n\n\(command.helpText())")
            return ExitCode.usage
        } catch {
            console.error("tfchallenge \(name): \(describe(error))")
            return ExitCode.failure
        }
    }

    /// A readable one-line description of an error.
    public static func describe(_ error: Error) -> String {
        String(describing: error)
    }
}

enum HelpCommand {
    static let command = Command(
        name: "help", summary: "show the commands, or one command's flags",
        synopsis: "help [COMMAND [SUBCOMMAND]]", maxPositionals: 2
    ) { args, ctx in
        guard let name = args.positionals.first else {
            ctx.console.print(Program.overview())
            return ExitCode.success
        }
        guard var command = Program.commands.first(where: { $0.name == name }) else {
            ctx.console.error("tfchallenge help: unknown command '\(name)'\n\n\(Program.overview())")
            return ExitCode.usage
        }
        if args.positionals.count > 1 {
            let subName = args.positionals[1]
            guard let sub = command.subcommands.first(where: { $0.name == subName }) else {
                ctx.console.error("tfchallenge help: '\(name)' has no subcommand '\(subName)'\n\n\(command.helpText())")
                return ExitCode.usage
            }
            command = sub
        }
        ctx.console.print(command.helpText())
        return ExitCode.success
    }
}

enum VersionCommand {
    static let command = Command(
        name: "version", summary: "print the program's version", synopsis: "version"
    ) { _, ctx in
        ctx.console.print("tfchallenge \(TFChallengeVersion.current)")
        return ExitCode.success
    }
}
