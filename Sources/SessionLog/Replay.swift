/// The pace of a replay: a pure state machine over the records' times.
///
/// The wall clock is injected (`tick(by:)` gets the seconds that passed), so
/// tests drive it instantly. Gaps longer than `idleCap` are shortened to it, like
/// asciinema's idle time limit; all positions are on that shortened ("replay")
/// timeline. The caller applies the records the clock hands out; when a seek goes
/// backwards the caller rebuilds its state by folding records `0..<applied`
/// again (a fold cannot run backwards).
public struct ReplayClock: Sendable, Equatable {
    /// The speeds the `+`/`-` keys step through.
    public static let speeds: [Double] = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64]

    /// Each record's time on the replay timeline (gaps capped).
    public let times: [Double]
    /// The recorded times, as logged.
    public let recorded: [Double]
    public let idleCap: Double?
    public private(set) var speed: Double = 1
    public private(set) var paused = false
    /// The position on the replay timeline.
    public private(set) var position: Double = 0
    /// How many records are applied (records `0..<applied`).
    public private(set) var applied = 0

    public init(times recordedTimes: [Double], idleCap: Double? = 2) {
        self.recorded = recordedTimes
        self.idleCap = idleCap.map { max($0, 0) }
        var out: [Double] = []
        out.reserveCapacity(recordedTimes.count)
        var last = 0.0
        var acc = 0.0
        for t in recordedTimes {
            var gap = max(0, t - last)
            if let cap = self.idleCap, gap > cap { gap = cap }
            acc += gap
            out.append(acc)
            last = max(last, t)
        }
        times = out
    }

    /// The replay timeline's length.
    public var duration: Double { times.last ?? 0 }
    public var finished: Bool { applied == times.count }

    /// Sets the speed, clamped to 0.25x...64x.
    public mutating func setSpeed(_ s: Double) {
        speed = min(max(s, Self.speeds[0]), Self.speeds[Self.speeds.count - 1])
    }
    public mutating func faster() {
        setSpeed(Self.speeds.first { $0 > speed } ?? speed)
    }
    public mutating func slower() {
        setSpeed(Self.speeds.last { $0 < speed } ?? speed)
    }
    public mutating func togglePause() { paused.toggle() }
    public mutating func pause() { paused = true }
    public mutating func resume() { paused = false }

    /// Lets `wallSeconds` pass; returns the records to apply now.
    public mutating func tick(by wallSeconds: Double) -> Range<Int> {
        guard !paused, wallSeconds > 0 else { return applied..<applied }
        position = min(position + wallSeconds * speed, duration)
        return advanceToPosition()
    }

    /// Wall seconds until the next record is due (nil when finished or paused).
    public var untilNext: Double? {
        guard !paused, applied < times.count else { return nil }
        return max(0, times[applied] - position) / speed
    }

    /// Applies exactly the next record and pauses (step mode).
    public mutating func step() -> Range<Int> {
        paused = true
        guard applied < times.count else { return applied..<applied }
        position = times[applied]
        applied += 1
        return (applied - 1)..<applied
    }

    public enum SeekResult: Sendable, Equatable {
        /// Apply these records on top of the current state.
        case forward(Range<Int>)
        /// Rebuild from scratch: apply records `0..<n`.
        case rebuild(Int)
    }

    /// Moves to a time on the replay timeline.
    public mutating func seek(toReplayTime t: Double) -> SeekResult {
        let target = min(max(t, 0), duration)
        // Records due at or before the target: binary search.
        var lo = 0, hi = times.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if times[mid] <= target { lo = mid + 1 } else { hi = mid }
        }
        position = target
        let old = applied
        applied = lo
        return lo >= old ? .forward(old..<lo) : .rebuild(lo)
    }

    /// Moves to a time as recorded (seconds since the session started).
    public mutating func seek(toRecordedTime t: Double) -> SeekResult {
        var lo = 0, hi = recorded.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if recorded[mid] <= t { lo = mid + 1 } else { hi = mid }
        }
        let replayT = lo == 0 ? 0 : times[lo - 1]
        return seek(toReplayTime: replayT)
    }

    /// Moves just past the next record for which `isStop` holds (a check change, a marker).
    public mutating func jumpForward(to stops: [Int]) -> SeekResult? {
        guard let next = stops.first(where: { $0 >= applied }) else { return nil }
        let old = applied
        applied = next + 1
        position = times[next]
        return .forward(old..<applied)
    }

    /// Moves back to just past the previous stop before the last applied record.
    public mutating func jumpBackward(to stops: [Int]) -> SeekResult? {
        guard let prev = stops.last(where: { $0 < applied - 1 }) else { return nil }
        applied = prev + 1
        position = times[prev]
        return .rebuild(applied)
    }

    private mutating func advanceToPosition() -> Range<Int> {
        let old = applied
        while applied < times.count && times[applied] <= position { applied += 1 }
        return old..<applied
    }
}
