import Testing

@testable import Gateway
@testable import LimiterRedis

/// The limiter's scenarios (windows rolling under a clock moved by hand, all-or-none, settle,
/// release, cancel, concurrency, lifetimes, calendar periods, budgets) against the local store and
/// against Redis, with the same expectations: the two stores must agree to the millisecond. These
/// are the local store's limiter tests too (Tests/GatewayTests/RateLimiterTests keeps only what
/// involves no store).
struct RateLimitStoreScenarioTests {
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

    private func refusal(_ body: () throws(RateLimitError) -> RateLimitReservation) -> RateLimitError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: StoreKind.available)
    func aMinuteWindowRollsAndRetryAfterPointsAtTheBucketThatFreesEnough(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind)
        let limiter = store.limiter
        let policy = policy([rule(.key("team-a"), [.tokensPerMinute: 1000])])
        var now = at(1_000_000)
        let first = try limiter.reserve(subject, demand: tokens(600), policy: policy, now: now)
        limiter.settle(first, usage: TokenUsage(inputTokens: 300, outputTokens: 300), now: now)
        now = now + .seconds(30)
        _ = try limiter.reserve(subject, demand: tokens(300), policy: policy, now: now)
        now = now + .seconds(10)
        let error = refusal { () throws(RateLimitError) in
            try limiter.reserve(subject, demand: tokens(200), policy: policy, now: now)
        }
        guard case .limitReached(let refused) = error else {
            Issue.record("expected limitReached, got \(String(describing: error))")
            return
        }
        #expect(refused.limit == 1000 && refused.used == 900 && refused.requested == 200)
        #expect(refused.retryAfterSeconds == 21)
        #expect(refused.resetMilliseconds == 51_000)
        #expect(try limiter.reserve(otherKey, demand: tokens(5000), policy: policy, now: now).isEmpty)
        now = now + .seconds(20)
        #expect(store.used(refused.counter, now: now) == 900)
        now = now + .seconds(1)
        #expect(store.used(refused.counter, now: now) == 300)
        _ = try limiter.reserve(subject, demand: tokens(700), policy: policy, now: now)
    }

    /// Over every 60-second span, what is admitted never exceeds the limit.
    @Test(arguments: StoreKind.available)
    func noSixtySecondSpanAdmitsMoreThanTheLimit(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind)
        var generator = SplitMix64(seed: 42)
        let limiter = store.limiter
        let policy = policy([rule(.key("team-a"), [.tokensPerMinute: 10_000])])
        var now: Int64 = 5_000_000
        var admitted: [(time: Int64, amount: Int)] = []
        for _ in 0..<1500 {
            now += Int64(generator.next() % 900)
            let amount = Int(generator.next() % 3000) + 1
            guard
                let reservation = try? limiter.reserve(
                    subject,
                    demand: RateLimitDemand(inputTokens: amount, maxOutputTokens: 0),
                    policy: policy,
                    now: at(now)
                )
            else { continue }
            limiter.settle(reservation, usage: TokenUsage(inputTokens: amount), now: at(now))
            admitted.append((now, amount))
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
        #expect(worst <= 10_000 && worst > 9_000)
    }

    @Test(arguments: StoreKind.available)
    func settlementReplacesTheReservationAndReleasesTheRest(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind)
        let limiter = store.limiter
        let policy = policy([rule(.tenant("acme"), [.tokensPerHour: 10_000, .requestsPerMinute: 100])])
        let counter = RateLimitCounterID(scope: .tenant("acme"), kind: .tokensPerHour)
        let reservation = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 2000, maxOutputTokens: 4000),
            policy: policy,
            now: at(0)
        )
        #expect(store.used(counter, now: at(0)) == 6000)
        #expect(store.pendingCount == 1)
        limiter.settle(reservation, usage: TokenUsage(inputTokens: 1800, outputTokens: 200), now: at(30_000))
        #expect(store.used(counter, now: at(30_000)) == 2000)
        #expect(store.pendingCount == 0)
        limiter.settle(reservation, usage: TokenUsage(inputTokens: 1), now: at(30_000))
        limiter.release(reservation, now: at(30_000))
        limiter.cancel(reservation, now: at(30_000))
        #expect(store.used(counter, now: at(30_000)) == 2000)
        let requests = RateLimitCounterID(scope: .tenant("acme"), kind: .requestsPerMinute)
        #expect(store.used(requests, now: at(30_000)) == 1)
        #expect(store.used(counter, now: at(61 * 60_000 - 1)) == 2000)
        #expect(store.used(counter, now: at(61 * 60_000)) == 0)
    }

    @Test(arguments: StoreKind.available)
    func usageBeyondTheReservationIsChargedEvenAfterItsBucketLeftTheWindow(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind)
        let limiter = store.limiter
        let policy = policy([rule(.key("team-a"), [.tokensPerMinute: 1000])])
        let counter = RateLimitCounterID(scope: .key("team-a"), kind: .tokensPerMinute)
        let small = try limiter.reserve(subject, demand: tokens(100), policy: policy, now: at(0))
        limiter.settle(small, usage: TokenUsage(inputTokens: 150), now: at(1000))
        #expect(store.used(counter, now: at(1000)) == 150)
        let long = try limiter.reserve(subject, demand: tokens(100), policy: policy, now: at(60_000))
        limiter.settle(long, usage: TokenUsage(inputTokens: 200, outputTokens: 50), now: at(180_000))
        #expect(store.used(counter, now: at(180_000)) == 150)
        #expect(store.used(counter, now: at(240_999)) == 150)
        #expect(store.used(counter, now: at(241_000)) == 0)
    }

    @Test(arguments: StoreKind.available)
    func releaseKeepsWhatWasConsumedAndTheRequestCancelGivesEverythingBack(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind)
        let limiter = store.limiter
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
        limiter.release(aborted, consumed: TokenUsage(inputTokens: 1200, outputTokens: 340), now: at(5000))
        #expect(store.used(tokens, now: at(5000)) == 1540 + 8000)
        #expect(store.used(inFlight, now: at(5000)) == 1)
        limiter.cancel(refusedLater, now: at(5000))
        #expect(store.used(tokens, now: at(5000)) == 1540)
        #expect(store.used(inFlight, now: at(5000)) == 0)
        #expect(store.used(requests, now: at(5000)) == 1)
    }

    @Test(arguments: StoreKind.available)
    func concurrentRequestsCountReservationsInFlight(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind)
        let limiter = store.limiter
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
        limiter.settle(first, usage: TokenUsage(outputTokens: 3), now: at(100))
        let third = try limiter.reserve(subject, demand: tokens(10), policy: policy, now: at(100))
        limiter.release(second, now: at(200))
        limiter.release(third, now: at(200))
        _ = try limiter.reserve(subject, demand: tokens(10), policy: policy, now: at(200))
        _ = try limiter.reserve(subject, demand: tokens(10), policy: policy, now: at(200))
    }

    @Test(arguments: StoreKind.available)
    func aLostReservationFreesItsSlotAfterItsLifetimeAndKeepsItsTokens(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind, reservationLifetime: .seconds(100))
        let limiter = store.limiter
        let policy = policy([rule(.key("team-a"), [.concurrentRequests: 1, .tokensPerDay: 1000])])
        let day = RateLimitCounterID(scope: .key("team-a"), kind: .tokensPerDay)
        let lost = try limiter.reserve(subject, demand: tokens(300), policy: policy, now: at(0))
        #expect(
            refusal { () throws(RateLimitError) in
                try limiter.reserve(subject, demand: tokens(1), policy: policy, now: at(99_999))
            } != nil
        )
        store.expireReservations(now: at(100_000))
        #expect(store.pendingCount == 0)
        let next = try limiter.reserve(subject, demand: tokens(1), policy: policy, now: at(100_000))
        #expect(store.used(day, now: at(100_000)) == 301)
        limiter.settle(lost, usage: TokenUsage(), now: at(100_001))
        #expect(store.used(day, now: at(100_001)) == 301)
        limiter.settle(next, usage: TokenUsage(inputTokens: 1), now: at(100_001))
    }

    @Test(arguments: StoreKind.available)
    func aDayLimitResetsAtUTCMidnightAndAMonthLimitOnTheFirst(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind)
        let limiter = store.limiter
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
        let midnight = utc(year: 2026, month: 2, day: 1)
        _ = try limiter.reserve(subject, demand: tokens(1000), policy: policy, now: midnight)
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
        #expect(monthRefusal.retryAfterSeconds == (26 * 24 + 18) * 3600)
        _ = try limiter.reserve(otherKey, demand: tokens(600), policy: policy, now: utc(year: 2026, month: 3, day: 1))
    }

    @Test(arguments: StoreKind.available)
    func aReservationIsAllOrNothingAcrossScopesAndNamesTheFirstRefusingLimit(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind)
        let limiter = store.limiter
        let policy = policy([
            rule(.tenant("acme"), [.tokensPerMinute: 1000]),
            rule(.key("team-a"), [.tokensPerMinute: 5000, .requestsPerMinute: 2]),
            rule(.keyModel(key: "team-a", model: "gpt-4o"), [.tokensPerHour: 800]),
        ])
        let key = RateLimitCounterID(scope: .key("team-a"), kind: .tokensPerMinute)
        let tenant = RateLimitCounterID(scope: .tenant("acme"), kind: .tokensPerMinute)
        let keyModel = RateLimitCounterID(scope: .keyModel(key: "team-a", model: "gpt-4o"), kind: .tokensPerHour)
        _ = try limiter.reserve(subject, demand: tokens(700), policy: policy, now: at(0))
        let error = refusal { () throws(RateLimitError) in
            try limiter.reserve(otherKey, demand: tokens(400), policy: policy, now: at(0))
        }
        guard case .limitReached(let refused) = error else {
            Issue.record("expected limitReached, got \(String(describing: error))")
            return
        }
        #expect(refused.counter == tenant && refused.used == 700)
        let keyFirst = refusal { () throws(RateLimitError) in
            try limiter.reserve(subject, demand: tokens(400), policy: policy, now: at(0))
        }
        guard case .limitReached(let first) = keyFirst else {
            Issue.record("expected limitReached, got \(String(describing: keyFirst))")
            return
        }
        #expect(first.counter == keyModel)
        #expect(store.used(key, now: at(0)) == 700)
        #expect(store.used(RateLimitCounterID(scope: .key("team-a"), kind: .requestsPerMinute), now: at(0)) == 1)
        #expect(store.used(tenant, now: at(0)) == 700)
        #expect(store.used(keyModel, now: at(0)) == 700)
    }

    @Test(arguments: StoreKind.available)
    func aReservationLargerThanTheLimitItselfIsRefusedAsTooLarge(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind)
        let policy = policy([rule(.key("team-a"), [.tokensPerMinute: 4000])])
        let error = refusal { () throws(RateLimitError) in
            try store.limiter.reserve(
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
    }

    @Test(arguments: StoreKind.available)
    func anExhaustedBudgetRefusesUntilTheNextPeriodAndSettlesAtTheExactCost(_ kind: StoreKind) throws {
        let store = try StoreUnderTest(kind)
        let limiter = store.limiter
        let prices = PriceTable([
            PriceTable.Entry(
                model: ModelPattern("gpt-*"),
                price: ModelPrice(inputPerMillion: 3_000_000, outputPerMillion: 15_000_000)
            )
        ])
        let policy = policy([rule(.tenant("acme"), [.budgetUSDPerMonth: 100_000])], prices: prices)
        let start = utc(year: 2026, month: 4, day: 30, hour: 18)
        let demand = RateLimitDemand(inputTokens: 1000, maxOutputTokens: 1000)
        for _ in 0..<5 {
            let reservation = try limiter.reserve(subject, demand: demand, policy: policy, now: start)
            #expect(reservation.charges.map(\.amount) == [18_000])
            limiter.settle(reservation, usage: TokenUsage(inputTokens: 1000, outputTokens: 1000), now: start)
        }
        let error = refusal { () throws(RateLimitError) in
            try limiter.reserve(subject, demand: demand, policy: policy, now: start)
        }
        guard case .limitReached(let refusal) = error else {
            Issue.record("expected limitReached, got \(String(describing: error))")
            return
        }
        #expect(refusal.used == 90_000 && refusal.requested == 18_000 && refusal.retryAfterSeconds == 6 * 3600)
        _ = try limiter.reserve(subject, demand: demand, policy: policy, now: utc(year: 2026, month: 5, day: 1))
    }

    /// Random reservations, settlements and clock moves on four counters of every window, run on
    /// both stores in step: every outcome (statuses, buckets, refusals, Retry-After, resets) and
    /// every usage must be equal.
    @Test(.disabled(if: RedisTestServer.skipped, "\(RedisTestServer.skipVariable)=1"))
    func theLocalAndRedisStoresAgreeOnRandomOperations() throws {
        let local = try StoreUnderTest(.local)
        let redis = try StoreUnderTest(.redis)
        var random = SplitMix64(seed: 7)
        let counters: [(RateLimitCounterID, Int)] = [
            (RateLimitCounterID(scope: .key("k"), kind: .tokensPerMinute), 5000),
            (RateLimitCounterID(scope: .tenant("t:1"), kind: .tokensPerHour), 40_000),
            (RateLimitCounterID(scope: .model("m"), kind: .tokensPerDay), 200_000),
            (RateLimitCounterID(scope: .keyModel(key: "k", model: "m"), kind: .concurrentRequests), 4),
            (RateLimitCounterID(scope: .key("k"), kind: .budgetUSDPerMonth), 900_000),
        ]
        var now = utc(year: 2026, month: 1, day: 31, hour: 23, minute: 40).milliseconds
        var held: [(RateLimitTicket, RateLimitTicket)] = []
        for step in 0..<1200 {
            now += Int64(random.next() % 4000)
            if !held.isEmpty, random.next() % 3 == 0 {
                let (a, b) = held.remove(at: Int(random.next() % UInt64(held.count)))
                let finals = a.charges.map { charge in
                    charge.counter.kind == .concurrentRequests ? 0 : Int(random.next() % UInt64(charge.amount * 2 + 1))
                }
                local.store.settle(a, finalAmounts: finals, now: at(now))
                redis.store.settle(b, finalAmounts: finals, now: at(now))
                continue
            }
            let charges = counters.filter { _ in random.next() % 2 == 0 }.map { counter, limit in
                let amount = counter.kind == .concurrentRequests ? 1 : Int(random.next() % UInt64(limit / 4))
                return RateLimitCharge(counter: counter, limit: limit, amount: amount)
            }
            guard !charges.isEmpty else { continue }
            let a = local.store.reserve(charges, now: at(now))
            let b = redis.store.reserve(charges, now: at(now))
            switch (a, b) {
            case (.reserved(let ticketA, let statusesA), .reserved(let ticketB, let statusesB)):
                #expect(statusesA == statusesB, "step \(step)")
                #expect(ticketA.periods == ticketB.periods, "step \(step)")
                held.append((ticketA, ticketB))
            case (.refused(let indexA, let statusA, let retryA), .refused(let indexB, let statusB, let retryB)):
                #expect(indexA == indexB && statusA == statusB && retryA == retryB, "step \(step)")
            default:
                Issue.record("step \(step): local \(a), redis \(b)")
                return
            }
            for (counter, _) in counters {
                #expect(
                    local.used(counter, now: at(now)) == redis.used(counter, now: at(now)),
                    "step \(step) \(counter)"
                )
            }
        }
    }
}
