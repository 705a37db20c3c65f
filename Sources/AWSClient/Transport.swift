import CCurl
import Foundation

/// An HTTP request as the transport sends it. `url` is complete and already percent-encoded.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [HTTPHeader]
    public var body: Data
    /// Upload this file's contents instead of `body`, read in chunks as curl sends them (never whole in
    /// memory). It is opened afresh for every attempt, so a retry sends it again from the start.
    public var bodyFile: URL?
    /// Write a 2xx response's body to this file (created or truncated at each attempt) instead of memory.
    /// The body of any other status stays in `HTTPResponse.body`, at most `errorBodyLimit` bytes, for
    /// the error to be parsed.
    public var responseFile: URL?

    public init(method: String, url: String, headers: [HTTPHeader] = [], body: Data = Data(),
                bodyFile: URL? = nil, responseFile: URL? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.bodyFile = bodyFile
        self.responseFile = responseFile
    }

    /// The most of a non-2xx body kept in memory when the response streams to a file.
    public static let errorBodyLimit = 64 * 1024
}

/// A complete HTTP response.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: Data
    /// Bytes written to the request's `responseFile`; nil when the body was not streamed to a file.
    public var streamedBodyLength: Int?

    public init(status: Int, headers: [HTTPHeader], body: Data, streamedBodyLength: Int? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.streamedBodyLength = streamedBodyLength
    }

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}

/// Sends HTTP requests. `CurlTransport` is the real one; tests of layers above may use their own.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// Timeouts and TLS settings of a transport.
public struct TransportOptions: Sendable {
    /// Seconds to establish the TCP (and TLS) connection.
    public var connectTimeout: Double
    /// Seconds for the whole request, from connect to the last byte.
    public var timeout: Double
    /// A PEM bundle of CA certificates (`AWS_CA_BUNDLE`); nil uses the system's.
    public var caBundle: String?
    /// Idle handles (and so idle connections) kept for reuse.
    public var maxIdleHandles: Int

    public init(connectTimeout: Double = 5, timeout: Double = 30, caBundle: String? = nil, maxIdleHandles: Int = 8) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.caBundle = caBundle
        self.maxIdleHandles = maxIdleHandles
    }

    /// Defaults, with `AWS_CA_BUNDLE` from the environment.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> TransportOptions {
        TransportOptions(caBundle: env["AWS_CA_BUNDLE"].flatMap { $0.isEmpty ? nil : $0 })
    }
}

/// HTTP over libcurl. A small pool of easy handles: each in-flight request takes one, and returns it when
/// done, so connections are reused across calls while concurrent calls never share a handle.
/// Requests run on a Dispatch queue, never blocking Swift's cooperative pool.
/// TLS verification is always on; proxies come from libcurl's own environment handling
/// (`https_proxy`, `no_proxy`, ...).
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    /// One transport for the whole process, so every client shares its connections.
    public static let shared = CurlTransport(options: .fromEnvironment())

    public let options: TransportOptions
    private let lock = NSLock()
    private var idle: [CurlEasy] = []  // guarded by lock
    private let queue = DispatchQueue(label: "tfchallenge.curl", qos: .userInitiated, attributes: .concurrent)

    public init(options: TransportOptions = TransportOptions()) {
        _ = CurlGlobal.initialised
        self.options = options
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<HTTPResponse, Error>) in
            queue.async {
                cont.resume(with: Result { try self.perform(request) })
            }
        }
    }

    /// Sends synchronously on the calling thread.
    public func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        let easy = try checkout()
        // Returned to the pool only after a success: a failed handle may hold a broken connection.
        let (response, connects) = try easy.perform(request, options: options)
        lock.withLock {
            opened += connects
            buffered += response.body.count
        }
        checkin(easy)
        return response
    }

    /// Handles currently idle.
    public var idleHandles: Int { lock.withLock { idle.count } }

    /// New connections opened by successful requests so far (curl's `CURLINFO_NUM_CONNECTS`); fewer than
    /// the requests made means connections were reused.
    public var connectionsOpened: Int { lock.withLock { opened } }
    private var opened = 0  // guarded by lock

    /// Bytes of response bodies held in memory by successful requests so far. A body streamed to a file
    /// adds nothing.
    public var bodyBytesBuffered: Int { lock.withLock { buffered } }
    private var buffered = 0  // guarded by lock

    private func checkout() throws -> CurlEasy {
        if let e = lock.withLock({ idle.popLast() }) { return e }
        return try CurlEasy()
    }

    private func checkin(_ easy: CurlEasy) {
        lock.withLock {
            if idle.count < options.maxIdleHandles { idle.append(easy) }
        }
    }
}

