import CLI
import Foundation
import Testing
import TFCSupport
@testable import Challenge

func temporaryDirectory(_ label: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("tfc-\(label)-\(UUID().uuidString.prefix(8))",
                                                                  isDirectory: true)
}

@Suite struct WorkspaceTests {
    let paths = Paths.resolve()

    func run(_ args: [String], answers: [String] = []) async -> (Int32, CapturedConsole) {
        let console = CapturedConsole(answers: answers)
        let code = await Program.run(args, console: console.console, paths: paths)
        return (code, console)
    }

    @Test func newCreatesTheStartingFilesAndNothingOfTheSolution() async throws {
        let dir = temporaryDirectory("new")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (code, out) = await run(["new", "bigcorp-s3", dir.path])
        #expect(code == 0, "\(out.stderr)")
        // The next step it suggests is a command line that opens the screen.
        #expect(out.stdout.contains("next: tfchallenge \(dir.path) "))
        let c = try ChallengeCatalog.named("bigcorp-s3", paths: paths)
        for f in c.manifest.files {
            #expect(try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8) == (try c.startingText(f)))
        }
        let fm = FileManager.default
        #expect(!fm.fileExists(atPath: dir.appendingPathComponent("solution").path))
        #expect(!fm.fileExists(atPath: dir.appendingPathComponent("manifest.json").path))
        let tfvars = try String(contentsOf: dir.appendingPathComponent("terraform.tfvars"), encoding: .utf8)
        #expect(tfvars.contains("name_suffix = \""))
        #expect(try Workspace.open(dir).marker.challenge == "bigcorp-s3")
        #expect(try TodoScanner.scan(directory: dir).count == c.manifest.expectedTodoCount)
    }

    @Test func newRefusesANonEmptyDirectoryUnlessForced() async throws {
        let dir = temporaryDirectory("nonempty")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "mine\n".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let (code, out) = await run(["new", "bigcorp-s3", dir.path])
        #expect(code == 1)
        #expect(out.stderr.contains("is not empty"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("main.tf").path))
        let (forced, _) = await run(["new", "bigcorp-s3", dir.path, "--force"])
        #expect(forced == 0)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("main.tf").path))
        #expect(try String(contentsOf: dir.appendingPathComponent("notes.txt"), encoding: .utf8) == "mine\n")
    }

    @Test func newWithSolutionWritesTheSolvedFiles() async throws {
        let dir = temporaryDirectory("solution")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (code, _) = await run(["new", "bigcorp-s3", dir.path, "--solution"])
        #expect(code == 0)
        #expect(try TodoScanner.scan(directory: dir).isEmpty)
        let iam = try String(contentsOf: dir.appendingPathComponent("iam.tf"), encoding: .utf8)
        #expect(iam.contains("module.s3_policies.write_policy_arn"))
    }

    @Test func newWithBadArgumentsIsAUsageError() async {
        let (code, out) = await run(["new", "bigcorp-s3"])
        #expect(code == 2)
        #expect(out.stderr.contains("needs CHALLENGE and DIR"))
        let (unknown, out2) = await run(["new", "nope", temporaryDirectory("x").path])
        #expect(unknown == 1)
        #expect(out2.stderr.contains("unknown challenge 'nope'"))
    }

