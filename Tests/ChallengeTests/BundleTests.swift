import Foundation
import Testing
import TFCSupport
@testable import Challenge

/// The bundled challenge itself: manifest, starting files, solution, TODOs.
@Suite struct BundleTests {
    let paths = Paths.resolve()

    func bundled() throws -> BundledChallenge { try ChallengeCatalog.named("bigcorp-s3", paths: paths) }

    @Test func catalogListsTheBundledChallenge() throws {
        let all = try ChallengeCatalog.all(paths: paths)
        #expect(all.map(\.name).contains("bigcorp-s3"))
        #expect(try bundled().manifest.clientUser == "terraform-challenge")
    }

    @Test func unknownChallengeNamesTheBundledOnes() {
        #expect(throws: ChallengeError.unknownChallenge("nope", available: ["bigcorp-s3"])) {
            try ChallengeCatalog.named("nope", paths: paths)
        }
        #expect(throws: ChallengeError.self) { try ChallengeCatalog.named("../challenges", paths: paths) }
    }

    @Test func startingFilesHoldExactlyTheExpectedTodos() throws {
        let c = try bundled()
        var found: [TodoItem] = []
        for file in c.manifest.files where file.hasSuffix(".tf") {
            found += TodoScanner.scan(text: try c.startingText(file), file: file)
        }
        #expect(found.count == c.manifest.expectedTodoCount)
        // Every TODO has its hint, and each hint finds its TODO.
        for todo in found { #expect(c.manifest.hint(for: todo) != nil, "no hint for \(todo)") }
        // The TODO-kind problems are the TODOs.
        let solution = try ChallengeSolution.load(for: c)
        #expect(solution.problems.filter { $0.kind == "todo" }.count == c.manifest.expectedTodoCount)
    }

    @Test func solutionIsTheStartingFilesWithEveryFix() throws {
        let c = try bundled()
        let solution = try ChallengeSolution.load(for: c)
        #expect(solution.problems.map(\.id) == ["P1", "P2", "P3", "P4", "P5", "P6", "P7"])
        var files: [String: String] = [:]
        for f in c.manifest.files { files[f] = try c.startingText(f) }
        for p in solution.problems {
            let text = try #require(files[p.file])
            #expect(occurrences(of: p.startingText, in: text) == 1, "\(p.id): starting text not found once in \(p.file)")
            files[p.file] = text.replacingOccurrences(of: p.startingText, with: p.solutionText)
        }
        for f in c.manifest.files {
            #expect(files[f] == (try c.solvedText(f)), "\(f) differs from the solution")
        }
        // The solution has no TODO left.
        for f in c.manifest.files where f.hasSuffix(".tf") {
            #expect(TodoScanner.scan(text: try c.solvedText(f), file: f).isEmpty, "TODO left in solved \(f)")
        }
    }

    @Test func eachProblemCanBePutBackAlone() throws {
        let c = try bundled()
        let solution = try ChallengeSolution.load(for: c)
        let solved = try solution.files(of: c)
        for p in solution.problems {
            let mutated = try solution.files(of: c, putBack: [p.id])
            let changed = mutated.keys.filter { mutated[$0] != solved[$0] }
            #expect(changed == [p.file], "\(p.id) changed \(changed)")
        }
    }

    @Test func manifestValidationNamesTheProblem() throws {
        let c = try bundled()
        var m = c.manifest
        #expect(m.problems(in: c.directory).isEmpty)
        m.files.append("solution/main.tf")
        m.format = 2
        m.files.append("missing.tf")
        let problems = m.problems(in: c.directory)
        #expect(problems.contains { $0.contains("part of the solution") })
        #expect(problems.contains { $0.contains("format 2") })
        #expect(problems.contains { $0.contains("missing.tf") })
    }

    @Test func brokenManifestIsAClearError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("{\"format\": 1}".utf8).write(to: dir.appendingPathComponent("manifest.json"))
        #expect(throws: ChallengeError.badManifest(dir.appendingPathComponent("manifest.json").path,
                                                   reason: "missing key 'name'")) {
            try ChallengeManifest.load(from: dir)
        }
    }

    @Test func hintsMatchBySignature() throws {
        let m = try bundled().manifest
        let kms = m.explanation(check: "write", errorCode: "AccessDenied",
                                message: "User: x is not authorized to perform: kms:GenerateDataKey on resource: y")
        let plain = m.explanation(check: "write", errorCode: "AccessDenied", message: "Access Denied")
        #expect(kms?.contains("KMS") == true)
        #expect(plain?.contains("only the read policy") == true)
        #expect(m.explanation(check: "read", errorCode: "NoSuchBucket", message: "") != nil)
        #expect(m.explanation(check: "read", errorCode: nil, message: "") == nil)
    }
}
