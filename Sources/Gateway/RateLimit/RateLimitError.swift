/// Why the limiter refused a reservation: the rate-limit layer's one error type.
/// `RateLimitError+Response.swift` maps each case to a status and a body in the client's dialect.
public enum RateLimitError: Error, Sendable, Hashable {
    /// The limit cannot cover the reservation now; it can after `retryAfterSeconds` at the
    /// latest, if nothing else is charged meanwhile.
    case limitReached(RateLimitRefusal)
    /// The reservation alone is larger than the limit (a `max_tokens` above `tokens_per_minute`,
    /// say): no wait helps; the client must ask for less.
    case exceedsLimit(RateLimitRefusal)
    /// A money budget applies and the model has no price, so its cost cannot be counted; refused
    /// rather than let through unbudgeted. A configuration fault: 500.
    case unpricedModel(String)
    /// The counter store could not be asked (a shared store that is down) and the limiter fails
    /// closed: 503.
    case storeUnavailable(String)
}

/// The limit that refused a reservation and its numbers, in the limit's unit (micro-dollars for
/// budgets).
public struct RateLimitRefusal: Sendable, Hashable {
    public var counter: RateLimitCounterID
    public var limit: Int
    /// Counted when the request came, reservations in flight included.
    public var used: Int
    /// What this request would have held.
    public var requested: Int
    /// Whole seconds, at least 1.
    public var retryAfterSeconds: Int
    /// Milliseconds until the counter is empty, for `x-ratelimit-reset-*`.
    public var resetMilliseconds: Int64

    public init(
        counter: RateLimitCounterID,
        limit: Int,
        used: Int,
        requested: Int,
        retryAfterSeconds: Int,
        resetMilliseconds: Int64 = 0
    ) {
        self.counter = counter
        self.limit = limit
        self.used = used
        self.requested = requested
        self.retryAfterSeconds = retryAfterSeconds
        self.resetMilliseconds = resetMilliseconds
    }
}

extension RateLimitError: CustomStringConvertible {
    /// For logs.
    public var description: String {
        switch self {
        case .limitReached(let refusal):
            "\(refusal.counter) reached: limit \(refusal.limit), used \(refusal.used), requested \(refusal.requested), "
                + "retry after \(refusal.retryAfterSeconds)s"
        case .exceedsLimit(let refusal):
            "request over \(refusal.counter): limit \(refusal.limit), requested \(refusal.requested)"
        case .unpricedModel(let model):
            "a budget applies to model \(model), which has no price"
        case .storeUnavailable(let reason):
            "rate-limit store unavailable: \(reason)"
        }
    }
}
