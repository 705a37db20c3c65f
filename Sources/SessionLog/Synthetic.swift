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

/// A plausible session, record by record: TODOs being resolved, file edits,
/// plans and applies with their output, check results, markers. For benchmarks,
/// the durability test and demos.
public struct SyntheticSession: Sendable {
    public static let todoTexts = [
        "TODO: encrypt the bucket with the ETL key", "TODO: let the client assume the role",
        "TODO: grant kms:Decrypt on the key", "FIXME: the role's trust policy names the wrong user",
        "TODO: block public access",
    ]
    private var rng: SeededRandom
    private var t = 0.0
    private var open: [Int]
    private var step = 0
    private var pendingOutput = 0
    private var command = "plan"
    private var checksPassing = 0

    public init(seed: UInt64) {
        rng = SeededRandom(seed: seed)
        open = Array(0..<Self.todoTexts.count)
    }

    private func todosJSON() -> JSONValue {
        .fields(["todos": .array(open.map { i in
            .fields(["file": .string(i % 2 == 0 ? "main.tf" : "iam.tf"), "line": .integer(10 + i * 7),
                     "text": .string(Self.todoTexts[i])])
        })])
    }

    /// The next record.
    public mutating func next() -> LogRecord {
        step += 1
        if step == 1 { return LogRecord(t: 0, kind: LogKind.todos, data: todosJSON()) }
        t += Double(Int.random(in: 1...400, using: &rng)) / 1000
        if pendingOutput > 0 {
            pendingOutput -= 1
            let res = ["aws_s3_bucket.data", "aws_kms_key.etl", "aws_iam_role.client", "aws_iam_policy.client"]
                .randomElement(using: &rng) ?? "aws_s3_bucket.data"
            let line = pendingOutput % 3 == 0 ? "\(res): Creation complete after 1s [id=\(step)]"
                : "\(res): Still creating... [\(pendingOutput)s elapsed]"
            return LogRecord(t: t, kind: LogKind.terraformOutput,
                             data: .fields(["command": .string(command), "line": .string(line)]))
        }
        if pendingOutput == 0 && step > 2 && command != "" {
            let c = command
            command = ""
            return LogRecord(t: t, kind: LogKind.terraformFinished,
                             data: .fields(["command": .string(c), "exit_code": .integer(Int.random(in: 0...4, using: &rng) == 0 ? 1 : 0)]))
        }
        switch Int.random(in: 0..<10, using: &rng) {
        case 0...2:
            let file = Bool.random(using: &rng) ? "main.tf" : "iam.tf"
            if !open.isEmpty && Int.random(in: 0..<50, using: &rng) == 0 { open.removeFirst() }
            return LogRecord(t: t, kind: LogKind.fileChanged, data: .fields([
                "path": .string(file),
                "diff": .string("@@ -3,1 +3,1 @@\n-  sse_algorithm = \"AES256\"\n+  sse_algorithm = \"aws:kms\""),
            ]))
        case 3:
            return LogRecord(t: t, kind: LogKind.todos, data: todosJSON())
        case 4...6:
            command = Bool.random(using: &rng) ? "plan" : "apply"
            pendingOutput = Int.random(in: 5...60, using: &rng)
            return LogRecord(t: t, kind: LogKind.terraformStarted, data: .fields(["command": .string(command)]))
        case 7...8:
            let names = SessionTimeline.checkOrder
            let name = names[checksPassing % names.count]
            checksPassing += 1
            let passed = Int.random(in: 0..<3, using: &rng) > 0
            return LogRecord(t: t, kind: LogKind.checkResult, data: .fields([
                "check": .string(name), "passed": .bool(passed), "duration_ms": .integer(Int.random(in: 80...900, using: &rng)),
                "error": passed ? .null : .string("AccessDenied: not authorized to perform s3:PutObject"),
            ]))
        default:
            return LogRecord(t: t, kind: LogKind.marker, data: .fields(["label": .string("note \(step)")]))
        }
    }
}
