import Synchronization

/// The counters of this process: a `RateLimitCounterTable` behind one mutex.
///
/// One lock rather than shards because a reservation must see all its counters at once (key,
/// tenant, model and key-with-model rules share no shard key), and the section it guards is a few
/// dictionary lookups and additions per applicable limit, no allocation beyond the ticket and no
/// I/O: snapshots are copied under the lock and written outside it.
public final class LocalRateLimitStore: RateLimitCounterStore {
    /// Long enough for the slowest streamed response; a reservation older than this frees its
    /// in-flight slot (its stream's end was lost) and keeps its amounts.
    public static let defaultReservationLifetime: Duration = .seconds(3600)

    private let table: Mutex<RateLimitCounterTable>
    private let nextID = Atomic<UInt64>(1)
    /// Held for a whole save, so two saves never interleave (an older copy of a counter written
    /// after a newer one would stay on disk).
    private let saving = Mutex(())

    public init(reservationLifetime: Duration = LocalRateLimitStore.defaultReservationLifetime) {
        let milliseconds =
            reservationLifetime.components.seconds * 1000
            + reservationLifetime.components.attoseconds / 1_000_000_000_000_000
        table = Mutex(RateLimitCounterTable(reservationLifetimeMilliseconds: milliseconds))
    }

    public func reserve(_ charges: [RateLimitCharge], now: UnixTime) -> RateLimitStoreOutcome {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let outcome = table.withLock { $0.reserve(id: id, charges: charges, now: now) }
        switch outcome {
        case .reserved(let ticket, let statuses):
            return .reserved(ticket, statuses: statuses)
        case .refused(let index, let status, let retry):
            return .refused(index: index, status: status, retryAfterMilliseconds: retry)
        }
    }

    public func settle(_ ticket: RateLimitTicket, finalAmounts: [Int], now: UnixTime) {
        _ = table.withLock { $0.settle(id: ticket.id, amounts: finalAmounts, now: now) }
    }

    /// Reservations held and not yet settled or expired.
    public var pendingCount: Int {
        table.withLock { $0.pendingCount }
    }

    /// What `counter` holds at `now`, reservations in flight included.
    public func used(_ counter: RateLimitCounterID, now: UnixTime) -> Int {
        table.withLock { $0.used(counter, now: now) }
    }

    /// The live buckets of `counter` at `now`, oldest first.
    public func buckets(_ counter: RateLimitCounterID, now: UnixTime) -> [RateLimitBucket] {
        table.withLock { $0.buckets(counter, now: now) }
    }

    /// Expires reservations past their lifetime now, rather than at the next reservation.
    public func expireReservations(now: UnixTime) {
        table.withLock { _ = $0.sweepIfDue(now: now, force: true) }
    }

    // MARK: - Persistence

    /// Loads saved counters into this store; call once at start, before any reservation. Buckets
    /// that have left their window by `now` are skipped. Returns how many buckets were restored.
    @discardableResult
    public func restore(
        from store: any RateLimitSnapshotStore,
        now: UnixTime
    ) throws(RateLimitStoreError)
        -> Int
    {
        let snapshots = try store.loadRateLimitCounters()
        let outcome = table.withLock { $0.restore(snapshots, now: now) }
        switch outcome {
        case .restored(let buckets): return buckets
        }
    }

    /// Writes every windowed counter changed since the last save. On failure the counters stay
    /// marked as changed, so the next save writes them. Returns how many counters were written.
    /// Saves run one at a time; reservations go on meanwhile (the table's lock is held only to copy).
    @discardableResult
    public func save(to store: any RateLimitSnapshotStore, now: UnixTime) throws(RateLimitStoreError) -> Int {
        try saving.withLock { _ throws(RateLimitStoreError) -> Int in
            let snapshots = table.withLock { $0.snapshot(now: now) }
            guard !snapshots.isEmpty else { return 0 }
            do throws(RateLimitStoreError) {
                try store.saveRateLimitCounters(snapshots, now: now)
            } catch {
                table.withLock { $0.markUnsaved(snapshots.map(\.counter)) }
                throw error
            }
            return snapshots.count
        }
    }
}

/// A snapshot store in memory, for tests and for running without a database.
public final class InMemoryRateLimitSnapshotStore: RateLimitSnapshotStore {
    private let saved = Mutex<[RateLimitCounterID: [RateLimitBucket]]>([:])
    private let failing = Atomic<Bool>(false)

    public init() {}

    /// Makes every call fail until set back to false, to test what happens when the disk does.
    public func setFailing(_ value: Bool) {
        failing.store(value, ordering: .relaxed)
    }

    public func loadRateLimitCounters() throws(RateLimitStoreError) -> [RateLimitCounterSnapshot] {
        if failing.load(ordering: .relaxed) { throw RateLimitStoreError("snapshot store failing") }
        return saved.withLock { saved in
            saved.map { RateLimitCounterSnapshot(counter: $0.key, buckets: $0.value) }
        }
    }

    public func saveRateLimitCounters(
        _ snapshots: [RateLimitCounterSnapshot],
        now: UnixTime
    ) throws(RateLimitStoreError) {
        if failing.load(ordering: .relaxed) { throw RateLimitStoreError("snapshot store failing") }
        saved.withLock { saved in
            for snapshot in snapshots {
                saved[snapshot.counter] = snapshot.buckets.isEmpty ? nil : snapshot.buckets
            }
        }
    }
}