enum CurlGlobal {
    /// curl_global_init is not thread-safe; it runs once, before the first handle.
    static let initialised: Bool = curl_global_init(3 /* CURL_GLOBAL_ALL: SSL | WIN32 */) == CURLE_OK
}

/// What the callbacks read from and write into during one transfer; found through `Unmanaged` userdata.
private final class Sink {
    var status = 0
    var headers: [HTTPHeader] = []
    var body = Data()
    /// Where a 2xx body goes, when streamed.
    var file: WritableFile?
    var streamed = 0
    /// Where a streamed upload comes from.
    var upload: ReadableFile?
    /// A local file failure that made a callback stop the transfer.
    var fileError: AWSError?
}

/// Header lines: a status line starts a new header block (100-continue, redirects), `Name: value` adds one.
private let headerCallback: tfc_curl_data_cb = { ptr, size, count, userdata in
    let n = size * count
    guard let ptr, let userdata else { return n }
    let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
    let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: n), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
    if line.hasPrefix("HTTP/") {
        // "HTTP/1.1 200 OK": the status of the block that follows.
        sink.status = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        sink.headers.removeAll()
    } else if let colon = line.firstIndex(of: ":") {
        sink.headers.append(HTTPHeader(String(line[..<colon]),
                                       line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
    }
    return n
}

private let writeCallback: tfc_curl_data_cb = { ptr, size, count, userdata in
    let n = size * count
    guard let ptr, let userdata else { return n }
    let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
    guard let file = sink.file else {
        sink.body.append(UnsafeRawPointer(ptr).assumingMemoryBound(to: UInt8.self), count: n)
        return n
    }
    if (200..<300).contains(sink.status) {
        do {
            try file.write(UnsafeRawBufferPointer(start: ptr, count: n))
        } catch {
            sink.fileError = error as? AWSError
            return 0  // anything but n stops the transfer (CURLE_WRITE_ERROR)
        }
        sink.streamed += n
    } else {
        // An error document: kept (bounded) for AWS error parsing, never written to the file.
        let room = max(0, HTTPRequest.errorBodyLimit - sink.body.count)
        sink.body.append(UnsafeRawPointer(ptr).assumingMemoryBound(to: UInt8.self), count: min(n, room))
    }
    return n
}

/// Fills curl's upload buffer from the request's file.
private let readCallback: tfc_curl_data_cb = { ptr, size, count, userdata in
    guard let ptr, let userdata else { return Int(CURL_READFUNC_ABORT) }
    let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
    guard let upload = sink.upload else { return 0 }
    do {
        return try upload.read(into: UnsafeMutableRawBufferPointer(start: ptr, count: size * count))
    } catch {
        sink.fileError = error as? AWSError
        return Int(CURL_READFUNC_ABORT)
    }
}

/// Rewinds the upload when curl resends the request (a reused connection that turned out dead).
private let seekCallback: tfc_curl_seek_cb = { userdata, offset, origin in
    guard let userdata, origin == SEEK_SET else { return CURL_SEEKFUNC_FAIL }
    let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
    guard let upload = sink.upload, upload.seek(to: Int64(offset)) else { return CURL_SEEKFUNC_FAIL }
    return CURL_SEEKFUNC_OK
}

/// Owns one CURL easy handle and its error buffer.
final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init() throws {
        guard let h = curl_easy_init() else {
            throw AWSError(category: .transport, code: "TransportError", message: "curl_easy_init failed")
        }
        handle = h
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// The response, and how many new connections the transfer opened.
    func perform(_ request: HTTPRequest, options: TransportOptions) throws -> (HTTPResponse, Int) {
        // reset keeps the connection cache, TLS session cache and DNS cache of the handle.
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        let sink = Sink()
        if let url = request.responseFile { sink.file = try WritableFile(truncating: url) }
        if let url = request.bodyFile { sink.upload = try ReadableFile(url) }
        var list: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(list) }
        for h in request.headers {
            list = curl_slist_append(list, "\(h.name): \(h.value)")
        }
        // No "Expect: 100-continue" round trip; no default form content type.
        list = curl_slist_append(list, "Expect:")
        if !request.headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            list = curl_slist_append(list, "Content-Type:")
        }

        var rc = CURLE_OK
        func set(_ code: CURLcode) { if rc == CURLE_OK { rc = code } }
        set(tfc_curl_setopt_str(handle, CURLOPT_URL, request.url))
        set(tfc_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        set(tfc_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(tfc_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000)))
        set(tfc_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(options.timeout * 1000)))
        set(tfc_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        set(tfc_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        if let ca = options.caBundle { set(tfc_curl_setopt_str(handle, CURLOPT_CAINFO, ca)) }
        // S3 keys may contain "..", "." and "//": send the path exactly as signed.
        set(tfc_curl_setopt_long(handle, CURLOPT_PATH_AS_IS, 1))
        set(tfc_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        set(tfc_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        set(tfc_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list))
        let userdata = Unmanaged.passUnretained(sink).toOpaque()
        set(tfc_curl_setopt_data_cb(handle, CURLOPT_HEADERFUNCTION, headerCallback))
        set(tfc_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, userdata))
        set(tfc_curl_setopt_data_cb(handle, CURLOPT_WRITEFUNCTION, writeCallback))
        set(tfc_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, userdata))

        let method = request.method.uppercased()
        let sendsBody = request.bodyFile == nil
            && !(method == "GET" || method == "HEAD" || (method == "DELETE" && request.body.isEmpty))
        switch method {
        case "GET": set(tfc_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case "HEAD": set(tfc_curl_setopt_long(handle, CURLOPT_NOBODY, 1))
        case "POST": break
        default: set(tfc_curl_setopt_str(handle, CURLOPT_CUSTOMREQUEST, method))
        }
        if let upload = sink.upload {
            set(tfc_curl_setopt_long(handle, CURLOPT_UPLOAD, 1))
            // CURLOPT_UPLOAD alone means PUT: keep the request's method.
            set(tfc_curl_setopt_str(handle, CURLOPT_CUSTOMREQUEST, method))
            set(tfc_curl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(try upload.size())))
            set(tfc_curl_setopt_data_cb(handle, CURLOPT_READFUNCTION, readCallback))
            set(tfc_curl_setopt_ptr(handle, CURLOPT_READDATA, userdata))
            set(tfc_curl_setopt_seek_cb(handle, CURLOPT_SEEKFUNCTION, seekCallback))
            set(tfc_curl_setopt_ptr(handle, CURLOPT_SEEKDATA, userdata))
        }
        guard rc == CURLE_OK else { throw transportError(rc) }

        let code: CURLcode = withExtendedLifetime(sink) {
            request.body.withUnsafeBytes { body -> CURLcode in
                if sendsBody {
                    // The body is read in place (no copy) for the duration of the transfer.
                    let empty: StaticString = ""
                    let pointer = body.baseAddress ?? UnsafeRawPointer(empty.utf8Start)
                    var setRc = tfc_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                    if setRc == CURLE_OK {
                        setRc = tfc_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: pointer))
                    }
                    if setRc != CURLE_OK { return setRc }
                }
                let result = curl_easy_perform(handle)
                // Never leave a pointer into this buffer in the handle.
                if sendsBody { _ = tfc_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, nil) }
                return result
            }
        }
        guard code == CURLE_OK else {
            // A callback stopped the transfer because of a local file: that is the error to report.
            if let fileError = sink.fileError { throw fileError }
            throw transportError(code)
        }
        var status = 0
        _ = tfc_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var connects = 0
        _ = tfc_curl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        let streamed = sink.file != nil && (200..<300).contains(status) ? sink.streamed : nil
        return (HTTPResponse(status: status, headers: sink.headers, body: sink.body, streamedBodyLength: streamed),
                connects)
    }

    private func transportError(_ code: CURLcode) -> AWSError {
        let detail = String(cString: errorBuffer)
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let name: String
        switch code {
        case CURLE_COULDNT_CONNECT: name = AWSError.Code.connectionRefused
        case CURLE_OPERATION_TIMEDOUT: name = AWSError.Code.timeout
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING: name = AWSError.Code.connectionReset
        case CURLE_PARTIAL_FILE: name = "IncompleteResponse"
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: name = "DNSFailure"
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER:
            name = "TLSError"
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: name = "InvalidEndpoint"
        default: name = "TransportError"
        }
        return AWSError(category: .transport, code: name, message: "\(text) (curl error \(code.rawValue))")
    }
}
