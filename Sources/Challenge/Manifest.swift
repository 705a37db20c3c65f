import Foundation

/// A challenge's `manifest.json`: what the candidate gets, what the checks
/// read, and the hints that explain a failure.
public struct ChallengeManifest: Codable, Sendable, Equatable {
    /// The manifest format; this program reads format 1.
    public var format: Int
    /// The challenge's name, also its folder's name (e.g. `bigcorp-s3`).
    public var name: String
    public var title: String
    public var scenario: String
    /// The IAM user the checks act as.
    public var clientUser: String
    /// How many TODO comments the starting files hold.
    public var expectedTodoCount: Int
    /// The files a candidate's workspace receives, relative to the challenge folder.
    public var files: [String]
    /// The folder (relative to the challenge folder) that holds the solution; never copied
    /// into a candidate's workspace.
    public var solutionDirectory: String
    /// The names of the terraform outputs the checks read.
    public var outputs: OutputNames
    /// The object terraform writes and the read check reads.
    public var seedObject: SeedObject
    /// The key the write check puts (overwritten each round).
    public var writeCheckKey: String
    public var todos: [TodoHint]
    /// Explanations per failure signature, first match wins.
    public var hints: [FailureHint]

    public struct OutputNames: Codable, Sendable, Equatable {
        public var bucket: String
        public var role: String
        public var kmsKey: String
        public var seedKey: String
        public var region: String
    }

    public struct SeedObject: Codable, Sendable, Equatable {
        public var key: String
        public var body: String
    }

    /// A hint for one TODO, found by its file and a piece of its text.
    public struct TodoHint: Codable, Sendable, Equatable {
        public var file: String
        public var contains: String
        public var hint: String
    }

    /// An explanation for one failure signature: a check (or `assume`, or `*`
    /// for any), an error code, and optionally a piece of the error message.
    public struct FailureHint: Codable, Sendable, Equatable {
        public var check: String
        public var errorCode: String
        public var messageContains: String?
        public var explanation: String
    }

    /// The format this program reads.
    public static let supportedFormat = 1

    /// Loads and validates `manifest.json` in `directory`.
    public static func load(from directory: URL) throws -> ChallengeManifest {
        let url = directory.appendingPathComponent("manifest.json")
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ChallengeError.badManifest(url.path, reason: "cannot be read")
        }
        let manifest: ChallengeManifest
        do {
            manifest = try JSONDecoder().decode(ChallengeManifest.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw ChallengeError.badManifest(url.path, reason: "missing key '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw ChallengeError.badManifest(url.path, reason: "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'")
        } catch {
            throw ChallengeError.badManifest(url.path, reason: "not valid JSON")
        }
        let problems = manifest.problems(in: directory)
        if let first = problems.first {
            throw ChallengeError.badManifest(url.path, reason: first)
        }
        return manifest
    }

    /// What is wrong with this manifest for the folder it sits in; empty when valid.
    public func problems(in directory: URL) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        if format != Self.supportedFormat {
            out.append("format \(format) is not supported (this program reads format \(Self.supportedFormat))")
        }
        if name != directory.lastPathComponent {
            out.append("name '\(name)' differs from its folder '\(directory.lastPathComponent)'")
        }
        if files.isEmpty { out.append("lists no files") }
        for file in files {
            if file.hasPrefix("/") || file.split(separator: "/").contains("..") {
                out.append("file '\(file)' must be a relative path inside the challenge")
            } else if file == solutionDirectory || file.hasPrefix(solutionDirectory + "/") {
                out.append("file '\(file)' is part of the solution and must never reach a workspace")
            } else if !fm.fileExists(atPath: directory.appendingPathComponent(file).path) {
                out.append("file '\(file)' does not exist")
            }
        }
        if Set(files).count != files.count { out.append("lists a file twice") }
        if expectedTodoCount < 0 { out.append("expectedTodoCount is negative") }
        if todos.count != expectedTodoCount {
            out.append("has \(todos.count) TODO hints for \(expectedTodoCount) expected TODOs")
        }
        let checks = Set(CheckName.allCases.map(\.rawValue) + ["assume", "*"])
        for hint in hints where !checks.contains(hint.check) {
            out.append("hint for unknown check '\(hint.check)'")
        }
        if clientUser.isEmpty { out.append("clientUser is empty") }
        return out
    }

    /// The explanation for a failure of `check` with `errorCode` and `message`.
    public func explanation(check: String, errorCode: String?, message: String) -> String? {
        guard let code = errorCode else { return nil }
        let lowered = message.lowercased()
        return hints.first { hint in
            (hint.check == check || hint.check == "*") && hint.errorCode == code
                && (hint.messageContains.map { lowered.contains($0.lowercased()) } ?? true)
        }?.explanation
    }

    /// The hint for a TODO found in a workspace, if the manifest has one.
    public func hint(for todo: TodoItem) -> String? {
        todos.first { $0.file == todo.file && todo.text.contains($0.contains) }?.hint
    }
}
