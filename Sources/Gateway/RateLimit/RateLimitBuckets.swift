/// The buckets of one windowed counter (`RateLimitWindow`): a ring of `bucketCount` amounts, each
/// tagged with the bucket index it holds, plus their running total.
///
/// Pure arithmetic with time passed in. Moving to a later bucket clears the buckets that left the
/// window, so reading the usage is O(1) and the ring is walked at most once per window. A time
/// earlier than the latest seen (a clock stepped back) counts as the latest, so amounts are never
/// placed in buckets that already expired.
struct RateLimitBuckets: Sendable, Hashable {
    private struct Slot: Sendable, Hashable {
        var period: Int64
        var amount: Int
    }

    let window: RateLimitWindow
    /// `bucketCount` slots; bucket `p` sits in slot `p mod bucketCount`.
    private var slots: [Slot]
    /// The sum of the amounts in `slots`, all of which are live as of `head`.
    private(set) var total = 0
    /// The latest bucket index seen; `empty` before the first.
    private(set) var head = Self.empty

    private static let empty = Int64.min

    init(window: RateLimitWindow) {
        self.window = window
        slots = Array(repeating: Slot(period: Self.empty, amount: 0), count: window.bucketCount)
    }

    private var count: Int64 { Int64(slots.count) }

    private func slot(_ period: Int64) -> Int {
        let remainder = period % count
        return Int(remainder < 0 ? remainder + count : remainder)
    }

    /// The bucket `instant` falls in, never earlier than `head`.
    private func current(at instant: UnixTime) -> Int64 {
        max(head, window.period(at: instant))
    }

    /// Drops every bucket that is out of the window at `instant`.
    mutating func advance(to instant: UnixTime) {
        let period = window.period(at: instant)
        guard period > head else { return }
        if head == Self.empty || period - head >= count {
            for index in slots.indices {
                slots[index] = Slot(period: Self.empty, amount: 0)
            }
            total = 0
        } else {
            // Bucket `period - count` and older leave; each sits in the slot of its successor.
            var next = head + 1
            while next <= period {
                let index = slot(next)
                if slots[index].period != Self.empty {
                    total -= slots[index].amount
                    slots[index] = Slot(period: Self.empty, amount: 0)
                }
                next += 1
            }
        }
        head = period
    }

    /// The amount counted at `instant`.
    mutating func usage(at instant: UnixTime) -> Int {
        advance(to: instant)
        return total
    }

    /// Adds `amount` to the bucket of `instant` and returns that bucket's index.
    @discardableResult
    mutating func add(_ amount: Int, at instant: UnixTime) -> Int64 {
        advance(to: instant)
        let period = current(at: instant)
        let index = slot(period)
        slots[index].period = period
        slots[index].amount += amount
        total += amount
        return period
    }

    /// Changes bucket `period` by `delta` (never below zero); false when that bucket is no longer
    /// in the window at `instant`, so the change has nowhere to go.
    mutating func adjust(period: Int64, by delta: Int, at instant: UnixTime) -> Bool {
        advance(to: instant)
        let index = slot(period)
        guard period <= head, period > head - count, slots[index].period == period else { return false }
        let updated = max(0, slots[index].amount + delta)
        total += updated - slots[index].amount
        slots[index].amount = updated
        return true
    }

    /// Sets bucket `period` to `amount` when it is still in the window at `instant`, as a restart
    /// restores saved buckets; false when it has expired.
    mutating func restore(period: Int64, amount: Int, at instant: UnixTime) -> Bool {
        advance(to: instant)
        guard period <= head, period > head - count, amount >= 0 else { return false }
        let index = slot(period)
        let previous = slots[index].period == period ? slots[index].amount : 0
        slots[index] = Slot(period: period, amount: amount)
        total += amount - previous
        return true
    }

    /// The live buckets with a non-zero amount, oldest first (as of the last `advance`).
    var buckets: [RateLimitBucket] {
        guard head != Self.empty else { return [] }
        var result: [RateLimitBucket] = []
        var period = head - count + 1
        while period <= head {
            let index = slot(period)
            if slots[index].period == period, slots[index].amount != 0 {
                result.append(RateLimitBucket(period: period, amount: slots[index].amount))
            }
            period += 1
        }
        return result
    }

    /// How long from `instant` until at least `needed` has left the window, oldest buckets
    /// first; nil when even an empty window would not free that much (as of the last `advance`).
    func delay(untilFreed needed: Int, at instant: UnixTime) -> Int64? {
        guard needed > 0 else { return 0 }
        guard head != Self.empty else { return nil }
        var freed = 0
        var period = head - count + 1
        while period <= head {
            let index = slot(period)
            if slots[index].period == period {
                freed += slots[index].amount
                if freed >= needed {
                    return max(1, window.expiry(of: period).milliseconds - instant.milliseconds)
                }
            }
            period += 1
        }
        return nil
    }

    /// How long from `instant` until the window is empty (as of the last `advance`); 0 when it is.
    func delayUntilEmpty(at instant: UnixTime) -> Int64 {
        guard total > 0, head != Self.empty else { return 0 }
        var period = head
        while period > head - count {
            let index = slot(period)
            if slots[index].period == period, slots[index].amount != 0 {
                return max(0, window.expiry(of: period).milliseconds - instant.milliseconds)
            }
            period -= 1
        }
        return 0
    }
}

/// One bucket of a windowed counter: its index (`RateLimitWindow.period(at:)`) and amount.
public struct RateLimitBucket: Sendable, Hashable {
    public var period: Int64
    public var amount: Int

    public init(period: Int64, amount: Int) {
        self.period = period
        self.amount = amount
    }
}
