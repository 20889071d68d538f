import Testing

@testable import Gateway

/// The limiter's own logic: which limits apply, merged rules, reloads. The scenarios that go through
/// a counter store (windows, settle, release, cancel, lifetimes, calendar periods) run against the
/// local store and Redis alike in Tests/LimiterRedisTests/RateLimitStoreScenarioTests.
@Suite struct RateLimiterTests {
    let subject = RateLimitSubject(keyName: "team-a", tenant: "acme", model: "gpt-4o")
    let otherKey = RateLimitSubject(keyName: "team-b", tenant: "acme", model: "gpt-4o")

    private func policy(_ rules: [RateLimitRule], prices: PriceTable = .empty) -> RateLimitPolicy {
        RateLimitPolicy(rules: rules, prices: prices)
    }

    private func rule(_ scope: RateLimitScope, _ limits: [RateLimitKind: Int]) -> RateLimitRule {
        RateLimitRule(scope: scope, limits: limits)
    }

    private func tokens(_ count: Int) -> RateLimitDemand {
        RateLimitDemand(inputTokens: count / 2, maxOutputTokens: count - count / 2)
    }

    /// The refusal `body` throws, or nil when it does not.
    private func refusal(_ body: () throws(RateLimitError) -> RateLimitReservation) -> RateLimitError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }

    @Test func noApplicableLimitGivesAnEmptyReservationWithoutTouchingTheStore() throws {
        let store = LocalRateLimitStore()
        let limiter = RateLimiter(store: store)
        let policy = policy([rule(.key("someone-else"), [.tokensPerMinute: 1])])
        let reservation = try limiter.reserve(subject, demand: tokens(1_000_000), policy: policy, now: at(0))
        #expect(reservation.isEmpty)
        #expect(reservation.headers.isEmpty)
        limiter.settle(reservation, usage: TokenUsage(inputTokens: 5), now: at(0))
        #expect(store.pendingCount == 0)
        #expect(try limiter.reserve(subject, demand: tokens(1), policy: .unlimited, now: at(0)).isEmpty)
    }

    /// Over every 60-second span, what is admitted never exceeds the limit: random demands at
    /// random times, each settled at its reservation, checked against every span that ends at
    /// an admission. With 60 buckets instead of 61 this fails.
    private var tenantMinute: RateLimitCounterID {
        RateLimitCounterID(scope: .tenant("acme"), kind: .tokensPerMinute)
    }

    @Test func rulesForOneScopeMergeKeepingTheLowerLimit() {
        let policy = policy([
            rule(.key("team-a"), [.tokensPerMinute: 500, .requestsPerMinute: 9]),
            rule(.key("team-a"), [.tokensPerMinute: 300, .tokensPerDay: 0]),
        ])
        let limits = policy.limits(for: subject)
        #expect(limits.map(\.counter.kind) == [.tokensPerMinute, .requestsPerMinute])
        #expect(limits.map(\.limit) == [300, 9])
        #expect(RateLimitPolicy.unlimited.isEmpty && !policy.isEmpty)
    }

    @Test func theLimitsOfAConfigReloadApplyToUsageAlreadyCounted() throws {
        let store = LocalRateLimitStore()
        let limiter = RateLimiter(store: store)
        let before = policy([rule(.key("team-a"), [.tokensPerDay: 1000])])
        _ = try limiter.reserve(subject, demand: tokens(800), policy: before, now: at(0))
        let lowered = policy([rule(.key("team-a"), [.tokensPerDay: 500])])
        #expect(
            refusal { () throws(RateLimitError) in
                try limiter.reserve(subject, demand: tokens(1), policy: lowered, now: at(1))
            } != nil
        )
        let raised = policy([rule(.key("team-a"), [.tokensPerDay: 2000])])
        _ = try limiter.reserve(subject, demand: tokens(1200), policy: raised, now: at(2))
    }
}
