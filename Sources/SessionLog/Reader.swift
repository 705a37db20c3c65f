import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kinds the log's own readers (timeline, summary) look into: the TUI
/// core's event kinds (`Core.Event`, whose JSON form, without its `kind`, is a
/// record's `data`), plus `end`, which the log writes itself. Any other kind is
/// carried and skipped.
public enum LogKind {
    /// `{"items":[{"file":F,"line":N,"text":T}, ...]}`: the open TODOs, whole.
    public static let todos = "todos"
    /// `{"path":P,"diff":D}`: a workspace file changed; D is a unified diff (added by the recorder).
    public static let fileChanged = "file_changed"
    /// `{"command":"plan"}`: a terraform command started.
    public static let runStarted = "run_started"
    /// `{"event":{...}}`: one event of the running command.
    public static let terraform = "terraform"
    /// `{"command":C,"exit_code":N,"interrupted":B,"message":M}`: it ended.
    public static let runExited = "run_exited"
    /// `{"result":{"name":"write","status":"pass","duration_ms":N,"message":M,...}}`.
    public static let checkResult = "check_result"
    /// `{"state":"up","endpoint":E}` or `{"state":"aws","account":A,"region":R}`.
    public static let target = "target"
    /// `{"cols":C,"rows":R}`: the candidate's terminal was resized.
    public static let resize = "resize"
    /// `{"text":T}`: a marker.
    public static let marker = "marker"
    /// `{"reason":R}`: the session ended (written by the log, not a core event).
    public static let end = "end"

    /// Records worth an `fsync`: the end of a command, a check result, a marker, the end.
    public static let durableByDefault: Set<String> = [runExited, checkResult, "checks_finished", marker, end]
}

/// A whole log, read.
public struct SessionLogContents: Sendable {
    public var header: LogHeader
    public var records: [LogRecord]
    /// Corrupt lines, by line number; the rest was still read.
    public var problems: [LogProblem]
    /// Whether the last line was cut short (a writer that died mid-line); it is dropped.
    public var truncatedLastLine: Bool
    /// Records whose kind the caller did not ask for.
    public var skipped: Int
}

/// Reads a session log, line by line, without holding the file in memory.
public enum SessionLogReader {
    /// Reads every record. `kinds` keeps only those kinds (the others are counted as skipped).
    public static func read(path: String, kinds: Set<String>? = nil) throws(SessionLogError) -> SessionLogContents {
        var records: [LogRecord] = []
        let summary = try scan(path: path) { r in
            if let kinds, !kinds.contains(r.kind) { return false }
            records.append(r)
            return true
        }
        return SessionLogContents(header: summary.header, records: records, problems: summary.problems,
                                  truncatedLastLine: summary.truncatedLastLine, skipped: summary.skipped)
    }

    public struct ScanResult: Sendable {
        public var header: LogHeader
        public var problems: [LogProblem]
        public var truncatedLastLine: Bool
        public var records: Int
        public var skipped: Int
    }

    /// Streams each record to `body` (which returns false for a record it skipped).
    /// With `dataKinds`, only those kinds' payloads are built (the others are checked and left null).
    public static func scan(path: String, chunkSize: Int = 1 << 20, dataKinds: Set<String>? = nil,
                            _ body: (LogRecord) throws -> Bool) throws(SessionLogError) -> ScanResult {
        let fd = try openForReading(path)
        defer { _ = posixClose(fd) }
        var decoder = LogLineDecoder(dataKinds: dataKinds)
        var problems: [LogProblem] = []
        var records = 0
        var skipped = 0
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var fatal: SessionLogError?
        var callbackError: Error?

        // Returns false to stop.
        func handle(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
            let item: LogLineDecoder.Item
            do { item = try decoder.decode(line) } catch { fatal = error; return false }
            switch item {
            case .header, .blank: break
            case .problem(let p): problems.append(p)
            case .record(let r):
                do {
                    if try body(r) { records += 1 } else { skipped += 1 }
                } catch {
                    callbackError = error
                    return false
                }
            }
            return true
        }

        readLoop: while true {
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, chunkSize) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            let go: Bool = chunk.withUnsafeBufferPointer { buf in
                let data = UnsafeBufferPointer(rebasing: buf[0..<n])
                var start = 0
                var i = 0
                while i < data.count {
                    if data[i] == 0x0A {
                        let ok: Bool
                        if pending.isEmpty {
                            ok = handle(UnsafeBufferPointer(rebasing: data[start..<i]))
                        } else {
                            pending.append(contentsOf: data[start..<i])
                            ok = pending.withUnsafeBufferPointer { handle($0) }
                            pending.removeAll(keepingCapacity: true)
                        }
                        if !ok { return false }
                        start = i + 1
                    }
                    i += 1
                }
                pending.append(contentsOf: data[start..<data.count])
                return true
            }
            if !go { break readLoop }
        }
        if let fatal { throw fatal }
        if let callbackError { throw .badRecord("\(callbackError)") }
        // A last line without its newline: a writer cut short. Use it if it is whole.
        var truncated = false
        if !pending.isEmpty {
            var probe = decoder
            let item: LogLineDecoder.Item
            do {
                item = try pending.withUnsafeBufferPointer { p in try probe.decode(p) }
            } catch let e as SessionLogError {
                throw e
            } catch {
                throw .badRecord("\(error)")
            }
            switch item {
            case .record(let r):
                do { if try body(r) { records += 1 } else { skipped += 1 } } catch { throw .badRecord("\(error)") }
                decoder = probe
            case .header, .blank:
                decoder = probe
            case .problem:
                truncated = true
            }
        }
        guard let header = decoder.header else { throw .empty(path: path) }
        return ScanResult(header: header, problems: problems, truncatedLastLine: truncated,
                          records: records, skipped: skipped)
    }

    /// Opens a log for reading, with a clear error for a missing, unreadable or directory path.
    static func openForReading(_ path: String) throws(SessionLogError) -> Int32 {
        var st = stat()
        if stat(path, &st) != 0 {
            if errno == ENOENT || errno == ENOTDIR { throw .missing(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory(path: path) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw .missing(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        return fd
    }

    /// The newest `*.ndjson` file in a directory (by modification time), or nil.
    public static func newestLog(in directory: String) -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        var best: (path: String, mtime: Double)?
        for name in names where name.hasSuffix(".ndjson") {
            let p = (directory as NSString).appendingPathComponent(name)
            var st = stat()
            guard stat(p, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            let m = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
            if best == nil || m > best?.mtime ?? 0 || (m == best?.mtime && p > best?.path ?? "") { best = (p, m) }
        }
        return best?.path
    }

    /// A path that may be a log or a directory of logs: the log to read.
    public static func resolve(_ path: String) throws(SessionLogError) -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw .missing(path: path) }
        guard isDir.boolValue else { return path }
        guard let p = newestLog(in: path) else { throw .noLogInDirectory(path: path) }
        return p
    }
}
