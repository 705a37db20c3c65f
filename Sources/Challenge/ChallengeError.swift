import Foundation

/// Errors of the challenge module. Each description is one sentence a user can act on.
public enum ChallengeError: Error, Equatable, CustomStringConvertible {
    case noWorkspace(String)
    case unknownChallenge(String, available: [String])
    case badManifest(String, reason: String)
    case notEmpty(String)
    case notAWorkspace(String)
    case io(String)

    public var description: String {
        switch self {
        case .noWorkspace(let path):
            return "no workspace at \(path): create one with 'tfchallenge new bigcorp-s3 DIR'"
        case .unknownChallenge(let name, let available):
            return "unknown challenge '\(name)'; bundled: \(available.joined(separator: ", "))"
        case .badManifest(let path, let reason):
            return "invalid challenge manifest \(path): \(reason)"
        case .notEmpty(let path):
            return "\(path) is not empty; choose an empty or new directory, or pass --force"
        case .notAWorkspace(let path):
            return "\(path) is not a tfchallenge workspace (no .tfchallenge.json); create one with 'tfchallenge new'"
        case .io(let message):
            return message
        }
    }
}
