import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for fault tests: each accepted connection reads one request and
/// then does what `script` says for that connection's index (answer, reset mid-body, stall). Every loop is
/// bounded by a deadline; `stop()` (or deinit) ends it.
final class LoopbackServer: @unchecked Sendable {
    enum Action: Sendable {
        /// Send these bytes, then close.
        case respond(Data)
        /// Send these bytes, then reset the connection (SO_LINGER 0).
        case reset(after: Data)
        /// Read the request and send nothing for this many seconds (or until stopped), then close.
        case stall(seconds: Double)
        /// Send these bytes and keep the connection open for the next request.
        case keepAlive(Data)
    }

    let port: Int
    private let listenFD: Int32
    private let lock = NSLock()
    private var stopped = false
    private var requests: [String] = []
    private var connections = 0
    private let thread: Thread
    private let done = DispatchSemaphore(value: 0)

    /// Requests received so far (request line, headers and body of each).
    var received: [String] { lock.withLock { requests } }
    /// Connections accepted so far.
    var accepted: Int { lock.withLock { connections } }

    init(_ script: @escaping @Sendable (Int) -> Action) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket() failed") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0, listen(fd, 16) == 0 else { close(fd); throw FixtureError("bind/listen failed") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        listenFD = fd
        let box = ThreadBox()
        thread = Thread { box.server?.serve(script) }
        box.server = self
        thread.start()
    }

    deinit { stop() }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    private var isStopped: Bool { lock.withLock { stopped } }

    /// Stops accepting and waits (at most 5 s) for the serving thread to finish.
    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if first { _ = done.wait(timeout: .now() + 5) }
    }

    private func serve(_ script: @Sendable (Int) -> Action) {
        defer {
            close(listenFD)
            done.signal()
        }
        var index = 0
        let deadline = Date().addingTimeInterval(60)
        while !isStopped && Date() < deadline {
            var p = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { continue }
            let conn = accept(listenFD, nil, nil)
            guard conn >= 0 else { continue }
            lock.withLock { connections += 1 }
            // One connection: requests until an action closes it (at most 100 on one connection).
            for _ in 0..<100 {
                let request = readRequest(conn)
                if request.isEmpty { close(conn); break }
                lock.withLock { requests.append(request) }
                let action = script(index)
                index += 1
                if case .keepAlive(let data) = action {
                    writeAll(conn, data)
                    continue
                }
                switch action {
                case .respond(let data), .keepAlive(let data):
                    writeAll(conn, data)
                    shutdown(conn, Int32(SHUT_WR))
                    drain(conn)
                    close(conn)
                case .reset(let data):
                    writeAll(conn, data)
                    var l = linger(l_onoff: 1, l_linger: 0)
                    setsockopt(conn, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
                    close(conn)
                case .stall(let seconds):
                    let until = Date().addingTimeInterval(seconds)
                    while !isStopped && Date() < until { usleep(20_000) }
                    close(conn)
                }
                break
            }
        }
    }

    /// Reads the head and a Content-Length body. A kept-alive connection may sit
    /// idle between a client's calls for as long as a loaded machine makes it, so
    /// the wait for a first byte ends only when the client closes, the server
    /// stops, or after 30 s; once bytes arrive, the request must be whole within
    /// 2 s (a TLS hello sent to this plain server never is).
    private func readRequest(_ fd: Int32) -> String {
        var data = Data()
        var deadline = Date().addingTimeInterval(30)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !isStopped && Date() < deadline && data.count < 1_000_000 {
            if let head = data.range(of: Data("\r\n\r\n".utf8)) {
                let text = String(decoding: data[..<head.lowerBound], as: UTF8.self)
                let length = text.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if data.count - head.upperBound >= length { return String(decoding: data, as: UTF8.self) }
            }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { continue }
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            if data.isEmpty { deadline = min(deadline, Date().addingTimeInterval(2)) }
            data.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }

    private func writeAll(_ fd: Int32, _ data: Data) {
        data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let n = send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                offset += n
            }
        }
    }

    /// Waits briefly for the client to close, so the response is not cut by an early close.
    private func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 1024)
        let deadline = Date().addingTimeInterval(1)
        while Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { continue }
            if read(fd, &buffer, buffer.count) <= 0 { return }
        }
    }

    /// A socket bound to a loopback port without listening, and the port.
    static func boundNotListening() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket() failed") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { close(fd); throw FixtureError("bind failed") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }

    // MARK: canned responses

    static func http(_ status: Int, _ reason: String, headers: [String: String] = [:], body: String,
                     keepAlive: Bool = false) -> Data {
        var head = "HTTP/1.1 \(status) \(reason)\r\nContent-Length: \(Data(body.utf8).count)\r\n"
        if !keepAlive { head += "Connection: close\r\n" }
        for (k, v) in headers.sorted(by: { $0.key < $1.key }) { head += "\(k): \(v)\r\n" }
        return Data((head + "\r\n" + body).utf8)
    }

    static func s3Error(_ status: Int, code: String, message: String, requestId: String = "REQ-123") -> Data {
        http(status, "Error", headers: ["Content-Type": "application/xml"],
             body: "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code><Message>\(message)</Message>"
                + "<RequestId>\(requestId)</RequestId></Error>")
    }

    static let emptyListing = http(200, "OK", headers: ["Content-Type": "application/xml", "x-amz-request-id": "OK-1"],
                                   body: "<?xml version=\"1.0\"?><ListBucketResult><Name>b</Name><KeyCount>1</KeyCount>"
                                       + "<IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>3</Size></Contents>"
                                       + "</ListBucketResult>")
}

/// Lets the thread closure reach the server without capturing it before `init` completes.
private final class ThreadBox: @unchecked Sendable {
    weak var server: LoopbackServer?
}
