import CCurl
import Foundation

/// An HTTP request as the transport sends it. `url` is complete and already percent-encoded.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [HTTPHeader]
    public var body: Data

    public init(method: String, url: String, headers: [HTTPHeader] = [], body: Data = Data()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// A complete HTTP response.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: Data

    public init(status: Int, headers: [HTTPHeader], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
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
        lock.withLock { opened += connects }
        checkin(easy)
        return response
    }

    /// Handles currently idle.
    public var idleHandles: Int { lock.withLock { idle.count } }

    /// New connections opened by successful requests so far (curl's `CURLINFO_NUM_CONNECTS`); fewer than
    /// the requests made means connections were reused.
    public var connectionsOpened: Int { lock.withLock { opened } }
    private var opened = 0  // guarded by lock

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

/// What the callbacks write into during one transfer; found through `Unmanaged` userdata.
private final class Sink {
    var headers: [HTTPHeader] = []
    var body = Data()
}

/// Header lines: a status line starts a new header block (100-continue, redirects), `Name: value` adds one.
private let headerCallback: tfc_curl_data_cb = { ptr, size, count, userdata in
    let n = size * count
    guard let ptr, let userdata else { return n }
    let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
    let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: n), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
    if line.hasPrefix("HTTP/") {
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
    sink.body.append(UnsafeRawPointer(ptr).assumingMemoryBound(to: UInt8.self), count: n)
    return n
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
        let sendsBody = !(method == "GET" || method == "HEAD" || (method == "DELETE" && request.body.isEmpty))
        switch method {
        case "GET": set(tfc_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case "HEAD": set(tfc_curl_setopt_long(handle, CURLOPT_NOBODY, 1))
        case "POST": break
        default: set(tfc_curl_setopt_str(handle, CURLOPT_CUSTOMREQUEST, method))
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
        guard code == CURLE_OK else { throw transportError(code) }
        var status = 0
        _ = tfc_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var connects = 0
        _ = tfc_curl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        return (HTTPResponse(status: status, headers: sink.headers, body: sink.body), connects)
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
