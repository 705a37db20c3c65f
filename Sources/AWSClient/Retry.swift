import Foundation

/// The standard retry mode: at most `maxAttempts` attempts; after a retryable failure, wait a random time
/// in `[0, min(maxBackoff, baseDelay * 2^(n-1)))` (exponential backoff with full jitter) before attempt n+1.
/// Retryable: throttling, 5xx, transient codes and transport failures; never client errors.
/// Sleep and randomness are injected so tests run instantly.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    /// Seconds; the first backoff is at most this.
    public var baseDelay: Double
    /// Seconds; no backoff is longer.
    public var maxBackoff: Double
    public var sleep: @Sendable (Double) async throws -> Void
    /// Uniform in [0, 1).
    public var random: @Sendable () -> Double

    public init(maxAttempts: Int = 3, baseDelay: Double = 1, maxBackoff: Double = 20,
                sleep: @escaping @Sendable (Double) async throws -> Void = RetryPolicy.realSleep,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxBackoff = maxBackoff
        self.sleep = sleep
        self.random = random
    }

    public static let standard = RetryPolicy()
    /// One attempt only.
    public static let none = RetryPolicy(maxAttempts: 1)

    public static let realSleep: @Sendable (Double) async throws -> Void = { seconds in
        if seconds > 0 { try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000)) }
    }

    /// The upper bound of the wait after failed attempt `attempt` (1-based).
    public func backoffCeiling(afterAttempt attempt: Int) -> Double {
        min(maxBackoff, baseDelay * pow(2, Double(max(0, attempt - 1))))
    }

    /// The wait after failed attempt `attempt` (1-based).
    public func backoff(afterAttempt attempt: Int) -> Double {
        random() * backoffCeiling(afterAttempt: attempt)
    }

    /// Runs `operation` (given the 1-based attempt number) until it succeeds, fails with an error that is
    /// not retryable, or `maxAttempts` is reached; the last error is thrown.
    public func run<T: Sendable>(_ operation: @Sendable (Int) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await operation(attempt)
            } catch let error as AWSError where error.isRetryable && attempt < maxAttempts {
                try await sleep(backoff(afterAttempt: attempt))
                attempt += 1
            }
        }
    }
}
