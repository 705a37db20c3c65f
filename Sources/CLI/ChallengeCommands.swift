import Challenge
import Foundation
import TFCSupport

/// Whether `path` names an existing directory (not a file, not missing).
func directoryExists(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
}

/// `list`, `new`, `reset`, `todos` and `check`: the bundled challenges and a workspace's state.
enum ChallengeCommands {
    static var commands: [Command] { [list, new, reset, todos, check] }

    /// DIR as given (relative to the current directory), else the current directory.
    static func directory(_ args: ParsedArguments, at index: Int = 0) -> URL {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        guard args.positionals.count > index else { return cwd }
        let path = args.positionals[index]
        return (path.hasPrefix("/") ? URL(fileURLWithPath: path, isDirectory: true)
                : cwd.appendingPathComponent(path, isDirectory: true)).standardizedFileURL
    }

    static let list = Command(
        name: "list", summary: "list the bundled challenges", synopsis: "list"
    ) { _, ctx in
        let all = try ChallengeCatalog.all(paths: ctx.paths)
        if all.isEmpty {
            ctx.console.print("no challenges under \(ctx.paths.challenges.path)")
            return ExitCode.failure
        }
        let width = all.map(\.name.count).max() ?? 0
        for c in all {
            ctx.console.print("\(c.name.padding(toLength: width + 2, withPad: " ", startingAt: 0))\(c.manifest.title)")
        }
        return ExitCode.success
    }

    static let new = Command(
        name: "new", summary: "create a workspace with a challenge's starting files",
        synopsis: "new CHALLENGE DIR [--solution] [--force]",
        details: """
        DIR must be missing or empty, unless --force is given (then the starting files
        overwrite files of the same name; nothing else is removed). The workspace gets
        its own name suffix in terraform.tfvars.
        """,
        flags: [FlagSpec("solution", help: "write the solved files (for authors and tests, not candidates)"),
                FlagSpec("force", help: "write into a directory that is not empty")],
        maxPositionals: 2
    ) { args, ctx in
        guard args.positionals.count == 2 else {
            throw UsageError("'new' needs CHALLENGE and DIR (e.g. tfchallenge new bigcorp-s3 ./interview)", command: "new")
        }
        let challenge = try ChallengeCatalog.named(args.positionals[0], paths: ctx.paths)
        let dir = directory(args, at: 1)
        let ws = try Workspace.create(challenge, at: dir, solution: args.has("solution"), force: args.has("force"))
        ctx.console.print("created \(ws.directory.path): \(challenge.manifest.title)\(args.has("solution") ? " (solved)" : "")")
        // `tfchallenge DIR` opens the candidate's screen; the headless commands take DIR too.
        let shown = args.positionals[1]
        ctx.console.print("next: tfchallenge \(shown)    (the candidate's screen; or tfchallenge init|plan|apply \(shown))")
        return ExitCode.success
    }

    static let reset = Command(
        name: "reset", summary: "restore a workspace's starting files",
        synopsis: "reset [DIR] [--yes]",
        details: """
        Overwrites the challenge's files in DIR (default: the current directory) with
        their starting text, after asking. Terraform's state (terraform.tfstate*,
        .terraform/), terraform.tfvars and files you added are kept, so a later
        terraform apply converges on the restored code.
        """,
        flags: [FlagSpec("yes", help: "do not ask for confirmation")],
        maxPositionals: 1
    ) { args, ctx in
        let dir = directory(args)
        let ws = try Workspace.open(dir)
        let challenge = try ChallengeCatalog.named(ws.marker.challenge, paths: ctx.paths)
        let changed = try ws.changedFiles(challenge)
        if changed.isEmpty {
            ctx.console.print("nothing to reset: every file of \(challenge.name) is as it started")
            return ExitCode.success
        }
        if !args.has("yes") {
            let question = """
            Reset \(dir.path)? These \(changed.count) files lose your changes: \(changed.joined(separator: ", ")).
            Terraform state (terraform.tfstate*, .terraform/), terraform.tfvars and your own files are kept.
            Continue?
            """
            guard ctx.console.confirm(question) else {
                ctx.console.error("tfchallenge reset: not confirmed; nothing changed (pass --yes to skip the question)")
                return ExitCode.failure
            }
        }
        let rewritten = try ws.reset(challenge)
        ctx.console.print("restored \(rewritten.count) files: \(rewritten.joined(separator: ", "))")
        return ExitCode.success
    }

    static let todos = Command(
        name: "todos", summary: "list the TODO and FIXME comments of a workspace",
        synopsis: "todos [DIR] [--json]",
        details: "Only comments count (#, //, /* */), not strings or heredocs. --json prints [{file, line, text}].",
        flags: [FlagSpec("json", help: "print JSON: an array of {file, line, text}")],
        maxPositionals: 1
    ) { args, ctx in
        let dir = directory(args)
        let items = try TodoScanner.scan(directory: dir)
        if args.has("json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            ctx.console.print(String(decoding: try encoder.encode(items), as: UTF8.self))
        } else if items.isEmpty {
            ctx.console.print("no TODO or FIXME comments in \(dir.path)")
        } else {
            for item in items { ctx.console.print("\(item.file):\(item.line): \(item.text)") }
        }
        return ExitCode.success
    }

    static let check = Command(
        name: "check", summary: "run the four checks as the client user",
        synopsis: "check [DIR] [--json] [--junit FILE] [--target sandbox|aws]",
        details: """
        Assumes the workspace's role as the client user, then checks write, read, list
        and isolation. Exit 0 only when all four pass.
        --target sandbox (default): the running sandbox and its seeded client user.
        --target aws: real AWS as the client user, whose credentials come from
        TFCHALLENGE_CLIENT_PROFILE (a profile of ~/.aws/credentials or config), or
        TFCHALLENGE_CLIENT_ACCESS_KEY_ID + TFCHALLENGE_CLIENT_SECRET_ACCESS_KEY
        (+ TFCHALLENGE_CLIENT_SESSION_TOKEN); region from TFCHALLENGE_REGION, else
        the workspace's outputs.
        --json prints {version, challenge, workspace, target, passed, duration_ms,
        checks: [{name, status, duration_ms, error_code, message, explanation}]}.
        """,
        flags: [FlagSpec("json", help: "print the report as JSON (schema in README)"),
                FlagSpec("junit", value: "FILE", help: "also write the report as JUnit XML to FILE"),
                FlagSpec("target", value: "sandbox|aws", help: "where the checks run (default: sandbox)")],
        maxPositionals: 1
    ) { args, ctx in
        let kindName = args.value("target") ?? "sandbox"
        guard let kind = CheckTargetKind(rawValue: kindName) else {
            throw UsageError("--target must be sandbox or aws, not '\(kindName)'", command: "check")
        }
        let dir = directory(args)
        let report = await CheckRound.run(workspace: dir, paths: ctx.paths, targetKind: kind,
                                          environment: ctx.environment)
        if let junit = args.value("junit") {
            let url = URL(fileURLWithPath: junit, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            do {
                try Data(CheckReportFormat.junit(report).utf8).write(to: url, options: .atomic)
            } catch {
                ctx.console.error("tfchallenge check: cannot write \(url.path): \(error.localizedDescription)")
                return ExitCode.failure
            }
        }
        if args.has("json") {
            ctx.console.print(CheckReportFormat.json(report))
        } else {
            ctx.console.print(CheckReportFormat.text(report))
        }
        return report.passed ? ExitCode.success : ExitCode.failure
    }
}

