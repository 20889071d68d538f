import Testing

@testable import Gateway

/// Money budgets, counted in micro-dollars with the ledger's price table.
@Suite struct RateLimitBudgetTests {
    let subject = RateLimitSubject(keyName: "team-a", tenant: "acme", model: "claude-sonnet")
    /// $3 / $15 per million, cache reads $0.30, cache writes $3.75.
    let prices = PriceTable([
        PriceTable.Entry(
            model: ModelPattern("claude-*"),
            price: ModelPrice(
                inputPerMillion: 3_000_000,
                outputPerMillion: 15_000_000,
                cachedInputPerMillion: 300_000,
                cacheCreationPerMillion: 3_750_000
            )
        )
    ])

    private func policy(_ limits: [RateLimitKind: Int]) -> RateLimitPolicy {
        RateLimitPolicy(rules: [RateLimitRule(scope: .tenant("acme"), limits: limits)], prices: prices)
    }

    @Test func aReservationHoldsTheMostTheRequestCanCostAndSettlesAtItsExactCost() throws {
        let store = LocalRateLimitStore()
        let limiter = RateLimiter(store: store)
        let policy = policy([.budgetUSDPerDay: 1_000_000])  // $1
        let counter = RateLimitCounterID(scope: .tenant("acme"), kind: .budgetUSDPerDay)
        let noon = utc(year: 2026, month: 5, day: 4, hour: 12)
        // 10 000 input tokens, all possibly cache writes at $3.75/M = $0.0375; 2 000 output at $15/M = $0.03.
        let reservation = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 10_000, maxOutputTokens: 2000),
            policy: policy,
            now: noon
        )
        #expect(reservation.charges.map(\.amount) == [67_500])
        #expect(store.used(counter, now: noon) == 67_500)
        // 8 000 read from the cache ($0.0024), 2 000 uncached ($0.006), 500 output ($0.0075).
        let usage = TokenUsage(inputTokens: 10_000, outputTokens: 500, cachedInputTokens: 8000)
        limiter.settle(reservation, usage: usage, now: noon + .seconds(5))
        #expect(store.used(counter, now: noon + .seconds(5)) == 15_900)
        #expect(prices.cost(of: usage, model: "claude-sonnet") == 15_900)
    }

    @Test func anExhaustedBudgetRefusesWithInsufficientQuotaUntilTheNextPeriod() throws {
        let limiter = RateLimiter(store: LocalRateLimitStore())
        let policy = policy([.budgetUSDPerMonth: 100_000])  // $0.10
        let start = utc(year: 2026, month: 4, day: 30, hour: 18)
        let demand = RateLimitDemand(inputTokens: 1000, maxOutputTokens: 1000)  // at most $0.01875
        for _ in 0..<5 {
            let reservation = try limiter.reserve(subject, demand: demand, policy: policy, now: start)
            limiter.settle(reservation, usage: TokenUsage(inputTokens: 1000, outputTokens: 1000), now: start)
        }
        // $0.09 spent; $0.01875 more does not fit.
        var error: RateLimitError?
        do {
            _ = try limiter.reserve(subject, demand: demand, policy: policy, now: start)
        } catch let refused {
            error = refused
        }
        guard case .limitReached(let refusal) = error else {
            Issue.record("expected limitReached, got \(String(describing: error))")
            return
        }
        #expect(refusal.used == 90_000 && refusal.requested == 18_750 && refusal.limit == 100_000)
        #expect(refusal.retryAfterSeconds == 6 * 3600)
        #expect(error?.openAIType == "insufficient_quota" && error?.openAICode == "insufficient_quota")
        #expect(
            error?.message
                == "Budget reached for USD budget per month (UTC) on tenant 'acme': limit $0.10, used $0.09, "
                + "requested $0.01875. Try again in 6h0m0s."
        )
        // A smaller request still fits.
        _ = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 100, maxOutputTokens: 100),
            policy: policy,
            now: start
        )
        _ = try limiter.reserve(subject, demand: demand, policy: policy, now: utc(year: 2026, month: 5, day: 1))
    }

    @Test func aModelWithoutAPriceIsRefusedUnderABudgetButNotWithoutOne() throws {
        let limiter = RateLimiter(store: LocalRateLimitStore())
        let unpriced = RateLimitSubject(keyName: "team-a", tenant: "acme", model: "gpt-4o")
        var error: RateLimitError?
        do {
            _ = try limiter.reserve(
                unpriced,
                demand: RateLimitDemand(inputTokens: 1, maxOutputTokens: 1),
                policy: policy([.budgetUSDPerDay: 1_000_000, .tokensPerDay: 1000]),
                now: at(0)
            )
        } catch let refused {
            error = refused
        }
        #expect(error == .unpricedModel("gpt-4o"))
        #expect(error?.status == 500)
        let tokensOnly = policy([.tokensPerDay: 1000])
        _ = try limiter.reserve(
            unpriced,
            demand: RateLimitDemand(inputTokens: 1, maxOutputTokens: 1),
            policy: tokensOnly,
            now: at(0)
        )
    }

    @Test func theWorstCaseCostCoversEveryCacheSplit() {
        let price = ModelPrice(
            inputPerMillion: 1_000_000,
            outputPerMillion: 2_000_000,
            cachedInputPerMillion: 100_000,
            cacheCreationPerMillion: 1_250_000
        )
        let demand = RateLimitDemand(inputTokens: 400_000, maxOutputTokens: 100_000)
        let bound = RateLimiter.maximumCost(of: demand, at: price)
        #expect(bound == 700_000)
        for cached in stride(from: 0, through: 400_000, by: 50_000) {
            for written in stride(from: 0, through: 400_000 - cached, by: 50_000) {
                let usage = TokenUsage(
                    inputTokens: 400_000,
                    outputTokens: 100_000,
                    cachedInputTokens: cached,
                    cacheCreationInputTokens: written
                )
                #expect(price.cost(of: usage) <= Int64(bound))
            }
        }
    }
}