    @Test func resetRestoresFilesAndKeepsTerraformState() async throws {
        let dir = temporaryDirectory("reset")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = await run(["new", "bigcorp-s3", dir.path])
        let fm = FileManager.default
        let tfvars = try String(contentsOf: dir.appendingPathComponent("terraform.tfvars"), encoding: .utf8)
        try "edited\n".write(to: dir.appendingPathComponent("iam.tf"), atomically: true, encoding: .utf8)
        try fm.removeItem(at: dir.appendingPathComponent("modules/s3_bucket/main.tf"))
        try "{\"version\": 4}\n".write(to: dir.appendingPathComponent("terraform.tfstate"), atomically: true, encoding: .utf8)
        try "{}\n".write(to: dir.appendingPathComponent("terraform.tfstate.backup"), atomically: true, encoding: .utf8)
        try fm.createDirectory(at: dir.appendingPathComponent(".terraform/providers"), withIntermediateDirectories: true)
        try "x".write(to: dir.appendingPathComponent(".terraform/providers/p"), atomically: true, encoding: .utf8)
        try "# mine\n".write(to: dir.appendingPathComponent("extra.tf"), atomically: true, encoding: .utf8)

        // Without a terminal and without --yes, nothing changes.
        let (refused, out) = await run(["reset", dir.path])
        #expect(refused == 1)
        #expect(out.stderr.contains("not confirmed"))
        #expect(try String(contentsOf: dir.appendingPathComponent("iam.tf"), encoding: .utf8) == "edited\n")

        // "n" keeps everything; "y" restores.
        let (no, _) = await run(["reset", dir.path], answers: ["n"])
        #expect(no == 1)
        let (yes, out2) = await run(["reset", dir.path], answers: ["y"])
        #expect(yes == 0, "\(out2.stderr)")
        #expect(out2.stdout.contains("terraform.tfstate"))  // the question says the state is kept
        #expect(out2.stdout.contains("restored 2 files"))
        let c = try ChallengeCatalog.named("bigcorp-s3", paths: paths)
        #expect(try String(contentsOf: dir.appendingPathComponent("iam.tf"), encoding: .utf8) == (try c.startingText("iam.tf")))
        #expect(fm.fileExists(atPath: dir.appendingPathComponent("modules/s3_bucket/main.tf").path))
        #expect(try String(contentsOf: dir.appendingPathComponent("terraform.tfstate"), encoding: .utf8) == "{\"version\": 4}\n")
        #expect(fm.fileExists(atPath: dir.appendingPathComponent("terraform.tfstate.backup").path))
        #expect(fm.fileExists(atPath: dir.appendingPathComponent(".terraform/providers/p").path))
        #expect(fm.fileExists(atPath: dir.appendingPathComponent("extra.tf").path))
        #expect(try String(contentsOf: dir.appendingPathComponent("terraform.tfvars"), encoding: .utf8) == tfvars)

        let (again, out3) = await run(["reset", dir.path, "--yes"])
        #expect(again == 0)
        #expect(out3.stdout.contains("nothing to reset"))
    }

    @Test func resetOutsideAWorkspaceSaysSo() async throws {
        let dir = temporaryDirectory("notws")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let (code, out) = await run(["reset", dir.path, "--yes"])
        #expect(code == 1)
        #expect(out.stderr.contains("not a tfchallenge workspace"))
        let (missing, out2) = await run(["reset", dir.appendingPathComponent("nope").path, "--yes"])
        #expect(missing == 1)
        #expect(out2.stderr.contains("no workspace at"))
    }

    @Test func todosListsFileLineText() async throws {
        let dir = temporaryDirectory("todos")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = await run(["new", "bigcorp-s3", dir.path])
        let (code, out) = await run(["todos", dir.path, "--json"])
        #expect(code == 0)
        let items = try JSONDecoder().decode([TodoItem].self, from: Data(out.stdout.utf8))
        #expect(items.count == 4)
        #expect(items.map(\.file) == ["iam.tf", "iam.tf", "main.tf", "s3.tf"])
        let (plain, out2) = await run(["todos", dir.path])
        #expect(plain == 0)
        #expect(out2.stdout.contains("main.tf:30: TODO: look up BigCorp's IAM user"))
        let (none, out3) = await run(["todos", dir.appendingPathComponent("nope").path])
        #expect(none == 1)
        #expect(out3.stderr.contains("no workspace at"))
    }

    @Test func listShowsTheBundledChallenge() async {
        let (code, out) = await run(["list"])
        #expect(code == 0)
        #expect(out.stdout.contains("bigcorp-s3"))
        #expect(out.stdout.contains("BigCorp's encrypted data drop"))
    }
}
