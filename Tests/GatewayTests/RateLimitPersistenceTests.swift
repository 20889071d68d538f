import Testing

@testable import Gateway

/// Counters saved to a snapshot store and restored by a new process.
@Suite struct RateLimitPersistenceTests {
    let subject = RateLimitSubject(keyName: "team-a", tenant: "acme", model: "gpt-4o")
    let policy = RateLimitPolicy(rules: [
        RateLimitRule(
            scope: .tenant("acme"),
            limits: [.tokensPerDay: 1_000_000, .tokensPerMinute: 600_000, .concurrentRequests: 5]
        )
    ])
    let day = RateLimitCounterID(scope: .tenant("acme"), kind: .tokensPerDay)
    let minute = RateLimitCounterID(scope: .tenant("acme"), kind: .tokensPerMinute)

    @Test func aBudgetHalfUsedBeforeARestartIsHalfUsedAfterIt() throws {
        let disk = InMemoryRateLimitSnapshotStore()
        let morning = utc(year: 2026, month: 7, day: 14, hour: 9)
        do {
            let store = LocalRateLimitStore()
            let limiter = RateLimiter(store: store)
            for _ in 0..<5 {
                let reservation = try limiter.reserve(
                    subject,
                    demand: RateLimitDemand(inputTokens: 50_000, maxOutputTokens: 100_000),
                    policy: policy,
                    now: morning
                )
                limiter.settle(reservation, usage: TokenUsage(inputTokens: 60_000, outputTokens: 40_000), now: morning)
            }
            #expect(store.used(day, now: morning) == 500_000)
            #expect(try store.save(to: disk, now: morning) == 2)
            // Nothing changed since: nothing to write.
            #expect(try store.save(to: disk, now: morning) == 0)
        }
        // A new process, ten seconds later.
        let restarted = LocalRateLimitStore()
        let later = morning + .seconds(10)
        #expect(try restarted.restore(from: disk, now: later) == 2)
        #expect(restarted.used(day, now: later) == 500_000)
        #expect(restarted.used(minute, now: later) == 500_000)
        // The minute window restored in place: its bucket left at 9:01:01.
        #expect(restarted.used(minute, now: morning + .seconds(60)) == 500_000)
        #expect(restarted.used(minute, now: morning + .seconds(61)) == 0)
        let limiter = RateLimiter(store: restarted)
        _ = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 250_000, maxOutputTokens: 250_000),
            policy: policy,
            now: later + .seconds(60)
        )
        var error: RateLimitError?
        do {
            _ = try limiter.reserve(
                subject,
                demand: RateLimitDemand(inputTokens: 1, maxOutputTokens: 0),
                policy: policy,
                now: later + .seconds(60)
            )
        } catch let refused {
            error = refused
        }
        guard case .limitReached(let refusal) = error else {
            Issue.record("expected limitReached, got \(String(describing: error))")
            return
        }
        #expect(refusal.counter == day && refusal.used == 1_000_000)
    }

    @Test func restoringSkipsWhatExpiredWhileDownAndIsIdempotent() throws {
        let disk = InMemoryRateLimitSnapshotStore()
        let evening = utc(year: 2026, month: 7, day: 14, hour: 23, minute: 59)
        let store = LocalRateLimitStore()
        let limiter = RateLimiter(store: store)
        _ = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 100, maxOutputTokens: 0),
            policy: policy,
            now: evening
        )
        try store.save(to: disk, now: evening)
        let restarted = LocalRateLimitStore()
        let nextDay = evening + .seconds(120)
        #expect(try restarted.restore(from: disk, now: nextDay) == 0)
        #expect(restarted.used(day, now: nextDay) == 0)
        let again = LocalRateLimitStore()
        try again.restore(from: disk, now: evening)
        try again.restore(from: disk, now: evening)
        #expect(again.used(day, now: evening) == 100)
        // In-flight counts are not persisted: they end with the process.
        #expect(again.used(RateLimitCounterID(scope: .tenant("acme"), kind: .concurrentRequests), now: evening) == 0)
    }

    @Test func aFailedSaveIsRetriedByTheNextOneAndAnEmptiedCounterIsDropped() throws {
        let disk = InMemoryRateLimitSnapshotStore()
        let store = LocalRateLimitStore()
        let limiter = RateLimiter(store: store)
        let now = utc(year: 2026, month: 7, day: 14, hour: 9)
        let reservation = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 100, maxOutputTokens: 0),
            policy: policy,
            now: now
        )
        disk.setFailing(true)
        #expect(throws: RateLimitStoreError.self) { try store.save(to: disk, now: now) }
        disk.setFailing(false)
        #expect(try store.save(to: disk, now: now) == 2)
        #expect(try disk.loadRateLimitCounters().count == 2)
        // Cancelled: both counters are empty again, and saving removes them.
        limiter.cancel(reservation, now: now)
        #expect(try store.save(to: disk, now: now) == 2)
        #expect(try disk.loadRateLimitCounters().isEmpty)
    }

    @Test func aSnapshotHoldsReservationsInFlightAsReserved() throws {
        let disk = InMemoryRateLimitSnapshotStore()
        let store = LocalRateLimitStore()
        let now = utc(year: 2026, month: 7, day: 14, hour: 9)
        _ = try RateLimiter(store: store).reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 100, maxOutputTokens: 900),
            policy: policy,
            now: now
        )
        try store.save(to: disk, now: now)
        let saved = try disk.loadRateLimitCounters().first { $0.counter == day }
        #expect(saved?.buckets == [RateLimitBucket(period: RateLimitWindow.utcDay.period(at: now), amount: 1000)])
    }
}
