/// A bounded ring of values: appending past the capacity drops the oldest and
/// counts it, so a runaway terraform output cannot exhaust memory and the pane
/// can still say how much it dropped.
public struct Ring<Element: Sendable>: Sendable {
    public let capacity: Int
    private var storage: [Element] = []
    private var head = 0
    /// How many values were dropped from the front since the ring was made.
    public private(set) var dropped = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(min(self.capacity, 1024))
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }
    /// How many values were ever appended.
    public var total: Int { dropped + storage.count }

    public mutating func append(_ value: Element) {
        if storage.count < capacity {
            storage.append(value)
        } else {
            storage[head] = value
            head = (head + 1) % capacity
            dropped += 1
        }
    }

    public mutating func append(contentsOf values: some Sequence<Element>) {
        for v in values { append(v) }
    }

    /// The i-th value still held, 0 being the oldest.
    public subscript(i: Int) -> Element {
        storage[(head + i) % storage.count]
    }

    /// The value whose absolute index (0 = the first ever appended) is `n`,
    /// or nil when it was dropped or does not exist yet.
    public func element(absolute n: Int) -> Element? {
        let i = n - dropped
        guard i >= 0, i < storage.count else { return nil }
        return self[i]
    }

    /// The values in `range` (relative, clipped), oldest first.
    public func slice(_ range: Range<Int>) -> [Element] {
        let lo = max(0, range.lowerBound), hi = min(storage.count, range.upperBound)
        guard lo < hi else { return [] }
        return (lo..<hi).map { self[$0] }
    }

    public var last: Element? { storage.isEmpty ? nil : self[storage.count - 1] }
}

extension Ring: Equatable where Element: Equatable {
    public static func == (a: Ring, b: Ring) -> Bool {
        a.capacity == b.capacity && a.dropped == b.dropped && a.count == b.count
            && (0..<a.count).allSatisfy { a[$0] == b[$0] }
    }
}
