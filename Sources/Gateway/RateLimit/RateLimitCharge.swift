/// One counter a reservation charges: the amount to hold and the limit it must fit under.
///
/// For `concurrentRequests` the amount is 1 while the request is in flight and 0 once settled.
public struct RateLimitCharge: Sendable, Hashable {
    public var counter: RateLimitCounterID
    public var limit: Int
    public var amount: Int

    public init(counter: RateLimitCounterID, limit: Int, amount: Int) {
        self.counter = counter
        self.limit = limit
        self.amount = amount
    }
}

/// A counter's state right after a reservation, for `x-ratelimit-*` headers.
public struct RateLimitCounterStatus: Sendable, Hashable {
    public var limit: Int
    /// Counted now, this reservation included (may exceed `limit` after a settlement larger
    /// than its reservation).
    public var used: Int
    /// Milliseconds until the counter is back to zero if nothing more is charged; 0 for
    /// `concurrentRequests`, which empties as requests finish.
    public var resetMilliseconds: Int64

    public init(limit: Int, used: Int, resetMilliseconds: Int64) {
        self.limit = limit
        self.used = used
        self.resetMilliseconds = resetMilliseconds
    }

    public var remaining: Int { max(0, limit - used) }
}

/// Proof of a reservation held by a counter store: what `settle` needs to find it again.
public struct RateLimitTicket: Sendable, Hashable {
    /// Unique per store for the life of the process.
    public var id: UInt64
    /// The reservation's charges, in the order `reserve` got them.
    public var charges: [RateLimitCharge]
    /// For each charge, the bucket it was added to (`RateLimitWindow.period(at:)`); 0 for
    /// `concurrentRequests`.
    public var periods: [Int64]

    public init(id: UInt64, charges: [RateLimitCharge], periods: [Int64]) {
        self.id = id
        self.charges = charges
        self.periods = periods
    }
}

/// What a counter store answers to a reservation.
public enum RateLimitStoreOutcome: Sendable, Hashable {
    /// Every charge was added; `statuses` follow the charges' order.
    case reserved(RateLimitTicket, statuses: [RateLimitCounterStatus])
    /// Nothing was added: charge `index` does not fit. `retryAfterMilliseconds` is how long until
    /// enough of the counter expires, counting reservations in flight as they stand; nil when no
    /// wait can help (the amount alone is over the limit) or the wait cannot be known
    /// (`concurrentRequests`).
    case refused(index: Int, status: RateLimitCounterStatus, retryAfterMilliseconds: Int64?)
    /// The store could not be asked (a remote store that is down); the reason is for logs.
    case unavailable(String)
}
