import Challenge
import Core
import Foundation
import Testing
@testable import SessionLog

@Suite struct ReplayClockTests {
    @Test func recordsComeDueAtTheRecordedPaceTimesTheSpeed() {
        var c = ReplayClock(times: [0, 1, 2, 3], idleCap: nil)
        #expect(c.tick(by: 0.5) == 0..<1)
        #expect(c.tick(by: 0.6) == 1..<2)
        c.setSpeed(2)
        #expect(c.tick(by: 0.5) == 2..<3)  // 1.1 + 1.0 = 2.1
        #expect(c.untilNext == (3 - 2.1) / 2)
        #expect(c.tick(by: 10) == 3..<4)
        #expect(c.finished)
        #expect(c.untilNext == nil)
    }

    @Test func speedIsClampedAndStepsThroughTheLadder() {
        var c = ReplayClock(times: [0])
        c.setSpeed(1000)
        #expect(c.speed == 64)
        c.faster()
        #expect(c.speed == 64)
        c.setSpeed(0.01)
        #expect(c.speed == 0.25)
        c.slower()
        #expect(c.speed == 0.25)
        c.faster(); c.faster()
        #expect(c.speed == 1)
    }

    @Test func idleGapsAreCapped() {
        let c = ReplayClock(times: [0, 1, 601, 602, 1000], idleCap: 2)
        #expect(c.times == [0, 1, 3, 4, 6])
        #expect(c.duration == 6)
        #expect(ReplayClock(times: [5, 5, 6], idleCap: 2).times == [2, 2, 3])
    }

    @Test func pauseAndStep() {
        var c = ReplayClock(times: [0, 1, 2], idleCap: nil)
        c.togglePause()
        #expect(c.tick(by: 5) == 0..<0)
        #expect(c.step() == 0..<1)
        #expect(c.step() == 1..<2)
        #expect(c.paused)
        #expect(c.position == 1)
        c.resume()
        #expect(c.tick(by: 1) == 2..<3)
        #expect(c.step() == 3..<3)
    }

    @Test func seekForwardAppliesAndBackwardRebuilds() {
        var c = ReplayClock(times: [0, 1, 2, 3, 4], idleCap: nil)
        #expect(c.seek(toReplayTime: 2.5) == .forward(0..<3))
        #expect(c.seek(toReplayTime: 0.5) == .rebuild(1))
        #expect(c.seek(toReplayTime: 99) == .forward(1..<5))
        #expect(c.finished)
        var capped = ReplayClock(times: [0, 100, 200], idleCap: 2)
        #expect(capped.seek(toRecordedTime: 150) == .forward(0..<2))
        #expect(capped.position == 2)
    }

    @Test func jumpsGoToTheNextAndPreviousStop() {
        var c = ReplayClock(times: [0, 1, 2, 3, 4, 5], idleCap: nil)
        let stops = [2, 4]
        #expect(c.jumpForward(to: stops) == .forward(0..<3))
        #expect(c.jumpForward(to: stops) == .forward(3..<5))
        #expect(c.jumpForward(to: stops) == nil)
        #expect(c.jumpBackward(to: stops) == .rebuild(3))
        #expect(c.jumpBackward(to: stops) == nil)
    }
}

@Suite struct TimelineTests {
    static func todo(_ text: String, _ line: Int) -> TodoItem {
        TodoItem(file: "main.tf", line: line, text: text)
    }

    static func record(_ t: Double, _ event: Event, extra: JSONMember? = nil) -> LogRecord {
        let (kind, data) = (try? EventCodec.encode(event)) ?? (event.kind, .null)
        return LogRecord(t: t, kind: kind, data: data.adding(extra))
    }

    static func check(_ name: CheckName, _ pass: Bool) -> Event {
        .checkResult(CheckResult(name: name, status: pass ? .pass : .fail, durationMs: 120,
                                 errorCode: pass ? nil : "AccessDenied", message: pass ? "ok" : "AccessDenied"))
    }

    /// A short session as the TUI logs it: Core events.
    static let session: [LogRecord] = [
        record(0, .resize(Size(cols: 80, rows: 24))),
        record(0, .tick(0)),
        record(0, .todos([todo("TODO: a", 3), todo("TODO: b", 9)])),
        record(30, .tick(30)),
        record(30, .fileChanged("main.tf"), extra: JSONMember("diff", .string("-# TODO: a\n+x = 1"))),
        record(30.5, .todos([todo("TODO: b", 8)])),
        record(40, .runStarted(.apply)),
        record(45, .terraform(.applyStart(address: "aws_s3_bucket.data", action: "create"))),
        record(52, .runExited(.apply, exitCode: 1, interrupted: false, message: "")),
        record(60, .checksStarted),
        record(60, check(.write, false)),
        record(61, .checksFinished),
        record(70, .marker("asked about KMS")),
        record(90, .todos([])),
        record(100, .runStarted(.apply)),
        record(112, .runExited(.apply, exitCode: 0, interrupted: false, message: "")),
        record(119, .checksStarted),
    ] + CheckName.allCases.enumerated().map { i, name in record(120 + Double(i), check(name, true)) } + [
        record(124, .checksFinished),
        record(129, .tick(129)),
        LogRecord(t: 130, kind: LogKind.end, data: .fields(["reason": .string("quit")])),
    ]

    @Test func theFoldKnowsWhatHappenedWhen() {
        var tl = SessionTimeline(header: testHeader())
        tl.apply(Self.session)
        #expect(tl.resolved.map(\.todo.text) == ["TODO: a", "TODO: b"])
        #expect(tl.resolved.map(\.t) == [30.5, 90])
        #expect(tl.openTodos.isEmpty)
        #expect(tl.initialTodoCount == 2)
        #expect(tl.runs.map(\.ok) == [false, true])
        #expect(tl.checks["write"]?.firstPassed == 120)
        #expect(tl.allPassedAt == 123)
        #expect(tl.lastFileChange == 30)
        #expect(tl.ended == 130)
    }

    @Test func theSummaryReportsDurationTodosAppliesChecksAndDiffs() {
        var tl = SessionTimeline(header: testHeader())
        tl.apply(Self.session)
        let s = tl.summary()
        #expect(s.contains("duration: 2:10"))
        #expect(s.contains("TODOs: 2 resolved, 0 open (2 at the start)"))
        #expect(s.contains("0:30  resolved  main.tf:3  TODO: a"))
        #expect(s.contains("0:40  apply    failed (exit 1) in 0:12"))
        #expect(s.contains("1:40  apply    ok in 0:12"))
        #expect(s.contains("all four checks passed at 2:03"))
        #expect(s.contains("1:10  asked about KMS"))
        #expect(s.contains("      -# TODO: a"))
    }

    @Test func theTimelinePaneFitsItsArea() {
        var tl = SessionTimeline(header: testHeader())
        tl.apply(Self.session)
        let lines = tl.timelineLines(width: 60, height: 12, wallNow: 150)
        #expect(lines.count == 12)
        #expect(lines.allSatisfy { $0.count == 60 })
        #expect(lines[1].hasPrefix("elapsed 2:30"))
        #expect(lines[1].contains("last file change 2:00 ago"))
        #expect(lines.contains { $0.contains("check isolation first passed") })
        #expect(tl.timelineLines(width: 0, height: 5).allSatisfy { $0.isEmpty })
        #expect(tl.timelineLines(width: 5, height: 0).isEmpty)
        #expect(tl.timelineLines(width: 1, height: 1) == ["…"])
    }
}
