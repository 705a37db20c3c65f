import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows a log as its writer appends to it, like `tail -F`.
///
/// Polling (`poll()` returns what was appended since the last call) keeps it
/// simple and portable; a poll is one `stat` and, when the file grew, one `read`.
/// It survives the writer's restart: when the path names a different file (new
/// inode) or the file got shorter than what was read, it starts again from the
/// top and reports `.restarted`.
public final class LogTailer {
    public enum Event: Sendable, Equatable {
        /// A (new) session started: the log's header.
        case header(LogHeader)
        case record(LogRecord)
        case problem(LogProblem)
        /// The file was replaced or truncated; what follows is a new session.
        case restarted
    }

    public let path: String
    private var fd: Int32 = -1
    private var device: UInt64 = 0
    private var inode: UInt64 = 0
    private var offset: Int = 0
    private var pending: [UInt8] = []
    private var decoder = LogLineDecoder()
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)
    private var opened = false

    public init(path: String) {
        self.path = path
    }

    deinit {
        if fd >= 0 { _ = posixClose(fd) }
    }

    /// The header of the session being followed, once read.
    public var header: LogHeader? { decoder.header }

    /// Everything appended since the last poll. A missing file is not an error
    /// (the writer may not have started yet); a file that is not a session log is.
    public func poll() throws(SessionLogError) -> [Event] {
        var events: [Event] = []
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT { return [] }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory(path: path) }
        let replaced = fd >= 0 && (UInt64(st.st_ino) != inode || UInt64(st.st_dev) != device)
        if fd >= 0 && !replaced {
            // The same file, shorter than what we read: truncated and rewritten.
            var fst = stat()
            if fstat(fd, &fst) == 0 && Int(fst.st_size) < offset {
                restart()
                if lseek(fd, 0, SEEK_SET) < 0 { throw .unreadable(path: path, reason: "cannot seek") }
                events.append(.restarted)
            }
        }
        if replaced {
            _ = posixClose(fd)
            fd = -1
            restart()
            events.append(.restarted)
        }
        if fd < 0 {
            let f = open(path, O_RDONLY | O_CLOEXEC)
            guard f >= 0 else {
                if errno == ENOENT { return events }
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            var fst = stat()
            guard fstat(f, &fst) == 0 else {
                _ = posixClose(f)
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            fd = f
            inode = UInt64(fst.st_ino)
            device = UInt64(fst.st_dev)
            if opened && !events.contains(.restarted) { events.append(.restarted) }
            opened = true
        }
        try readAvailable(into: &events)
        return events
    }

    private func restart() {
        offset = 0
        pending.removeAll()
        decoder = LogLineDecoder()
    }

    private func readAvailable(into events: inout [Event]) throws(SessionLogError) {
        let size = chunk.count
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, size) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { return }
            offset += n
            var start = 0
            for i in 0..<n where chunk[i] == 0x0A {
                pending.append(contentsOf: chunk[start..<i])
                start = i + 1
                let item: LogLineDecoder.Item
                do {
                    item = try pending.withUnsafeBufferPointer { p in try decoder.decode(p) }
                } catch let e as SessionLogError {
                    throw e
                } catch {
                    throw .badRecord("\(error)")
                }
                pending.removeAll(keepingCapacity: true)
                switch item {
                case .header(let h): events.append(.header(h))
                case .record(let r): events.append(.record(r))
                case .problem(let p): events.append(.problem(p))
                case .blank: break
                }
            }
            pending.append(contentsOf: chunk[start..<n])
        }
    }

    /// Polls every `interval` until `predicate` holds for an event, or `timeout`
    /// passes. Returns the events seen (the matching one last), or nil on timeout.
    public func waitFor(timeout: Duration, interval: Duration = .milliseconds(20),
                        _ predicate: (Event) -> Bool) async throws -> [Event]? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var seen: [Event] = []
        while true {
            for e in try poll() {
                seen.append(e)
                if predicate(e) { return seen }
            }
            if clock.now >= deadline { return nil }
            try await Task.sleep(for: interval)
        }
    }
}
