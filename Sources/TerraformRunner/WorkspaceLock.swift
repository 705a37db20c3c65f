import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One terraform at a time per workspace: an exclusive `flock` on
/// `<workspace>/.terraform/tfchallenge-run.lock`, whose text names the command and
/// terraform's pid for the refusal message. The kernel drops the lock when its holder
/// dies, so a crashed tfchallenge never leaves a stale lock behind.
public final class WorkspaceLock: @unchecked Sendable {
    public static let fileName = "tfchallenge-run.lock"
    private var fd: Int32
    private let mutex = NSLock()
    public let workspace: URL

    /// Takes the lock, waiting up to `wait` (nil: refuse at once when it is held).
    public init(workspace: URL, command: TerraformCommand, wait: Duration? = nil) throws {
        self.workspace = workspace
        let dir = workspace.appendingPathComponent(".terraform", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw TerraformRunnerError.workspaceUnusable(
                "cannot use the workspace \(workspace.path): cannot create \(dir.path) (\(error.localizedDescription))")
        }
        let path = dir.appendingPathComponent(Self.fileName).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw TerraformRunnerError.workspaceUnusable("cannot open \(path): \(reason)")
        }
        let deadline = wait.map { ContinuousClock.now + $0 }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = Self.holder(fd: fd)
            if let deadline, ContinuousClock.now < deadline {
                usleep(100_000)
                continue
            }
            close(fd)
            throw TerraformRunnerError.busy(command: holder.command, workspace: workspace.path, pid: holder.pid)
        }
        self.fd = fd
        record(command: command, pid: getpid())
    }

    /// Rewrites the lock's text (called once terraform's pid is known).
    public func record(command: TerraformCommand, pid: Int32) {
        mutex.lock(); defer { mutex.unlock() }
        guard fd >= 0 else { return }
        let text = "\(pid) \(command.rawValue)\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    /// Which command and pid hold the lock, as recorded in the file.
    static func holder(fd: Int32) -> (command: String, pid: Int32) {
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = pread(fd, &buffer, buffer.count, 0)
        let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        let pid = parts.first.flatMap { Int32($0) } ?? 0
        let command = parts.count > 1 ? String(parts[1]) : "a command"
        return (command, pid)
    }

    /// Releases the lock (idempotent; also done on deinit).
    public func release() {
        mutex.lock(); defer { mutex.unlock() }
        guard fd >= 0 else { return }
        _ = ftruncate(fd, 0)
        _ = flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
