/// Every counter of one process and the reservations in flight against them: the arithmetic of
/// reserve-then-settle, with no lock, no I/O and no clock (time is passed to each event).
///
/// `LocalRateLimitStore` holds one behind a mutex. Invariants:
/// - a reservation adds all its charges or none (`reserve` checks every charge before adding any);
/// - a charge is added to the bucket of the moment it was reserved, and settlement replaces it in
///   that same bucket while the bucket is in its window; once the bucket has left the window, only
///   what the settlement adds beyond the reservation is charged, to the current bucket, so a usage
///   larger than its reservation is always counted somewhere;
/// - each reservation is settled at most once: a second settlement, or one for a reservation the
///   table never held or already expired, changes nothing;
/// - a reservation not settled within `reservationLifetime` (its stream's end was lost) expires:
///   its in-flight slots are freed and its amounts stay as reserved.
struct RateLimitCounterTable: Sendable {
    private struct Counter: Sendable {
        /// False for `concurrentRequests`, which counts `inFlight` and leaves `buckets` unused.
        let isWindowed: Bool
        var buckets: RateLimitBuckets
        var inFlight = 0
        /// Changed since the last `snapshot`.
        var unsaved = false

        init(kind: RateLimitKind) {
            isWindowed = kind.window != nil
            buckets = RateLimitBuckets(window: kind.window ?? .utcDay)
        }

        mutating func used(at now: UnixTime) -> Int {
            isWindowed ? buckets.usage(at: now) : inFlight
        }

        func resetMilliseconds(at now: UnixTime) -> Int64 {
            isWindowed ? buckets.delayUntilEmpty(at: now) : 0
        }

        /// Adds `amount` now; returns the bucket it went to (0 for an in-flight count).
        mutating func add(_ amount: Int, at now: UnixTime) -> Int64 {
            unsaved = true
            guard isWindowed else {
                inFlight += amount
                return 0
            }
            return buckets.add(amount, at: now)
        }

        /// Changes what was added to bucket `period` by `delta`; where that bucket has left its
        /// window, only an increase is charged, to the current bucket.
        mutating func adjust(period: Int64, by delta: Int, at now: UnixTime) {
            unsaved = true
            guard isWindowed else {
                inFlight = max(0, inFlight + delta)
                return
            }
            if !buckets.adjust(period: period, by: delta, at: now) && delta > 0 {
                buckets.add(delta, at: now)
            }
        }
    }

    private struct Pending: Sendable {
        var ticket: RateLimitTicket
        /// Where each charge's counter sits in `counters`, so settling hashes nothing.
        var slots: [Int]
        var expires: UnixTime
    }

    let reservationLifetimeMilliseconds: Int64
    /// Counters in order of first use, never removed (their number is bounded by the configured
    /// rules' scopes), so a slot stays valid for the table's life.
    private var counters: [Counter] = []
    private var slots: [RateLimitCounterID: Int] = [:]
    private var pending: [UInt64: Pending] = [:]
    private var nextSweep: UnixTime?

    init(reservationLifetimeMilliseconds: Int64) {
        self.reservationLifetimeMilliseconds = max(1, reservationLifetimeMilliseconds)
    }

    /// Reservations held and not yet settled or expired.
    var pendingCount: Int { pending.count }

    // MARK: - Reserve

    enum OnReserve: Sendable, Hashable {
        case reserved(RateLimitTicket, statuses: [RateLimitCounterStatus])
        case refused(index: Int, status: RateLimitCounterStatus, retryAfterMilliseconds: Int64?)
    }

    /// Checks every charge; adds all of them under reservation `id`, or none.
    mutating func reserve(id: UInt64, charges: [RateLimitCharge], now: UnixTime) -> OnReserve {
        sweepIfDue(now: now)
        var chargeSlots: [Int] = []
        chargeSlots.reserveCapacity(charges.count)
        for index in charges.indices {
            let charge = charges[index]
            let slot = slot(charge.counter)
            chargeSlots.append(slot)
            let used = counters[slot].used(at: now)
            if charge.amount <= 0 || used <= charge.limit - charge.amount {
                continue
            }
            let retry =
                charge.amount > charge.limit || !counters[slot].isWindowed
                ? nil : counters[slot].buckets.delay(untilFreed: used + charge.amount - charge.limit, at: now)
            let status = RateLimitCounterStatus(
                limit: charge.limit,
                used: used,
                resetMilliseconds: counters[slot].resetMilliseconds(at: now)
            )
            return .refused(index: index, status: status, retryAfterMilliseconds: retry)
        }
        var periods: [Int64] = []
        var statuses: [RateLimitCounterStatus] = []
        periods.reserveCapacity(charges.count)
        statuses.reserveCapacity(charges.count)
        for index in charges.indices {
            let slot = chargeSlots[index]
            periods.append(counters[slot].add(charges[index].amount, at: now))
            statuses.append(
                RateLimitCounterStatus(
                    limit: charges[index].limit,
                    used: counters[slot].used(at: now),
                    resetMilliseconds: counters[slot].resetMilliseconds(at: now)
                )
            )
        }
        let ticket = RateLimitTicket(id: id, charges: charges, periods: periods)
        pending[id] = Pending(
            ticket: ticket,
            slots: chargeSlots,
            expires: now + .milliseconds(reservationLifetimeMilliseconds)
        )
        return .reserved(ticket, statuses: statuses)
    }

