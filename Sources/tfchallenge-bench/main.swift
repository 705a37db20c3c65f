// Benchmarks. Not tests: each prints its figures, and where there is an
// alternative (boto3, pytest, Python's json, terraform run directly) it is
// measured in the same run and printed as a ratio, because the machines are
// shared and noisy. Run: swift run -c release tfchallenge-bench [NAME...]
import Foundation
import TFCSupport

/// One benchmark: a name, a line of description, and the code that prints its figures.
struct Benchmark {
    var name: String
    var summary: String
    var run: () async throws -> Void
}

/// Prints the median, min and max of `values` in milliseconds; returns the median.
@discardableResult
func reportMilliseconds(_ label: String, _ values: [Duration]) -> Double {
    let sorted = values.map { $0.inSeconds * 1000 }.sorted()
    let median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    print(String(format: "   %@: median %.0f ms, min %.0f ms, max %.0f ms (%d runs)",
                 label, median, sorted.first ?? 0, sorted.last ?? 0, sorted.count))
    return median
}

/// Every benchmark; each part adds its own from its own file.
let benchmarks: [Benchmark] = [] + sandboxBenchmarks + awsBenchmarks + checksBenchmarks + tuiBenchmarks + runnerBenchmarks + logBenchmarks

let wanted = Array(CommandLine.arguments.dropFirst())
if wanted.contains("--help") || wanted.contains("-h") {
    print("usage: tfchallenge-bench [NAME...]\n\nbenchmarks:")
    for b in benchmarks { print("  \(b.name): \(b.summary)") }
    exit(0)
}
let unknown = wanted.filter { w in !benchmarks.contains { $0.name == w } }
if !unknown.isEmpty {
    FileHandle.standardError.write(Data("tfchallenge-bench: unknown benchmark '\(unknown[0])'\n".utf8))
    exit(2)
}
var failed = false
for b in benchmarks where wanted.isEmpty || wanted.contains(b.name) {
    print("== \(b.name): \(b.summary)")
    do { try await b.run() } catch {
        print("   failed: \(error)")
        failed = true
    }
}
exit(failed ? 1 : 0)
