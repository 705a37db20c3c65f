import Core
import Foundation
import TFCSupport
import Views

// The screen's two promises, measured against the naive way in the same run:
// a frame costs the same with 100,000 lines of scrollback as with 100 (only
// the visible window is drawn, then diffed), and a pane's memory stays
// bounded however much terraform prints.
@MainActor let tuiBenchmarks: [Benchmark] = [
    Benchmark(name: "tui", summary: "frame time with 100,000 lines of scrollback; memory after 1,000,000 lines") {
        // Memory first: the frame benchmark's freed pages would hide the ring's growth.
        tuiMemoryBench()
        try tuiFrameBench()
    },
]

private func tuiFrameBench() throws {
    let size = Size(cols: 200, rows: 50)
    let lines = 100_000
    var state = State(workspace: "/ws", size: size, scrollback: lines)
    _ = update(&state, .runStarted(.apply))
    for i in 0..<lines {
        _ = update(&state, .terraform(.raw("aws_s3_object.seed[\(i)]: Still creating... [\(i % 60)s elapsed]")))
    }
    let frames = 300
    let clock = ContinuousClock()

    // Ours: one new line arrives, build the frame (visible window only), diff it.
    var previous = view(state, size: size)
    var changed = 0
    let ours = clock.measure {
        for i in 0..<frames {
            _ = update(&state, .terraform(.raw("line \(i) arrived")))
            let frame = view(state, size: size)
            changed += previous.diff(to: frame).count
            previous = frame
        }
    }

    // Naive: keep the output as one growing array, copy it all for each frame,
    // lay out the whole text and repaint every cell of the screen.
    var history = (0..<lines).map { "aws_s3_object.seed[\($0)]: Still creating... [\($0 % 60)s elapsed]" }
    var repainted = 0
    let naiveFrames = 20
    let naive = clock.measure {
        for i in 0..<naiveFrames {
            history.append("line \(i) arrived")
            let copy = history  // a full copy per frame
            let text = copy.joined(separator: "\n")
            let all = text.split(separator: "\n", omittingEmptySubsequences: false)
            var buf = Buffer(width: size.cols, height: size.rows)
            for (row, l) in all.suffix(size.rows - 2).enumerated() {
                buf.write(l, x: 1, y: row + 1, maxWidth: size.cols - 2)
            }
            repainted += buf.cells.count
        }
    }
    let oursMs = ours.inSeconds / Double(frames) * 1000
    let naiveMs = naive.inSeconds / Double(naiveFrames) * 1000
    print(String(format: "   frame (build + diff), %d lines of scrollback, %dx%d: %.3f ms/frame, %d cells written per frame",
                 lines, size.cols, size.rows, oursMs, changed / frames))
    print(String(format: "   naive full copy + full redraw: %.3f ms/frame, %d cells written per frame",
                 naiveMs, repainted / naiveFrames))
    print(String(format: "   ratio: %.1fx faster, %.0fx fewer cells written", naiveMs / oursMs,
                 Double(repainted / naiveFrames) / Double(max(1, changed / frames))))
}

/// Resident high-water mark in KiB.
private func maxRSS() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_maxrss
}

/// Resident memory now, in bytes (from /proc/self/statm; 0 where there is none).
private func heapInUse() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

private func tuiMemoryBench() {
    let count = 1_000_000
    func line(_ i: Int) -> String { "aws_s3_object.seed[\(i)]: Still creating... [\(i % 60)s elapsed]" }

    // Ours first (maxrss only grows): the pane's ring, fed through update.
    let rss0 = maxRSS()
    let heap0 = heapInUse()
    var state = State(workspace: "/ws", size: Size(cols: 120, rows: 40))
    _ = update(&state, .runStarted(.apply))
    for i in 0..<count { _ = update(&state, .terraform(.raw(line(i)))) }
    let heapRing = heapInUse() - heap0
    let rssRing = maxRSS() - rss0
    let held = state.runs[.apply]?.lines.count ?? 0
    let dropped = state.runs[.apply]?.lines.dropped ?? 0
    state = State(workspace: "/ws")

    // Baseline: every line kept in an unbounded array.
    let rss1 = maxRSS()
    let heap1 = heapInUse()
    var all: [OutputLine] = []
    for i in 0..<count { all.append(OutputLine(line(i))) }
    let heapArray = heapInUse() - heap1
    let rssArray = maxRSS() - rss1
    print("   after \(count) lines: ring of \(held) lines (\(dropped) dropped): resident +\(heapRing / 1024) KiB, maxrss +\(rssRing) KiB")
    print("   unbounded array of \(all.count) lines: resident +\(heapArray / 1024) KiB, maxrss +\(rssArray) KiB")
    print(String(format: "   ratio: %.1fx less resident memory", Double(heapArray) / Double(max(1, heapRing))))
}