    // MARK: - Settle

    enum OnSettle: Sendable, Hashable {
        case settled
        /// Never held, already settled, or expired: nothing changed.
        case unknownReservation
        /// `amounts` does not have one amount per charge: nothing changed.
        case amountsMismatch
    }

    /// Replaces each charge of reservation `id` with the final amount at the same index.
    mutating func settle(id: UInt64, amounts: [Int], now: UnixTime) -> OnSettle {
        guard let entry = pending[id] else { return .unknownReservation }
        guard amounts.count == entry.ticket.charges.count else { return .amountsMismatch }
        pending[id] = nil
        apply(entry, finalAmounts: amounts, now: now)
        return .settled
    }

    private mutating func apply(_ entry: Pending, finalAmounts: [Int], now: UnixTime) {
        let charges = entry.ticket.charges
        for index in charges.indices {
            let delta = max(0, finalAmounts[index]) - charges[index].amount
            counters[entry.slots[index]].adjust(period: entry.ticket.periods[index], by: delta, at: now)
        }
    }

    // MARK: - Expiry

    enum OnSweep: Sendable, Hashable {
        case notDue
        case swept(expired: Int)
    }

    /// Expires reservations older than the lifetime, at most every tenth of it unless `force`d
    /// (so a lost reservation is freed between one and 1.1 lifetimes after it was made).
    @discardableResult
    mutating func sweepIfDue(now: UnixTime, force: Bool = false) -> OnSweep {
        if !force, let nextSweep, now < nextSweep { return .notDue }
        nextSweep = now + .milliseconds(max(1, reservationLifetimeMilliseconds / 10))
        let expired = pending.filter { $0.value.expires <= now }
        for (id, entry) in expired {
            pending[id] = nil
            // In-flight slots end; amounts stay as reserved.
            apply(
                entry,
                finalAmounts: entry.ticket.charges.map { $0.counter.kind == .concurrentRequests ? 0 : $0.amount },
                now: now
            )
        }
        return .swept(expired: expired.count)
    }

    // MARK: - Persistence

    /// The windowed counters changed since the last snapshot, each with its live buckets (none
    /// when it has emptied, so a store can drop it), and marks them saved.
    mutating func snapshot(now: UnixTime) -> [RateLimitCounterSnapshot] {
        var result: [RateLimitCounterSnapshot] = []
        for (id, slot) in slots where counters[slot].unsaved && counters[slot].isWindowed {
            counters[slot].buckets.advance(to: now)
            counters[slot].unsaved = false
            result.append(RateLimitCounterSnapshot(counter: id, buckets: counters[slot].buckets.buckets))
        }
        return result
    }

    /// Marks counters unsaved again, after a snapshot could not be written.
    mutating func markUnsaved(_ ids: [RateLimitCounterID]) {
        for id in ids {
            if let slot = slots[id] { counters[slot].unsaved = true }
        }
    }

    enum OnRestore: Sendable, Hashable {
        /// How many buckets were still in their window and were restored.
        case restored(buckets: Int)
    }

    /// Sets counters to saved buckets that are still in their window at `now`; buckets already in
    /// the table are replaced, so restoring twice is restoring once.
    mutating func restore(_ snapshots: [RateLimitCounterSnapshot], now: UnixTime) -> OnRestore {
        var restored = 0
        for snapshot in snapshots where snapshot.counter.kind.window != nil {
            let slot = slot(snapshot.counter)
            for bucket in snapshot.buckets
            where counters[slot].buckets.restore(period: bucket.period, amount: bucket.amount, at: now) {
                restored += 1
            }
        }
        return .restored(buckets: restored)
    }

    // MARK: - Reading

    /// What `counter` holds at `now`; 0 for a counter never charged.
    mutating func used(_ counter: RateLimitCounterID, now: UnixTime) -> Int {
        guard let slot = slots[counter] else { return 0 }
        return counters[slot].used(at: now)
    }

    /// The live buckets of `counter` at `now`, oldest first.
    mutating func buckets(_ counter: RateLimitCounterID, now: UnixTime) -> [RateLimitBucket] {
        guard let slot = slots[counter], counters[slot].isWindowed else { return [] }
        counters[slot].buckets.advance(to: now)
        return counters[slot].buckets.buckets
    }

    /// The slot of `id`, created empty when absent.
    private mutating func slot(_ id: RateLimitCounterID) -> Int {
        if let slot = slots[id] { return slot }
        counters.append(Counter(kind: id.kind))
        slots[id] = counters.count - 1
        return counters.count - 1
    }
}

/// The persisted state of one windowed counter: its live, non-zero buckets. An empty list means
/// the counter holds nothing (a store may delete it).
public struct RateLimitCounterSnapshot: Sendable, Hashable {
    public var counter: RateLimitCounterID
    public var buckets: [RateLimitBucket]

    public init(counter: RateLimitCounterID, buckets: [RateLimitBucket]) {
        self.counter = counter
        self.buckets = buckets
    }
}
