import Foundation

/// An access key pair. Its descriptions never show the secret.
public struct SandboxCredentials: Codable, Sendable, Equatable, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable {
    public var accessKeyId: String
    public var secretAccessKey: String

    public init(accessKeyId: String, secretAccessKey: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
    }

    public var description: String { "SandboxCredentials(<redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// A running sandbox, as written to its state file (mode 0600) in the tfchallenge home.
public struct SandboxState: Codable, Sendable, Equatable, CustomStringConvertible {
    /// `http://127.0.0.1:PORT`
    public var endpoint: String
    public var port: Int
    /// The server's pid, also its process group id.
    public var pid: Int32
    /// `us-east-1`
    public var region: String
    public var accountId: String
    /// The identity Terraform uses (an inline `*` policy).
    public var admin: SandboxCredentials
    /// The client IAM user (`terraform-challenge`), allowed `sts:AssumeRole` on the account's roles.
    public var client: SandboxCredentials
    public var clientUserName: String
    public var clientUserArn: String
    /// Buckets with objects in them that the client must never list.
    public var otherBuckets: [String]
    public var startedAt: Date
    public var motoVersion: String

    public init(endpoint: String, port: Int, pid: Int32, region: String, accountId: String,
                admin: SandboxCredentials, client: SandboxCredentials, clientUserName: String,
                clientUserArn: String, otherBuckets: [String], startedAt: Date, motoVersion: String) {
        self.endpoint = endpoint
        self.port = port
        self.pid = pid
        self.region = region
        self.accountId = accountId
        self.admin = admin
        self.client = client
        self.clientUserName = clientUserName
        self.clientUserArn = clientUserArn
        self.otherBuckets = otherBuckets
        self.startedAt = startedAt
        self.motoVersion = motoVersion
    }

    public var description: String {
        "SandboxState(endpoint: \(endpoint), pid: \(pid), region: \(region), account: \(accountId), "
            + "client: \(clientUserArn), moto: \(motoVersion))"
    }
}

/// What `SandboxManager.status()` found.
public enum SandboxStatus: Sendable, Equatable {
    case up(SandboxState)
    case down
    /// A state file was left by a server that is gone or no longer answers; it has been
    /// cleaned up (file removed, a hung server stopped). The sandbox is down.
    case stale(reason: String)
}

/// Why the sandbox could not be started or stopped. Messages say what to do and never
/// contain a secret.
public enum SandboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The venv's python is missing: `scripts/setup` creates it.
    case pythonMissing(python: String)
    /// The server script is not in the resources directory.
    case serverScriptMissing(path: String)
    /// The server exited (or said something unreadable) before it was ready.
    case startFailed(reason: String, log: String, logTail: [String])
    /// The server was not ready in time; it was stopped.
    case startTimedOut(seconds: Int, log: String, logTail: [String])
    /// Another tfchallenge held the sandbox lock for too long.
    case lockTimedOut(path: String)
    /// The server did not stop, even after SIGKILL.
    case stopFailed(pid: Int32)
    case system(String)

    public var description: String {
        switch self {
        case .pythonMissing(let python):
            return "the sandbox's Python environment is missing (no \(python)); run scripts/setup "
                + "(or set TFCHALLENGE_VENV to a venv with the packages of sandbox/requirements.txt)"
        case .serverScriptMissing(let path):
            return "the sandbox server script is missing (\(path)); set TFCHALLENGE_ROOT to the tfchallenge checkout"
        case .startFailed(let reason, let log, let tail):
            return "the sandbox server failed to start: \(reason)"
                + Self.tailText(tail, log: log)
                + "\nIf the Python environment is broken, run scripts/setup again."
        case .startTimedOut(let seconds, let log, let tail):
            return "the sandbox server was not ready after \(seconds) s and was stopped" + Self.tailText(tail, log: log)
        case .lockTimedOut(let path):
            return "another tfchallenge is starting or stopping the sandbox (lock \(path) held too long)"
        case .stopFailed(let pid):
            return "the sandbox server (pid \(pid)) did not stop, even after SIGKILL"
        case .system(let message):
            return message
        }
    }

    private static func tailText(_ tail: [String], log: String) -> String {
        guard !tail.isEmpty else { return " (its log \(log) is empty)" }
        return "\nlast lines of \(log):\n" + tail.map { "  " + $0 }.joined(separator: "\n")
    }
}
