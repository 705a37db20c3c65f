import AWSClient
import Foundation
import Testing

/// Counts attempts of an operation (thread-safe).
final class Attempts: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    var count: Int { lock.withLock { n } }
    func next() -> Int { lock.withLock { n += 1; return n } }
}

@Suite("Retry policy (standard mode)")
struct RetryTests {
    static let throttled = AWSError(category: .service, code: "Throttling", message: "Rate exceeded", httpStatus: 400)
    static let server = AWSError(category: .service, code: "InternalError", message: "oops", httpStatus: 500)
    static let denied = AWSError(category: .service, code: "AccessDenied", message: "no", httpStatus: 403)
    static let reset = AWSError(category: .transport, code: AWSError.Code.connectionReset, message: "reset")

    @Test("backoff is full jitter under an exponential ceiling capped at maxBackoff")
    func backoffBounds() {
        let top = RetryPolicy(baseDelay: 1, maxBackoff: 20, sleep: { _ in }, random: { 0.999_999 })
        let bottom = RetryPolicy(baseDelay: 1, maxBackoff: 20, sleep: { _ in }, random: { 0 })
        for attempt in 1...8 {
            let ceiling = min(20, pow(2, Double(attempt - 1)))
            #expect(top.backoffCeiling(afterAttempt: attempt) == ceiling)
            #expect(top.backoff(afterAttempt: attempt) < ceiling)
            #expect(top.backoff(afterAttempt: attempt) > ceiling * 0.99)
            #expect(bottom.backoff(afterAttempt: attempt) == 0)
        }
        // With the real random source every draw stays in [0, ceiling).
        let real = RetryPolicy(sleep: { _ in })
        for _ in 0..<1000 {
            let d = real.backoff(afterAttempt: 3)
            #expect(d >= 0 && d < 4)
        }
    }

    @Test("retryable errors are tried at most 3 times, with 2 backoffs", arguments: [throttled, server, reset])
    func retriesThenGivesUp(_ error: AWSError) async {
        let sleeps = SleepRecorder()
        let attempts = Attempts()
        let thrown = await #expect(throws: AWSError.self) {
            try await sleeps.policy(random: 0.5).run { _ -> Int in
                _ = attempts.next()
                throw error
            }
        }
        #expect(thrown == error)
        #expect(attempts.count == 3)
        #expect(sleeps.recorded == [0.5, 1.0])
    }

    @Test("client errors are never retried")
    func noRetryOnClientError() async {
        let sleeps = SleepRecorder()
        let attempts = Attempts()
        await #expect(throws: AWSError.self) {
            try await sleeps.policy().run { _ -> Int in
                _ = attempts.next()
                throw Self.denied
            }
        }
        #expect(attempts.count == 1)
        #expect(sleeps.recorded.isEmpty)
        #expect(!Self.denied.isRetryable)
        #expect(!AWSError(category: .service, code: "NoSuchKey", message: "", httpStatus: 404).isRetryable)
        #expect(!AWSError(category: .malformedResponse, code: "MalformedResponse", message: "").isRetryable)
    }

    @Test("success on the second attempt returns its value and passes attempt numbers")
    func succeedsOnRetry() async throws {
        let sleeps = SleepRecorder()
        let value = try await sleeps.policy(random: 0.1).run { attempt -> String in
            if attempt == 1 { throw Self.throttled }
            return "ok on \(attempt)"
        }
        #expect(value == "ok on 2")
        #expect(sleeps.recorded == [0.1])
    }

    @Test("maxAttempts 1 means a single try")
    func single() async {
        let attempts = Attempts()
        await #expect(throws: AWSError.self) {
            try await RetryPolicy.none.run { _ -> Int in
                _ = attempts.next()
                throw Self.server
            }
        }
        #expect(attempts.count == 1)
    }
}
