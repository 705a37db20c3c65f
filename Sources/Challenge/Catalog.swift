import Foundation
import TFCSupport

/// A challenge shipped in the `challenges/` folder.
public struct BundledChallenge: Sendable, Equatable {
    public var directory: URL
    public var manifest: ChallengeManifest
    public var name: String { manifest.name }

    public init(directory: URL, manifest: ChallengeManifest) {
        self.directory = directory
        self.manifest = manifest
    }

    /// The solution's folder (authors and tests only).
    public var solutionDirectory: URL {
        directory.appendingPathComponent(manifest.solutionDirectory, isDirectory: true)
    }

    /// The starting text of one of the manifest's files.
    public func startingText(_ file: String) throws -> String {
        try readText(directory.appendingPathComponent(file))
    }

    /// The solved text of a file: the solution's copy when it has one, else the starting one.
    public func solvedText(_ file: String) throws -> String {
        let solved = solutionDirectory.appendingPathComponent(file)
        if FileManager.default.fileExists(atPath: solved.path) { return try readText(solved) }
        return try startingText(file)
    }
}

func readText(_ url: URL) throws -> String {
    do {
        return String(decoding: try Data(contentsOf: url), as: UTF8.self)
    } catch {
        throw ChallengeError.io("cannot read \(url.path)")
    }
}

/// The challenges bundled under `paths.challenges`.
public enum ChallengeCatalog {
    /// Every folder under `challenges/` that holds a `manifest.json`, sorted by name.
    /// A folder with an invalid manifest is an error, so authors see it at once.
    public static func all(paths: Paths) throws -> [BundledChallenge] {
        let fm = FileManager.default
        let root = paths.challenges
        guard let names = try? fm.contentsOfDirectory(atPath: root.path) else {
            throw ChallengeError.io("no challenges folder at \(root.path) (set TFCHALLENGE_ROOT to the folder holding challenges/)")
        }
        var out: [BundledChallenge] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let dir = root.appendingPathComponent(name, isDirectory: true)
            guard fm.fileExists(atPath: dir.appendingPathComponent("manifest.json").path) else { continue }
            out.append(BundledChallenge(directory: dir, manifest: try ChallengeManifest.load(from: dir)))
        }
        return out
    }

    /// The bundled challenge called `name`.
    public static func named(_ name: String, paths: Paths) throws -> BundledChallenge {
        let dir = paths.challenges.appendingPathComponent(name, isDirectory: true)
        if !name.contains("/"), !name.hasPrefix("."),
           FileManager.default.fileExists(atPath: dir.appendingPathComponent("manifest.json").path) {
            return BundledChallenge(directory: dir, manifest: try ChallengeManifest.load(from: dir))
        }
        let available = (try? all(paths: paths).map(\.name)) ?? []
        throw ChallengeError.unknownChallenge(name, available: available)
    }
}
