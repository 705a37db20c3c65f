import Challenge
import Core
import TerraformRunner

/// A small seeded random generator (SplitMix64): the same seed gives the same
/// sequence on every machine, so generated logs and fuzz runs are repeatable.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A plausible session as the TUI would log it, record by record: real Core
/// events (ticks, TODO scans, file edits with diffs, plans and applies with
/// their terraform events, check rounds, markers, keys). For benchmarks, the
/// durability test and demos.
public struct SyntheticSession: Sendable {
    public static let todoTexts = [
        "TODO: encrypt the bucket with the ETL key", "TODO: let the client assume the role",
        "TODO: grant kms:Decrypt on the key", "FIXME: the role's trust policy names the wrong user",
        "TODO: block public access",
    ]
    public static let size = Size(cols: 100, rows: 30)
    private var rng: SeededRandom
    private var t = 0.0
    private var lastTick = 0.0
    private var open: [Int]
    private var queue: [(Double, Event, JSONMember?)] = []
    private var started = false
    private var round = 0

    public init(seed: UInt64) {
        rng = SeededRandom(seed: seed)
        open = Array(0..<Self.todoTexts.count)
    }

    private var todos: Event {
        .todos(open.map { i in TodoItem(file: i % 2 == 0 ? "main.tf" : "iam.tf", line: 10 + i * 7, text: Self.todoTexts[i]) })
    }

    /// The next event, its time, and an extra payload member (a file change's diff).
    public mutating func nextEvent() -> (t: Double, event: Event, extra: JSONMember?) {
        if !started {
            started = true
            queue = [(0, .resize(Self.size), nil), (0, .tick(0), nil),
                     (0, .target(.sandboxUp(endpoint: "http://127.0.0.1:4566")), nil), (0, todos, nil)]
        }
        if queue.isEmpty { plan() }
        let (at, event, extra) = queue.removeFirst()
        if at >= lastTick + 1 {
            // The runtime ticks once a second, before the events of that second.
            lastTick = at.rounded(.down)
            queue.insert((at, event, extra), at: 0)
            return (at, .tick(lastTick), nil)
        }
        return (at, event, extra)
    }

    /// The next record.
    public mutating func next() -> LogRecord {
        let (at, event, extra) = nextEvent()
        var data: JSONValue = .null
        if let encoded = try? EventCodec.encode(event) { data = encoded.data.adding(extra) }
        return LogRecord(t: (at * 1000).rounded() / 1000, kind: event.kind, data: data)
    }

    private mutating func later(_ maxMs: Int = 400) -> Double {
        t += Double(Int.random(in: 1...maxMs, using: &rng)) / 1000
        return t
    }

    private mutating func plan() {
        round += 1
        switch Int.random(in: 0..<10, using: &rng) {
        case 0...2:
            let file = Bool.random(using: &rng) ? "main.tf" : "iam.tf"
            queue.append((later(3000), .fileChanged(file), JSONMember("diff", .string(
                "--- a/\(file)\n+++ b/\(file)\n@@ -3,1 +3,1 @@\n-  sse_algorithm = \"AES256\"\n+  sse_algorithm = \"aws:kms\""))))
            if !open.isEmpty && Int.random(in: 0..<40, using: &rng) == 0 { open.removeFirst() }
            queue.append((later(), todos, nil))
        case 3...5:
            let command: TerraformCommand = Bool.random(using: &rng) ? .plan : .apply
            queue.append((later(), .runStarted(command), nil))
            let addresses = ["aws_s3_bucket.data", "aws_kms_key.etl", "aws_iam_role.client", "aws_iam_policy.client"]
            for k in 0..<Int.random(in: 5...60, using: &rng) {
                let address = addresses[k % addresses.count]
                let e: TerraformEvent = command == .plan
                    ? .plannedChange(address: address, action: "create")
                    : (k % 3 == 0 ? .applyComplete(address: address, action: "create", id: "id-\(round)-\(k)", elapsed: k)
                        : .applyProgress(address: address, action: "create", elapsed: k))
                queue.append((later(300), .terraform(e), nil))
            }
            let failed = Int.random(in: 0..<5, using: &rng) == 0
            queue.append((later(), .runExited(command, exitCode: failed ? 1 : 0, interrupted: false, message: ""), nil))
            if command == .apply && !failed { checks() }
        case 6...7:
            checks()
        case 8:
            queue.append((later(2000), .key(Bool.random(using: &rng) ? .down : .tab), nil))
        default:
            queue.append((later(5000), .marker("note \(round)"), nil))
        }
    }

    private mutating func checks() {
        queue.append((later(), .checksStarted, nil))
        for name in CheckName.allCases {
            let pass = Int.random(in: 0..<3, using: &rng) > 0
            let result = CheckResult(name: name, status: pass ? .pass : .fail, durationMs: Int.random(in: 80...900, using: &rng),
                                     errorCode: pass ? nil : "AccessDenied",
                                     message: pass ? "ok" : "AccessDenied: not authorized to perform s3:PutObject")
            queue.append((later(200), .checkResult(result), nil))
        }
        queue.append((later(), .checksFinished, nil))
    }
}
