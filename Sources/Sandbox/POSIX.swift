import Foundation
import TFCSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The small POSIX layer the sandbox needs: spawning a process in its own session,
/// reading a line from a pipe with a deadline, an exclusive file lock, signals, and a
/// TCP probe. C errors become `POSIXFailure` here, at the boundary.
struct POSIXFailure: Error, CustomStringConvertible {
    var call: String
    var code: Int32
    init(_ call: String, _ code: Int32 = errno) {
        self.call = call
        self.code = code
    }
    var description: String { "\(call): \(String(cString: strerror(code)))" }
}

/// A file descriptor that closes itself.
final class FileDescriptor {
    private(set) var raw: Int32
    init(_ raw: Int32) { self.raw = raw }
    func close() {
        if raw >= 0 { _ = systemClose(raw) }
        raw = -1
    }
    deinit { close() }
}

private func systemClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.close(fd)
    #else
    return Darwin.close(fd)
    #endif
}

enum POSIX {
    /// Opens `path` with `O_CLOEXEC` added, so no spawned child inherits it.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600) throws -> FileDescriptor {
        let fd = Foundation.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw POSIXFailure("open \(path)") }
        return FileDescriptor(fd)
    }

    /// A one-way channel whose both ends are close-on-exec from the start (the child gets the
    /// write end by dup2), so a child spawned meanwhile by another thread never holds it open.
    /// On Linux a socket pair: `pipe2` is hidden behind _GNU_SOURCE from Swift, SOCK_CLOEXEC is not.
    static func pipe() throws -> (read: FileDescriptor, write: FileDescriptor) {
        var fds: [Int32] = [-1, -1]
        #if os(Linux)
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw POSIXFailure("socketpair")
        }
        shutdown(fds[0], Int32(SHUT_WR))
        #else
        guard Darwin.pipe(&fds) == 0 else { throw POSIXFailure("pipe") }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        #endif
        return (FileDescriptor(fds[0]), FileDescriptor(fds[1]))
    }

    /// Starts `arguments[0]` as the leader of a new session (so of a new process group whose
    /// id is its pid), stdin from /dev/null, stdout and stderr on the given descriptors, with
    /// default signal handling and an empty signal mask.
    static func spawnSessionLeader(_ arguments: [String], environment: [String: String],
                                   stdout: Int32, stderr: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        guard posix_spawn_file_actions_init(&actions) == 0 else { throw POSIXFailure("posix_spawn_file_actions_init") }
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)

        var attributes = posix_spawnattr_t()
        guard posix_spawnattr_init(&attributes) == 0 else { throw POSIXFailure("posix_spawnattr_init") }
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        #if os(Linux)
        // POSIX_SPAWN_SETSID (glibc >= 2.26; 0x80 in <spawn.h>, which Swift sees without
        // _GNU_SOURCE, so without this name): the child calls setsid(), leaving our terminal's
        // session, so a Ctrl-C or a closed terminal does not reach it; `down` signals its group.
        let setsid: Int32 = 0x80
        let flags = setsid | Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        #else
        let flags = Int32(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        posix_spawnattr_setpgroup(&attributes, 0)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard rc == 0 else { throw POSIXFailure("posix_spawn \(arguments[0])", rc) }
        return pid
    }

    enum LineResult {
        case line(String)
        /// The writer closed the pipe (the process exited) before a full line came.
        case endOfFile
        case timedOut
    }

    /// Reads up to the first newline from `fd`, waiting at most until `deadline`.
    static func readLine(_ fd: Int32, deadline: ContinuousClock.Instant) throws -> LineResult {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return .timedOut }
            let ms = Int32(clamping: remaining.inMilliseconds + 1)
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, ms)
            if ready < 0 {
                if errno == EINTR { continue }
                throw POSIXFailure("poll")
            }
            if ready == 0 { continue }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw POSIXFailure("read")
            }
            if n == 0 { return .endOfFile }
            buffer += chunk[0..<n]
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                return .line(String(decoding: buffer[..<newline], as: UTF8.self))
            }
        }
    }

    /// Takes an exclusive `flock` on `path` (created 0600), polling until `deadline`.
    /// The lock lasts as long as the returned descriptor is open.
    static func lock(_ path: String, deadline: ContinuousClock.Instant) throws -> FileDescriptor? {
        let fd = try open(path, O_RDWR | O_CREAT)
        while true {
            if flock(fd.raw, LOCK_EX | LOCK_NB) == 0 { return fd }
            guard errno == EWOULDBLOCK || errno == EINTR else { throw POSIXFailure("flock \(path)") }
            if ContinuousClock.now >= deadline { return nil }
            usleep(20_000)
        }
    }

    /// Whether `pid` is a live process (not gone, not a zombie). Reaps it first if it is
    /// our own exited child, so a stopped server never lingers as a zombie.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0 else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return false }
        if kill(pid, 0) != 0 && errno == ESRCH { return false }
        #if os(Linux)
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
            if state == "Z" || state == "X" { return false }
        }
        #endif
        return true
    }

    /// Whether any live process is left in process group `pgid`. Zombies do not count: an
    /// orphaned child of the server is reaped by init, which may take its time.
    static func groupExists(_ pgid: pid_t) -> Bool {
        guard pgid > 0 else { return false }
        if kill(-pgid, 0) != 0 && errno == ESRCH { return false }
        #if os(Linux)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return true }
        for entry in entries where entry.first?.isNumber == true {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // After "(comm)": state, ppid, pgrp, ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[2]) == pgid else { continue }
            if fields[0] != "Z" && fields[0] != "X" { return true }
        }
        return false
        #else
        return true
        #endif
    }

    /// The command line of `pid`, when the system shows it (Linux `/proc`).
    static func commandLine(_ pid: pid_t) -> String? {
        #if os(Linux)
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        return String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        #else
        return nil
        #endif
    }

    /// Whether an HTTP server answers on 127.0.0.1:`port` within `timeout`: a TCP connect
    /// alone is not enough (the kernel accepts connections for a hung or stopped server), so
    /// this sends `GET path` and waits for a status line.
    static func httpAnswers(_ port: Int, path: String = "/moto-api/reset-auth",
                            timeout: Duration = .seconds(3)) -> Bool {
        guard (1...65535).contains(port) else { return false }
        let deadline = ContinuousClock.now + timeout
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
            | Int32(SOCK_NONBLOCK.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return false }
        let owner = FileDescriptor(fd)
        defer { owner.close() }
        #if !os(Linux)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr = in_addr(s_addr: in_addr_t(0x7f00_0001).bigEndian)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc != 0 {
            guard errno == EINPROGRESS, wait(fd, Int16(POLLOUT), until: deadline) else { return false }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 else { return false }
        }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            guard wait(fd, Int16(POLLOUT), until: deadline) else { return false }
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                return false
            }
            sent += n
        }
        var reply = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 512)
        while reply.count < 5 {
            guard wait(fd, Int16(POLLIN), until: deadline) else { return false }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                return false
            }
            if n == 0 { break }
            reply += chunk[0..<n]
        }
        return reply.starts(with: Array("HTTP/".utf8))
    }

    /// Waits for `events` on `fd` until `deadline`.
    private static func wait(_ fd: Int32, _ events: Int16, until deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return false }
            let ms = Int32(clamping: remaining.inMilliseconds + 1)
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&pfd, 1, ms)
            if ready < 0 && errno == EINTR { continue }
            return ready > 0
        }
    }
}
