// Writes a synthetic session log through the real writer.
//   tfchallenge-loggen OUT [--events N] [--interval-ms MS] [--seed S]
// --events 0 writes until killed. With --interval-ms the records are timed by the
// clock (a live-like session); without, by the generator (a recorded one, fast).
import Foundation
import SessionLog
import TFCSupport

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("tfchallenge-loggen: \(message)\n".utf8))
    exit(2)
}

var args = Array(CommandLine.arguments.dropFirst())
var out: String?
var events = 1000
var intervalMs = 0
var seed: UInt64 = 1
while !args.isEmpty {
    let a = args.removeFirst()
    func value() -> String {
        guard !args.isEmpty else { fail("\(a) needs a value") }
        return args.removeFirst()
    }
    switch a {
    case "--events": guard let n = Int(value()), n >= 0 else { fail("--events needs a count") }; events = n
    case "--interval-ms": guard let n = Int(value()), n >= 0 else { fail("--interval-ms needs a number") }; intervalMs = n
    case "--seed": guard let n = UInt64(value()) else { fail("--seed needs a number") }; seed = n
    case "--help", "-h":
        print("usage: tfchallenge-loggen OUT [--events N] [--interval-ms MS] [--seed S]")
        exit(0)
    default:
        if a.hasPrefix("-") || out != nil { fail("unexpected argument '\(a)'") }
        out = a
    }
}
guard let out else { fail("the output path is missing") }

let header = LogHeader(challenge: "bigcorp-s3-kms", startedAt: Date(), terminal: TerminalSize(cols: 100, rows: 30),
                       programVersion: TFChallengeVersion.current)
do {
    let writer = try SessionLogWriter(path: out, header: header,
                                      redactor: .fromEnvironment(ProcessInfo.processInfo.environment))
    var gen = SyntheticSession(seed: seed)
    var n = 0
    while events == 0 || n < events {
        let r = gen.next()
        if intervalMs > 0 {
            try writer.append(kind: r.kind, data: r.data)
            usleep(useconds_t(intervalMs * 1000))
        } else {
            try writer.append(r, durable: false)
        }
        n += 1
    }
    try writer.append(kind: LogKind.end, data: .fields(["reason": .string("done")]))
    try writer.close()
} catch {
    FileHandle.standardError.write(Data("tfchallenge-loggen: \(error)\n".utf8))
    exit(1)
}
