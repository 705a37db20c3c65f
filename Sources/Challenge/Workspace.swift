import Foundation

/// A candidate's workspace: a folder with the challenge's starting files and a
/// `.tfchallenge.json` marker naming the challenge.
public struct Workspace: Sendable, Equatable {
    public var directory: URL
    public var marker: Marker

    /// The marker file's content.
    public struct Marker: Codable, Sendable, Equatable {
        public var challenge: String
        public var solution: Bool
        public var created: String
    }

    public static let markerName = ".tfchallenge.json"
    public static let tfvarsName = "terraform.tfvars"

    /// Opens the workspace at `directory`.
    public static func open(_ directory: URL) throws -> Workspace {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDir), isDir.boolValue else {
            throw ChallengeError.noWorkspace(directory.path)
        }
        let url = directory.appendingPathComponent(markerName)
        guard let data = try? Data(contentsOf: url) else { throw ChallengeError.notAWorkspace(directory.path) }
        guard let marker = try? JSONDecoder().decode(Marker.self, from: data) else {
            throw ChallengeError.io("\(url.path) is damaged; recreate the workspace with 'tfchallenge new'")
        }
        return Workspace(directory: directory, marker: marker)
    }

    /// Creates a workspace for `challenge` in `directory`, which must be missing
    /// or empty unless `force` is set (then the starting files overwrite theirs;
    /// nothing else is removed). With `solution`, the solved files are written
    /// (for authors and tests; a candidate never gets them).
    @discardableResult
    public static func create(_ challenge: BundledChallenge, at directory: URL, solution: Bool = false,
                              force: Bool = false, suffix: String? = nil) throws -> Workspace {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: directory.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw ChallengeError.io("\(directory.path) is a file, not a directory") }
            let entries = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
            if !entries.isEmpty && !force { throw ChallengeError.notEmpty(directory.path) }
        }
        let files: [String: String]
        if solution {
            files = try ChallengeSolution.load(for: challenge).files(of: challenge)
        } else {
            var starting: [String: String] = [:]
            for f in challenge.manifest.files { starting[f] = try challenge.startingText(f) }
            files = starting
        }
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
            for (file, text) in files { try write(text, to: directory.appendingPathComponent(file)) }
            let tfvars = directory.appendingPathComponent(tfvarsName)
            if !fm.fileExists(atPath: tfvars.path) {
                try write(tfvarsText(suffix: suffix ?? randomSuffix()), to: tfvars)
            }
            let marker = Marker(challenge: challenge.name, solution: solution,
                                created: ISO8601DateFormatter().string(from: Date()))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(marker).write(to: directory.appendingPathComponent(markerName))
            return Workspace(directory: directory, marker: marker)
        } catch let error as ChallengeError {
            throw error
        } catch {
            throw ChallengeError.io("cannot write the workspace in \(directory.path): \(error.localizedDescription)")
        }
    }

    /// The files `reset` would overwrite or restore: those that differ from the starting files.
    public func changedFiles(_ challenge: BundledChallenge) throws -> [String] {
        try challenge.manifest.files.filter { file in
            let url = directory.appendingPathComponent(file)
            guard let current = try? Data(contentsOf: url) else { return true }
            return String(decoding: current, as: UTF8.self) != (try challenge.startingText(file))
        }
    }

    /// Restores the challenge's starting files (a workspace made with
    /// `--solution` gets the solution again). Returns the files it rewrote.
    /// Terraform's state (`terraform.tfstate*`, `.terraform/`), `terraform.tfvars`
    /// and files the candidate added are kept.
    @discardableResult
    public func reset(_ challenge: BundledChallenge) throws -> [String] {
        let files: [String: String]
        if marker.solution {
            files = try ChallengeSolution.load(for: challenge).files(of: challenge)
        } else {
            var starting: [String: String] = [:]
            for f in challenge.manifest.files { starting[f] = try challenge.startingText(f) }
            files = starting
        }
        var rewritten: [String] = []
        for file in challenge.manifest.files {
            guard let text = files[file] else { continue }
            let url = directory.appendingPathComponent(file)
            if let current = try? Data(contentsOf: url), String(decoding: current, as: UTF8.self) == text { continue }
            do {
                try Workspace.write(text, to: url)
            } catch {
                throw ChallengeError.io("cannot restore \(file): \(error.localizedDescription)")
            }
            rewritten.append(file)
        }
        let tfvars = directory.appendingPathComponent(Workspace.tfvarsName)
        if !FileManager.default.fileExists(atPath: tfvars.path) {
            try? Workspace.write(Workspace.tfvarsText(suffix: Workspace.randomSuffix()), to: tfvars)
        }
        return rewritten
    }

    static func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url, options: .atomic)
    }

    static func tfvarsText(suffix: String) -> String {
        """
        # This workspace's own suffix: S3 bucket names are global, so each workspace
        # gets its own. Keep it while resources exist.
        name_suffix = "\(suffix)"

        """
    }

    /// Eight lower-case letters and digits, starting with a letter.
    public static func randomSuffix() -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var rng = SystemRandomNumberGenerator()
        var s = String(letters[Int(rng.next(upperBound: UInt(letters.count)))])
        for _ in 0..<7 { s.append(alphabet[Int(rng.next(upperBound: UInt(alphabet.count)))]) }
        return s
    }
}
