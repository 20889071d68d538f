/// Token, request, concurrency and money limits, enforced before a request is sent and settled
/// from its exact usage (issue 6; the algorithm and its bound are in README "Rate limits and
/// budgets").
///
/// Reserve, then settle:
/// 1. When the body is read, `reserve` finds every limit that applies to the request
///    (`RateLimitPolicy`), charges each its worst case (estimated input plus the output cap for
///    token limits, one request, one in-flight slot, the most that can cost for budgets), and
///    asks the counter store to add all of them or none. A refusal names the first limit, in the
///    policy's order, that cannot cover its charge.
/// 2. When the response ends, `settle` replaces every charge with the exact usage, releasing
///    the rest; a failed or aborted request is `release`d with what the stream showed it
///    consumed (the request still counts); a request refused after reserving and never sent is
///    `cancel`led, which gives everything back.
///
/// Stateless apart from the store, so it is a value; the policy is passed per call because it
/// comes from the running config snapshot.
public struct RateLimiter: Sendable {
    public let store: any RateLimitCounterStore

    public init(store: any RateLimitCounterStore = LocalRateLimitStore()) {
        self.store = store
    }

    /// Holds `demand` against every limit of `policy` that applies to `subject`, or throws naming
    /// the first that cannot cover it. Returns `RateLimitReservation.empty` when none applies,
    /// without touching the store.
    public func reserve(
        _ subject: RateLimitSubject,
        demand: RateLimitDemand,
        policy: RateLimitPolicy,
        now: UnixTime
    ) throws(RateLimitError) -> RateLimitReservation {
        let limits = policy.limits(for: subject)
        guard !limits.isEmpty else { return .empty }
        var price: ModelPrice?
        var charges: [RateLimitCharge] = []
        charges.reserveCapacity(limits.count)
        for (counter, limit) in limits {
            let amount: Int
            switch counter.kind.unit {
            case .tokens:
                amount = demand.totalTokens
            case .requests, .concurrentRequests:
                amount = 1
            case .microUSD:
                if price == nil {
                    guard let found = policy.prices.price(for: subject.model) else {
                        throw .unpricedModel(subject.model)
                    }
                    price = found
                }
                amount = Self.maximumCost(of: demand, at: price!)
            }
            charges.append(RateLimitCharge(counter: counter, limit: limit, amount: amount))
        }
        switch store.reserve(charges, now: now) {
        case .reserved(let ticket, let statuses):
            return RateLimitReservation(
                ticket: ticket,
                price: price,
                headers: RateLimitHeaders(charges: ticket.charges, statuses: statuses),
                reservedTokens: demand.totalTokens
            )
        case .refused(let index, let status, let retryAfterMilliseconds):
            let charge = charges[index]
            let refusal = RateLimitRefusal(
                counter: charge.counter,
                limit: charge.limit,
                used: status.used,
                requested: charge.amount,
                retryAfterSeconds: Int(max(1, ((retryAfterMilliseconds ?? 1000) + 999) / 1000)),
                resetMilliseconds: status.resetMilliseconds
            )
            if charge.amount > charge.limit {
                throw .exceedsLimit(refusal)
            }
            throw .limitReached(refusal)
        case .unavailable(let reason):
            throw .storeUnavailable(reason)
        }
    }

    /// The response ended: every charge becomes the exact `usage` (total tokens, its cost), the
    /// request stays counted, the in-flight slot is freed. Usage above the reservation is
    /// charged too.
    public func settle(_ reservation: RateLimitReservation, usage: TokenUsage, now: UnixTime) {
        finish(reservation, usage: usage, keepRequest: true, now: now)
    }

    /// The request failed or was aborted: like `settle` with what was consumed as far as the
    /// stream showed it (`TokenUsage.none` when nothing was), so the request still counts.
    public func release(
        _ reservation: RateLimitReservation,
        consumed: TokenUsage = .none,
        now: UnixTime
    ) {
        finish(reservation, usage: consumed, keepRequest: true, now: now)
    }

    /// The request was never sent (refused later in the same phase): everything is given back,
    /// the request count included.
    public func cancel(_ reservation: RateLimitReservation, now: UnixTime) {
        finish(reservation, usage: .none, keepRequest: false, now: now)
    }

    private func finish(
        _ reservation: RateLimitReservation,
        usage: TokenUsage,
        keepRequest: Bool,
        now: UnixTime
    ) {
        guard let ticket = reservation.ticket else { return }
        let tokens = max(0, usage.inputTokens) + max(0, usage.outputTokens)
        let cost = reservation.price.map { Int(min($0.cost(of: usage), Int64(RateLimitRule.maximumAmount))) } ?? 0
        let amounts = ticket.charges.map { charge -> Int in
            switch charge.counter.kind.unit {
            case .tokens: tokens
            case .requests: keepRequest ? charge.amount : 0
            case .concurrentRequests: 0
            case .microUSD: cost
            }
        }
        store.settle(ticket, finalAmounts: amounts, now: now)
    }

    /// The most `demand` can cost at `price`, however the provider's cache splits the prompt
    /// (cached reads are usually cheaper than input, cache writes dearer): what a reservation holds
    /// against a budget, in micro-dollars.
    static func maximumCost(of demand: RateLimitDemand, at price: ModelPrice) -> Int {
        let input = demand.inputTokens
        let shapes = [
            TokenUsage(inputTokens: input, outputTokens: demand.maxOutputTokens),
            TokenUsage(inputTokens: input, outputTokens: demand.maxOutputTokens, cachedInputTokens: input),
            TokenUsage(inputTokens: input, outputTokens: demand.maxOutputTokens, cacheCreationInputTokens: input),
        ]
        let cost = shapes.map { price.cost(of: $0) }.max() ?? 0
        return Int(min(cost, Int64(RateLimitRule.maximumAmount)))
    }
}
