/// Where counters live: the one place that decides, atomically, whether a reservation fits.
///
/// `LocalRateLimitStore` keeps them in this process (persisted through a
/// `RateLimitSnapshotStore`). A store shared by replicas (Redis, issue 6 part 5) implements
/// `reserve` and `settle` each as one atomic script over the same charges and tickets; its
/// `unavailable` outcome is how "Redis is down" reaches the limiter's fail-open/closed choice.
///
/// Calls are synchronous: the ext_proc handler answers each message before the next, and the
/// local store holds its lock for a few additions.
public protocol RateLimitCounterStore: Sendable {
    /// Checks every charge against its counter and adds all of them, or none.
    func reserve(_ charges: [RateLimitCharge], now: UnixTime) -> RateLimitStoreOutcome

    /// Replaces each charge of `ticket` by the final amount at the same index (0 for
    /// `concurrentRequests`). A ticket is settled at most once; later calls change nothing.
    func settle(_ ticket: RateLimitTicket, finalAmounts: [Int], now: UnixTime)
}

/// Saved counters, so that a restart does not reset a day's or month's usage.
///
/// Written by `LocalRateLimitStore.save(to:now:)` from a periodic task and at shutdown, read once
/// at start by `restore(from:now:)`. The SQLite implementation lives next to the usage ledger,
/// in the same database file.
public protocol RateLimitSnapshotStore: Sendable {
    /// Every saved counter.
    func loadRateLimitCounters() throws(RateLimitStoreError) -> [RateLimitCounterSnapshot]

    /// Replaces the saved buckets of each counter in `snapshots` (an empty list removes the
    /// counter), and may drop any saved bucket that has expired by `now`.
    func saveRateLimitCounters(
        _ snapshots: [RateLimitCounterSnapshot],
        now: UnixTime
    ) throws(RateLimitStoreError)
}

/// A counter store or snapshot store failed; `message` is for logs, never for clients.
public struct RateLimitStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
