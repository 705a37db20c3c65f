import Foundation
import Testing
@testable import CLI
import TFCSupport

@Suite struct ArgumentParsingTests {
    let flags = [FlagSpec("yes", help: "no questions"), FlagSpec("log", value: "FILE", help: "log file")]

    @Test func flagsValuesAndPositionals() throws {
        let p = try parseArguments(["--yes", "dir", "--log", "a.log"], flags: flags, maxPositionals: 1, command: "x")
        #expect(p.has("yes"))
        #expect(p.value("log") == "a.log")
        #expect(p.positionals == ["dir"])
    }

    @Test func inlineValueAndDoubleDash() throws {
        let p = try parseArguments(["--log=b.log", "--", "--yes"], flags: flags, maxPositionals: 1, command: "x")
        #expect(p.value("log") == "b.log")
        #expect(!p.has("yes"))
        #expect(p.positionals == ["--yes"])
    }

    @Test(arguments: [
        (["--nope"], "unknown flag '--nope' for 'x'"),
        (["--log"], "flag '--log' of 'x' needs a value (FILE)"),
        (["--yes=1"], "flag '--yes' of 'x' takes no value"),
        (["a", "b"], "unexpected argument 'b' for 'x'"),
    ])
    func usageErrorsNameTheWord(args: [String], message: String) {
        #expect(throws: UsageError(message, command: "x")) {
            try parseArguments(args, flags: flags, maxPositionals: 1, command: "x")
        }
    }
}

@Suite struct ProgramTests {
    func run(_ args: [String]) async -> (Int32, CapturedConsole) {
        let captured = CapturedConsole(environment: [:])
        let code = await Program.run(args, console: captured.console, paths: Paths.resolve(environment: [:]))
        return (code, captured)
    }

    @Test func helpListsEveryCommand() async {
        let (code, out) = await run(["--help"])
        #expect(code == 0)
        for c in Program.commands { #expect(out.stdout.contains("  \(c.name)")) }
    }

    @Test func versionPrintsTheVersion() async {
        let (code, out) = await run(["--version"])
        #expect(code == 0)
        #expect(out.stdout == "tfchallenge \(TFChallengeVersion.current)\n")
    }

    @Test func unknownCommandExitsTwoAndNamesIt() async {
        let (code, out) = await run(["frobnicate"])
        #expect(code == 2)
        #expect(out.stderr.contains("unknown command 'frobnicate'"))
        #expect(out.stdout.isEmpty)
    }

    @Test func unknownGlobalFlagExitsTwo() async {
        let (code, out) = await run(["--frob"])
        #expect(code == 2)
        #expect(out.stderr.contains("unknown flag '--frob'"))
    }

    @Test func helpOfACommandShowsItsSynopsis() async {
        let (code, out) = await run(["help", "help"])
        #expect(code == 0)
        #expect(out.stdout.hasPrefix("usage: tfchallenge help"))
        let (code2, out2) = await run(["help", "nothing"])
        #expect(code2 == 2)
        #expect(out2.stderr.contains("unknown command 'nothing'"))
    }

    @Test func unknownFlagOfACommandExitsTwo() async {
        let (code, out) = await run(["version", "--bogus"])
        #expect(code == 2)
        #expect(out.stderr.contains("unknown flag '--bogus' for 'version'"))
    }
}
