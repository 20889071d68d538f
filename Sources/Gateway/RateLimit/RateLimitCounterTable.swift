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
        /// nil for `concurrentRequests`.
        var buckets: RateLimitBuckets?
        var inFlight = 0
        /// Changed since the last `snapshot`.
        var unsaved = false

        init(kind: RateLimitKind) {
            buckets = kind.window.map { RateLimitBuckets(window: $0) }
        }

        mutating func used(at now: UnixTime) -> Int {
            if buckets != nil {
                return buckets!.usage(at: now)
            }
            return inFlight
        }

        func resetMilliseconds(at now: UnixTime) -> Int64 {
            buckets?.delayUntilEmpty(at: now) ?? 0
        }
    }

    private struct Pending: Sendable {
        var ticket: RateLimitTicket
        var expires: UnixTime
    }

    let reservationLifetimeMilliseconds: Int64
    private var counters: [RateLimitCounterID: Counter] = [:]
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
        for (index, charge) in charges.enumerated() {
            let check = update(charge.counter) { counter -> (used: Int, fits: Bool, retry: Int64?, reset: Int64) in
                let used = counter.used(at: now)
                if charge.amount <= 0 || used <= charge.limit - charge.amount {
                    return (used, true, nil, 0)
                }
                let retry =
                    charge.amount > charge.limit
                    ? nil : counter.buckets?.delay(untilFreed: used + charge.amount - charge.limit, at: now)
                return (used, false, retry, counter.resetMilliseconds(at: now))
            }
            if !check.fits {
                let status = RateLimitCounterStatus(
                    limit: charge.limit,
                    used: check.used,
                    resetMilliseconds: check.reset
                )
                return .refused(index: index, status: status, retryAfterMilliseconds: check.retry)
            }
        }
        var periods: [Int64] = []
        var statuses: [RateLimitCounterStatus] = []
        periods.reserveCapacity(charges.count)
        statuses.reserveCapacity(charges.count)
        for charge in charges {
            let (period, used, reset) = update(charge.counter) { counter in
                var period: Int64 = 0
                if counter.buckets != nil {
                    period = counter.buckets!.add(charge.amount, at: now)
                } else {
                    counter.inFlight += charge.amount
                }
                counter.unsaved = true
                return (period, counter.used(at: now), counter.resetMilliseconds(at: now))
            }
            periods.append(period)
            statuses.append(RateLimitCounterStatus(limit: charge.limit, used: used, resetMilliseconds: reset))
        }
        let ticket = RateLimitTicket(id: id, charges: charges, periods: periods)
        pending[id] = Pending(
            ticket: ticket,
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
        apply(entry.ticket, finalAmounts: amounts, now: now)
        return .settled
    }

    private mutating func apply(_ ticket: RateLimitTicket, finalAmounts: [Int], now: UnixTime) {
        for (index, charge) in ticket.charges.enumerated() {
            let delta = max(0, finalAmounts[index]) - charge.amount
            update(charge.counter) { counter in
                if counter.buckets != nil {
                    let adjusted = counter.buckets!.adjust(period: ticket.periods[index], by: delta, at: now)
                    if !adjusted && delta > 0 {
                        counter.buckets!.add(delta, at: now)
                    }
                } else {
                    counter.inFlight = max(0, counter.inFlight + delta)
                }
                counter.unsaved = true
            }
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
                entry.ticket,
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
        for id in counters.keys {
            guard counters[id]!.unsaved, counters[id]!.buckets != nil else { continue }
            counters[id]!.buckets!.advance(to: now)
            counters[id]!.unsaved = false
            result.append(RateLimitCounterSnapshot(counter: id, buckets: counters[id]!.buckets!.buckets))
        }
        return result
    }

    /// Marks counters unsaved again, after a snapshot could not be written.
    mutating func markUnsaved(_ ids: [RateLimitCounterID]) {
        for id in ids {
            counters[id]?.unsaved = true
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
            update(snapshot.counter) { counter in
                for bucket in snapshot.buckets
                where counter.buckets!.restore(period: bucket.period, amount: bucket.amount, at: now) {
                    restored += 1
                }
            }
        }
        return .restored(buckets: restored)
    }

    // MARK: - Reading

    /// What `counter` holds at `now`; 0 for a counter never charged.
    mutating func used(_ counter: RateLimitCounterID, now: UnixTime) -> Int {
        guard counters[counter] != nil else { return 0 }
        return counters[counter]!.used(at: now)
    }

    /// The live buckets of `counter` at `now`, oldest first.
    mutating func buckets(_ counter: RateLimitCounterID, now: UnixTime) -> [RateLimitBucket] {
        guard counters[counter]?.buckets != nil else { return [] }
        counters[counter]!.buckets!.advance(to: now)
        return counters[counter]!.buckets!.buckets
    }

    /// Runs `body` on the counter, created empty when absent, in place.
    private mutating func update<Result>(
        _ id: RateLimitCounterID,
        _ body: (inout Counter) -> Result
    ) -> Result {
        body(&counters[id, default: Counter(kind: id.kind)])
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
