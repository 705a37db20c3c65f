import Foundation

/// One planted problem: where it is, and the text before and after the fix.
/// The solution's files are the starting files with every fix applied; the
/// mutation matrix puts one problem back into the solution at a time.
public struct PlantedProblem: Codable, Sendable, Equatable {
    public var id: String
    /// `todo` (a TODO comment points at it) or `mistake` (nothing does).
    public var kind: String
    public var file: String
    public var summary: String
    /// The lines as the candidate receives them.
    public var starting: [String]
    /// The lines once fixed.
    public var solution: [String]

    public var startingText: String { starting.joined(separator: "\n") }
    public var solutionText: String { solution.joined(separator: "\n") }
}

/// The solution of a challenge: `problems.json` in its solution folder.
public struct ChallengeSolution: Codable, Sendable, Equatable {
    public var problems: [PlantedProblem]

    public static func load(for challenge: BundledChallenge) throws -> ChallengeSolution {
        let url = challenge.solutionDirectory.appendingPathComponent("problems.json")
        do {
            return try JSONDecoder().decode(ChallengeSolution.self, from: Data(contentsOf: url))
        } catch {
            throw ChallengeError.badManifest(url.path, reason: "problems.json cannot be read or decoded")
        }
    }

    public func problem(_ id: String) -> PlantedProblem? { problems.first { $0.id == id } }

    /// The workspace files (relative path -> text) of the solution with the
    /// problems named in `putBack` planted again.
    public func files(of challenge: BundledChallenge, putBack: [String] = []) throws -> [String: String] {
        var out: [String: String] = [:]
        for file in challenge.manifest.files {
            out[file] = try challenge.solvedText(file)
        }
        for id in putBack {
            guard let p = problem(id) else { throw ChallengeError.io("no planted problem \(id)") }
            guard let text = out[p.file], occurrences(of: p.solutionText, in: text) == 1 else {
                throw ChallengeError.io("the fix of \(id) is not found exactly once in the solution's \(p.file)")
            }
            out[p.file] = text.replacingOccurrences(of: p.solutionText, with: p.startingText)
        }
        return out
    }
}

func occurrences(of needle: String, in text: String) -> Int {
    guard !needle.isEmpty else { return 0 }
    var count = 0
    var range = text.startIndex..<text.endIndex
    while let found = text.range(of: needle, range: range) {
        count += 1
        range = found.upperBound..<text.endIndex
    }
    return count
}
