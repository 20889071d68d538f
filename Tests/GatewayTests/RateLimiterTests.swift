import Testing

@testable import Gateway

/// Reserve, settle, release and cancel against the local store, with time moved by hand.
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

    @Test func aMinuteWindowRollsAndRetryAfterPointsAtTheBucketThatFreesEnough() throws {
        let store = LocalRateLimitStore()
        let limiter = RateLimiter(store: store)
        let policy = policy([rule(.key("team-a"), [.tokensPerMinute: 1000])])
        var clock = RateLimitTestClock(at(1_000_000))
        let first = try limiter.reserve(subject, demand: tokens(600), policy: policy, now: clock.now)
        limiter.settle(first, usage: TokenUsage(inputTokens: 300, outputTokens: 300), now: clock.now)
        clock.advance(seconds: 30)
        _ = try limiter.reserve(subject, demand: tokens(300), policy: policy, now: clock.now)
        clock.advance(seconds: 10)
        // 900 counted; 200 more needs the first 600 gone: its bucket (second 1000) leaves at 1061 s.
        let error = refusal { () throws(RateLimitError) in
            try limiter.reserve(subject, demand: tokens(200), policy: policy, now: clock.now)
        }
        guard case .limitReached(let refused) = error else {
            Issue.record("expected limitReached, got \(String(describing: error))")
            return
        }
        #expect(refused.counter == RateLimitCounterID(scope: .key("team-a"), kind: .tokensPerMinute))
        #expect(refused.limit == 1000 && refused.used == 900 && refused.requested == 200)
        #expect(refused.retryAfterSeconds == 21)
        // Another key is not limited by team-a's rule.
        #expect(try limiter.reserve(otherKey, demand: tokens(5000), policy: policy, now: clock.now).isEmpty)
        clock.advance(seconds: 20)
        #expect(store.used(refused.counter, now: clock.now) == 900)
        clock.advance(seconds: 1)
        #expect(store.used(refused.counter, now: clock.now) == 300)
        _ = try limiter.reserve(subject, demand: tokens(700), policy: policy, now: clock.now)
    }

    /// Over every 60-second span, what is admitted never exceeds the limit: random demands at
    /// random times, each settled at its reservation, checked against every span that ends at
    /// an admission. With 60 buckets instead of 61 this fails.
    @Test func noSixtySecondSpanAdmitsMoreThanTheLimit() throws {
        var generator = SplitMix64(seed: 42)
        let limiter = RateLimiter(store: LocalRateLimitStore())
        let policy = policy([rule(.key("team-a"), [.tokensPerMinute: 10_000])])
        var now: Int64 = 5_000_000
        var admitted: [(time: Int64, amount: Int)] = []
        var refusals = 0
        for _ in 0..<4000 {
            now += Int64(generator.next() % 900)
            let amount = Int(generator.next() % 3000) + 1
            do {
                let reservation = try limiter.reserve(
                    subject,
                    demand: RateLimitDemand(inputTokens: amount, maxOutputTokens: 0),
                    policy: policy,
                    now: at(now)
                )
                limiter.settle(reservation, usage: TokenUsage(inputTokens: amount), now: at(now))
                admitted.append((now, amount))
            } catch {
                refusals += 1
            }
        }
        var worst = 0
        var start = 0
        var sum = 0
        for end in admitted.indices {
            sum += admitted[end].amount
            while admitted[start].time <= admitted[end].time - 60_000 {
                sum -= admitted[start].amount
                start += 1
            }
            worst = max(worst, sum)
        }
        #expect(worst <= 10_000)
        #expect(worst > 9_000)  // and the limit is used, not merely never reached
        #expect(refusals > 100)
    }

    @Test func settlementReplacesTheReservationAndReleasesTheRest() throws {
        let store = LocalRateLimitStore()
        let limiter = RateLimiter(store: store)
        let policy = policy([rule(.tenant("acme"), [.tokensPerHour: 10_000, .requestsPerMinute: 100])])
        let counter = RateLimitCounterID(scope: .tenant("acme"), kind: .tokensPerHour)
        let reservation = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 2000, maxOutputTokens: 4000),
            policy: policy,
            now: at(0)
        )
        #expect(reservation.reservedTokens == 6000)
        #expect(store.used(counter, now: at(0)) == 6000)
        #expect(store.pendingCount == 1)
        limiter.settle(reservation, usage: TokenUsage(inputTokens: 1800, outputTokens: 200), now: at(30_000))
        #expect(store.used(counter, now: at(30_000)) == 2000)
        #expect(store.pendingCount == 0)
        // A second settlement of the same reservation changes nothing.
        limiter.settle(reservation, usage: TokenUsage(inputTokens: 1), now: at(30_000))
        limiter.release(reservation, now: at(30_000))
        limiter.cancel(reservation, now: at(30_000))
        #expect(store.used(counter, now: at(30_000)) == 2000)
        let requests = RateLimitCounterID(scope: .tenant("acme"), kind: .requestsPerMinute)
        #expect(store.used(requests, now: at(30_000)) == 1)
        // The amount stays in the bucket of the reservation: gone an hour (61 minutes) later.
        #expect(store.used(counter, now: at(61 * 60_000 - 1)) == 2000)
        #expect(store.used(counter, now: at(61 * 60_000)) == 0)
    }

    @Test func usageBeyondTheReservationIsChargedEvenAfterItsBucketLeftTheWindow() throws {
        let store = LocalRateLimitStore()
        let limiter = RateLimiter(store: store)
        let policy = policy([rule(.key("team-a"), [.tokensPerMinute: 1000])])
        let counter = RateLimitCounterID(scope: .key("team-a"), kind: .tokensPerMinute)
        let small = try limiter.reserve(subject, demand: tokens(100), policy: policy, now: at(0))
        limiter.settle(small, usage: TokenUsage(inputTokens: 150), now: at(1000))
        #expect(store.used(counter, now: at(1000)) == 150)
        // A long stream: reserved at 0 s, settled at 120 s with 250 tokens (150 over its reservation).
        let long = try limiter.reserve(subject, demand: tokens(100), policy: policy, now: at(60_000))
        limiter.settle(long, usage: TokenUsage(inputTokens: 200, outputTokens: 50), now: at(180_000))
        #expect(store.used(counter, now: at(180_000)) == 150)
        #expect(store.buckets(counter, now: at(180_000)) == [RateLimitBucket(period: 180, amount: 150)])
    }

    @Test func releaseKeepsWhatWasConsumedAndTheRequestCancelGivesEverythingBack() throws {
        let store = LocalRateLimitStore()
        let limiter = RateLimiter(store: store)
        let policy = policy([
            rule(.key("team-a"), [.tokensPerDay: 50_000, .requestsPerMinute: 10, .concurrentRequests: 5])
        ])
        let tokens = RateLimitCounterID(scope: .key("team-a"), kind: .tokensPerDay)
        let requests = RateLimitCounterID(scope: .key("team-a"), kind: .requestsPerMinute)
        let inFlight = RateLimitCounterID(scope: .key("team-a"), kind: .concurrentRequests)
        let aborted = try limiter.reserve(subject, demand: self.tokens(8000), policy: policy, now: at(0))
        let refusedLater = try limiter.reserve(subject, demand: self.tokens(8000), policy: policy, now: at(0))
        #expect(store.used(tokens, now: at(0)) == 16_000)
        #expect(store.used(inFlight, now: at(0)) == 2)
        #expect(store.used(requests, now: at(0)) == 2)
        let partial = TokenUsage(inputTokens: 1200, outputTokens: 340, isComplete: false)
        limiter.release(aborted, consumed: partial, now: at(5000))
        #expect(store.used(tokens, now: at(5000)) == 1540 + 8000)
        #expect(store.used(inFlight, now: at(5000)) == 1)
        limiter.cancel(refusedLater, now: at(5000))
        #expect(store.used(tokens, now: at(5000)) == 1540)
        #expect(store.used(inFlight, now: at(5000)) == 0)
        #expect(store.used(requests, now: at(5000)) == 1)
        let failedEarly = try limiter.reserve(subject, demand: self.tokens(8000), policy: policy, now: at(6000))
        limiter.release(failedEarly, now: at(6000))
        #expect(store.used(tokens, now: at(6000)) == 1540)
        #expect(store.used(requests, now: at(6000)) == 2)
    }

    @Test func concurrentRequestsCountReservationsInFlight() throws {
        let limiter = RateLimiter(store: LocalRateLimitStore())
        let policy = policy([rule(.keyModel(key: "team-a", model: "gpt-4o"), [.concurrentRequests: 2])])
        let first = try limiter.reserve(subject, demand: tokens(10), policy: policy, now: at(0))
        let second = try limiter.reserve(subject, demand: tokens(10), policy: policy, now: at(0))
        let error = refusal { () throws(RateLimitError) in
            try limiter.reserve(subject, demand: tokens(10), policy: policy, now: at(0))
        }
        guard case .limitReached(let refused) = error else {
            Issue.record("expected limitReached, got \(String(describing: error))")
            return
        }
        #expect(refused.counter.kind == .concurrentRequests && refused.used == 2 && refused.retryAfterSeconds == 1)
        // Another model is another scope.
        let other = RateLimitSubject(keyName: "team-a", tenant: "acme", model: "claude")
        #expect(try limiter.reserve(other, demand: tokens(10), policy: policy, now: at(0)).isEmpty)
        limiter.settle(first, usage: TokenUsage(outputTokens: 3), now: at(100))
        let third = try limiter.reserve(subject, demand: tokens(10), policy: policy, now: at(100))
        limiter.release(second, now: at(200))
        limiter.release(third, now: at(200))
        _ = try limiter.reserve(subject, demand: tokens(10), policy: policy, now: at(200))
        _ = try limiter.reserve(subject, demand: tokens(10), policy: policy, now: at(200))
    }

    @Test func aLostReservationFreesItsSlotAfterItsLifetimeAndKeepsItsTokens() throws {
        let store = LocalRateLimitStore(reservationLifetime: .seconds(100))
        let limiter = RateLimiter(store: store)
        let policy = policy([rule(.key("team-a"), [.concurrentRequests: 1, .tokensPerDay: 1000])])
        let lost = try limiter.reserve(subject, demand: tokens(300), policy: policy, now: at(0))
        #expect(
            refusal { () throws(RateLimitError) in
                try limiter.reserve(subject, demand: tokens(1), policy: policy, now: at(99_999))
            } != nil
        )
        store.expireReservations(now: at(100_000))
        #expect(store.pendingCount == 0)
        let next = try limiter.reserve(subject, demand: tokens(1), policy: policy, now: at(100_000))
        #expect(store.used(RateLimitCounterID(scope: .key("team-a"), kind: .tokensPerDay), now: at(100_000)) == 301)
        // Settling the expired one now changes nothing.
        limiter.settle(lost, usage: TokenUsage(), now: at(100_001))
        #expect(store.used(RateLimitCounterID(scope: .key("team-a"), kind: .tokensPerDay), now: at(100_001)) == 301)
        limiter.settle(next, usage: TokenUsage(inputTokens: 1), now: at(100_001))
    }

    @Test func aDayLimitResetsAtUTCMidnightAndAMonthLimitOnTheFirst() throws {
        let limiter = RateLimiter(store: LocalRateLimitStore())
        let policy = policy([
            rule(.model("gpt-4o"), [.tokensPerDay: 1000]), rule(.tenant("acme"), [.tokensPerMonth: 1500]),
        ])
        let evening = utc(year: 2026, month: 1, day: 31, hour: 23, minute: 59, second: 30)
        _ = try limiter.reserve(subject, demand: tokens(900), policy: policy, now: evening)
        let error = refusal { () throws(RateLimitError) in
            try limiter.reserve(subject, demand: tokens(200), policy: policy, now: evening + .seconds(10))
        }
        guard case .limitReached(let day) = error else {
            Issue.record("expected limitReached, got \(String(describing: error))")
            return
        }
        #expect(day.counter.kind == .tokensPerDay && day.retryAfterSeconds == 20)
        // After midnight the day is new, but February began too: the month limit is also new.
        let midnight = utc(year: 2026, month: 2, day: 1)
        _ = try limiter.reserve(subject, demand: tokens(1000), policy: policy, now: midnight)
        let monthError = refusal { () throws(RateLimitError) in
            try limiter.reserve(otherKey, demand: tokens(600), policy: policy, now: midnight + .seconds(3600))
        }
        guard case .limitReached(let day2) = monthError else {
            Issue.record("expected limitReached, got \(String(describing: monthError))")
            return
        }
        // The model's day limit is checked before the tenant's month limit.
        #expect(day2.counter.kind == .tokensPerDay && day2.retryAfterSeconds == 23 * 3600)
        let nextDay = utc(year: 2026, month: 2, day: 2, hour: 6)
        let month = refusal { () throws(RateLimitError) in
            try limiter.reserve(otherKey, demand: tokens(600), policy: policy, now: nextDay)
        }
        guard case .limitReached(let monthRefusal) = month else {
            Issue.record("expected limitReached, got \(String(describing: month))")
            return
        }
        #expect(monthRefusal.counter == RateLimitCounterID(scope: .tenant("acme"), kind: .tokensPerMonth))
        #expect(monthRefusal.used == 1000)
        // February 2026 has 28 days: March begins 26 days and 18 hours later.
        #expect(monthRefusal.retryAfterSeconds == (26 * 24 + 18) * 3600)
        _ = try limiter.reserve(otherKey, demand: tokens(600), policy: policy, now: utc(year: 2026, month: 3, day: 1))
    }

    @Test func aReservationIsAllOrNothingAcrossScopesAndNamesTheFirstRefusingLimit() throws {
        let store = LocalRateLimitStore()
        let limiter = RateLimiter(store: store)
        let policy = policy([
            rule(.tenant("acme"), [.tokensPerMinute: 1000]),
            rule(.key("team-a"), [.tokensPerMinute: 5000, .requestsPerMinute: 2]),
            rule(.keyModel(key: "team-a", model: "gpt-4o"), [.tokensPerHour: 800]),
        ])
        let key = RateLimitCounterID(scope: .key("team-a"), kind: .tokensPerMinute)
        let keyModel = RateLimitCounterID(scope: .keyModel(key: "team-a", model: "gpt-4o"), kind: .tokensPerHour)
        let reservation = try limiter.reserve(subject, demand: tokens(700), policy: policy, now: at(0))
        #expect(reservation.charges.map(\.counter) == [keyModel, key, key.with(.requestsPerMinute), tenantMinute])
        // team-b shares the tenant's 1000: 400 more does not fit, and nothing of it is counted.
        let error = refusal { () throws(RateLimitError) in
            try limiter.reserve(otherKey, demand: tokens(400), policy: policy, now: at(0))
        }
        guard case .limitReached(let refused) = error else {
            Issue.record("expected limitReached, got \(String(describing: error))")
            return
        }
        #expect(refused.counter == tenantMinute && refused.used == 700)
        // team-a is refused by its key-with-model hour limit first, though the tenant's would refuse too.
        let keyFirst = refusal { () throws(RateLimitError) in
            try limiter.reserve(subject, demand: tokens(400), policy: policy, now: at(0))
        }
        guard case .limitReached(let first) = keyFirst else {
            Issue.record("expected limitReached, got \(String(describing: keyFirst))")
            return
        }
        #expect(first.counter == keyModel)
        #expect(store.used(key, now: at(0)) == 700)
        #expect(store.used(key.with(.requestsPerMinute), now: at(0)) == 1)
        #expect(store.used(tenantMinute, now: at(0)) == 700)
        #expect(store.used(keyModel, now: at(0)) == 700)
    }

    private var tenantMinute: RateLimitCounterID {
        RateLimitCounterID(scope: .tenant("acme"), kind: .tokensPerMinute)
    }

    @Test func aReservationLargerThanTheLimitItselfIsRefusedAsTooLarge() throws {
        let limiter = RateLimiter(store: LocalRateLimitStore())
        let policy = policy([rule(.key("team-a"), [.tokensPerMinute: 4000])])
        let error = refusal { () throws(RateLimitError) in
            try limiter.reserve(
                subject,
                demand: RateLimitDemand(inputTokens: 100, maxOutputTokens: 4096),
                policy: policy,
                now: at(0)
            )
        }
        guard case .exceedsLimit(let refused) = error else {
            Issue.record("expected exceedsLimit, got \(String(describing: error))")
            return
        }
        #expect(refused.requested == 4196 && refused.used == 0)
        #expect(error?.retryAfterSeconds == nil)
        #expect(error?.status == 429)
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

extension RateLimitCounterID {
    fileprivate func with(_ kind: RateLimitKind) -> RateLimitCounterID {
        RateLimitCounterID(scope: scope, kind: kind)
    }
}
