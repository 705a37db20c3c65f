import Foundation
import TFCSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends a session's records to its log.
///
/// - The file is created (or emptied) with mode 0600, whatever the umask, and
///   only ever appended to.
/// - Each record is one `write(2)` of a whole line, with no buffering in the
///   process: once `append` returns, a `kill -9` of this process loses nothing.
/// - Records of the kinds in `durableKinds` (or any record appended with
///   `durable: true`) are followed by `fsync(2)`, whose result is checked, so a
///   command's exit or a check result survives a machine crash too.
/// - Every record passes through the `Redactor` before it is encoded: no secret
///   reaches the file.
public final class SessionLogWriter: @unchecked Sendable {
    public let path: String
    public let header: LogHeader
    public let durableKinds: Set<String>
    private let lock = NSLock()
    private var fd: Int32
    private var redactorValue: Redactor
    private let elapsed: @Sendable () -> Double
    private var lastT: Double = 0
    private var buffer: [UInt8] = []

    /// Creates the log at `path` (its directory too, mode 0700) and writes the header.
    /// `elapsed` gives the seconds since the session started (injected in tests).
    public init(path: String, header: LogHeader, redactor: Redactor,
                durableKinds: Set<String> = LogKind.durableByDefault,
                elapsed: (@Sendable () -> Double)? = nil) throws(SessionLogError) {
        self.path = path
        self.header = header
        self.durableKinds = durableKinds
        self.redactorValue = redactor
        if let elapsed {
            self.elapsed = elapsed
        } else {
            let start = ContinuousClock.now
            self.elapsed = { (ContinuousClock.now - start).inSeconds }
        }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw .writeFailed(path: path, reason: "cannot create its directory: \(error.localizedDescription)")
            }
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
        self.fd = fd
        // An existing file keeps its old mode through open(2): set it.
        guard fchmod(fd, 0o600) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = posixClose(fd)
            self.fd = -1
            throw .writeFailed(path: path, reason: "cannot set mode 0600: \(reason)")
        }
        var line: [UInt8] = []
        redactor.redact(header.json).write(into: &line)
        line.append(0x0A)
        try writeAll(line)
        try syncLocked()
    }

    deinit {
        if fd >= 0 { _ = posixClose(fd) }
    }

    /// The secrets scrubbed from every record. Add to it as secrets become known
    /// (a sensitive terraform output, assumed-role credentials).
    public var redactor: Redactor {
        get { lock.lock(); defer { lock.unlock() }; return redactorValue }
        set { lock.lock(); redactorValue = newValue; lock.unlock() }
    }

    public func addSecret(_ secret: String) {
        lock.lock(); redactorValue.add(secret); lock.unlock()
    }

    /// Appends one record, timed now. `durable` overrides the kind's default.
    @discardableResult
    public func append(kind: String, data: JSONValue = .null, durable: Bool? = nil) throws(SessionLogError) -> LogRecord {
        lock.lock(); defer { lock.unlock() }
        // Times never go backwards within a log, even if the clock does.
        let t = max(elapsed(), lastT)
        lastT = t
        return try appendLocked(LogRecord(t: t, kind: kind, data: data), durable: durable)
    }

    /// Appends a record with its own time (replays, generators, tests). A time
    /// before the previous record's is raised to it.
    @discardableResult
    public func append(_ record: LogRecord, durable: Bool? = nil) throws(SessionLogError) -> LogRecord {
        lock.lock(); defer { lock.unlock() }
        var r = record
        r.t = max(r.t, lastT)
        lastT = r.t
        return try appendLocked(r, durable: durable)
    }

    /// Appends an `Encodable` payload under `kind`.
    @discardableResult
    public func append<T: Encodable>(kind: String, payload: T, durable: Bool? = nil) throws -> LogRecord {
        try append(kind: kind, data: JSONValue.encoding(payload), durable: durable)
    }

    private func appendLocked(_ record: LogRecord, durable: Bool?) throws(SessionLogError) -> LogRecord {
        guard fd >= 0 else { throw .writeFailed(path: path, reason: "the log is closed") }
        var r = record
        r.t = (r.t * 1000).rounded() / 1000  // what the file keeps: milliseconds
        r.kind = redactorValue.redact(r.kind)
        r.data = redactorValue.redact(r.data)
        buffer.removeAll(keepingCapacity: true)
        r.write(into: &buffer)
        buffer.append(0x0A)
        try writeAll(buffer)
        if durable ?? durableKinds.contains(r.kind) { try syncLocked() }
        return r
    }

    /// Forces everything written so far to the disk.
    public func sync() throws(SessionLogError) {
        lock.lock(); defer { lock.unlock() }
        try syncLocked()
    }

    /// Syncs and closes. Later appends fail.
    public func close() throws(SessionLogError) {
        lock.lock(); defer { lock.unlock() }
        guard fd >= 0 else { return }
        defer { _ = posixClose(fd); fd = -1 }
        try syncLocked()
    }

    private func syncLocked() throws(SessionLogError) {
        guard fd >= 0 else { return }
        guard fsync(fd) == 0 else { throw .writeFailed(path: path, reason: "fsync: " + String(cString: strerror(errno))) }
    }

    private func writeAll(_ bytes: [UInt8]) throws(SessionLogError) {
        var done = 0
        let result: SessionLogError? = bytes.withUnsafeBytes { raw -> SessionLogError? in
            guard let base = raw.baseAddress else { return nil }
            while done < raw.count {
                let n = write(fd, base + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return .writeFailed(path: path, reason: String(cString: strerror(errno)))
                }
                done += n
            }
            return nil
        }
        if let result { throw result }
    }

    /// Where a session's log goes by default: `<home>/sessions/<challenge>-<UTC time>.ndjson`.
    public static func defaultPath(sessionsDirectory: URL, challenge: String, date: Date = Date()) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let safe = String(challenge.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        return sessionsDirectory.appendingPathComponent("\(safe.isEmpty ? "session" : safe)-\(f.string(from: date)).ndjson").path
    }
}

/// `close(2)`, under a name the writer's own `close()` does not hide.
func posixClose(_ fd: Int32) -> Int32 { close(fd) }

/// `read(2)`, under a name the reader's own `read(path:)` does not hide.
func posixRead(_ fd: Int32, _ buf: UnsafeMutableRawPointer?, _ n: Int) -> Int { read(fd, buf, n) }

extension Redactor {
    /// The value with every string (and object key) redacted.
    public func redact(_ value: JSONValue) -> JSONValue {
        guard count > 0 || value.mayHoldPattern else { return value }
        switch value {
        case .string(let s): return .string(redact(s))
        case .array(let items): return .array(items.map { redact($0) })
        case .object(let members): return .object(members.map { JSONMember(redact($0.key), redact($0.value)) })
        case .null, .bool, .number: return value
        }
    }
}

extension JSONValue {
    /// False only for values that cannot hold a pattern-matched secret (no string of 20+ bytes).
    var mayHoldPattern: Bool {
        switch self {
        case .string(let s): return s.utf8.count >= 20
        case .array(let items): return items.contains { $0.mayHoldPattern }
        case .object(let members): return members.contains { $0.key.utf8.count >= 20 || $0.value.mayHoldPattern }
        case .null, .bool, .number: return false
        }
    }
}
