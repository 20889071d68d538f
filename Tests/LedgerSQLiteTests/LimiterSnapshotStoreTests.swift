import Foundation
import Gateway
import Testing

@testable import LedgerSQLite

/// The limiter's counters in SQLite: round trips, replacement, pruning, a restart through a real
/// file, and sharing the file with the ledger.
@Suite struct LimiterSnapshotStoreTests {
    let noon = UnixTime(iso8601: "2026-07-14T12:00:00Z")!

    private func counter(_ scope: RateLimitScope, _ kind: RateLimitKind) -> RateLimitCounterID {
        RateLimitCounterID(scope: scope, kind: kind)
    }

    @Test func countersRoundTripWithEveryScopeShape() throws {
        let directory = try TemporaryDirectory()
        let store = try LimiterSnapshotStore(path: directory.file("tollgate.db"))
        let day = RateLimitWindow.utcDay.period(at: noon)
        let minute = RateLimitWindow.minute.period(at: noon)
        let snapshots = [
            RateLimitCounterSnapshot(
                counter: counter(.key("team-a"), .tokensPerMinute),
                buckets: [RateLimitBucket(period: minute - 3, amount: 7), RateLimitBucket(period: minute, amount: 9)]
            ),
            RateLimitCounterSnapshot(
                counter: counter(.keyModel(key: "team'a\"", model: "gpt-4o/β"), .budgetUSDPerDay),
                buckets: [RateLimitBucket(period: day, amount: 1_234_567)]
            ),
            RateLimitCounterSnapshot(
                counter: counter(.tenant("acme"), .tokensPerMonth),
                buckets: [RateLimitBucket(period: RateLimitWindow.utcMonth.period(at: noon), amount: 1 << 40)]
            ),
            RateLimitCounterSnapshot(
                counter: counter(.model("gpt-4o"), .requestsPerMinute),
                buckets: [RateLimitBucket(period: minute, amount: 3)]
            ),
        ]
        try store.saveRateLimitCounters(snapshots, now: noon)
        let loaded = try store.loadRateLimitCounters()
        #expect(Set(loaded) == Set(snapshots))
        #expect(loaded.count == 4)
    }

    @Test func savingReplacesACounterAndPrunesWhatExpired() throws {
        let directory = try TemporaryDirectory()
        let store = try LimiterSnapshotStore(path: directory.file("tollgate.db"))
        let id = counter(.key("k"), .tokensPerMinute)
        let other = counter(.key("k"), .tokensPerHour)
        let minute = RateLimitWindow.minute.period(at: noon)
        let hour = RateLimitWindow.hour.period(at: noon)
        try store.saveRateLimitCounters(
            [
                RateLimitCounterSnapshot(
                    counter: id,
                    buckets: [
                        RateLimitBucket(period: minute - 1, amount: 1), RateLimitBucket(period: minute, amount: 2),
                    ]
                ),
                RateLimitCounterSnapshot(counter: other, buckets: [RateLimitBucket(period: hour, amount: 5)]),
            ],
            now: noon
        )
        try store.saveRateLimitCounters(
            [RateLimitCounterSnapshot(counter: id, buckets: [RateLimitBucket(period: minute, amount: 4)])],
            now: noon
        )
        #expect(
            Set(try store.loadRateLimitCounters()) == [
                RateLimitCounterSnapshot(counter: id, buckets: [RateLimitBucket(period: minute, amount: 4)]),
                RateLimitCounterSnapshot(counter: other, buckets: [RateLimitBucket(period: hour, amount: 5)]),
            ]
        )
        // An emptied counter is removed; a save 61 s on prunes the minute bucket of any counter.
        try store.saveRateLimitCounters([RateLimitCounterSnapshot(counter: other, buckets: [])], now: noon)
        #expect(try store.loadRateLimitCounters().map(\.counter) == [id])
        try store.saveRateLimitCounters([], now: noon + .seconds(61))
        #expect(try store.loadRateLimitCounters().isEmpty)
        // Buckets already expired are not written at all.
        try store.saveRateLimitCounters(
            [RateLimitCounterSnapshot(counter: id, buckets: [RateLimitBucket(period: minute - 100, amount: 1)])],
            now: noon
        )
        #expect(try store.loadRateLimitCounters().isEmpty)
    }

    @Test func aBudgetHalfUsedBeforeARestartIsHalfUsedAfterIt() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("tollgate.db")
        let policy = RateLimitPolicy(
            rules: [
                RateLimitRule(
                    scope: .tenant("acme"),
                    limits: [.budgetUSDPerMonth: 10_000_000, .tokensPerDay: 10_000_000]
                )
            ],
            prices: PriceTable([
                PriceTable.Entry(
                    model: ModelPattern("gpt-4o"),
                    price: ModelPrice(inputPerMillion: 2_500_000, outputPerMillion: 10_000_000)
                )
            ])
        )
        let subject = RateLimitSubject(keyName: "team-a", tenant: "acme", model: "gpt-4o")
        let budget = counter(.tenant("acme"), .budgetUSDPerMonth)
        do {
            let counters = LocalRateLimitStore()
            let limiter = RateLimiter(store: counters)
            // 1M input ($2.50) + 250k output ($2.50) = $5: half of the month's $10.
            let reservation = try limiter.reserve(
                subject,
                demand: RateLimitDemand(inputTokens: 1_000_000, maxOutputTokens: 500_000),
                policy: policy,
                now: noon
            )
            limiter.settle(reservation, usage: TokenUsage(inputTokens: 1_000_000, outputTokens: 250_000), now: noon)
            #expect(counters.used(budget, now: noon) == 5_000_000)
            let disk = try LimiterSnapshotStore(path: path)
            #expect(try counters.save(to: disk, now: noon) == 2)
        }
        // A new process on the same file, a minute later.
        let later = noon + .seconds(60)
        let disk = try LimiterSnapshotStore(path: path)
        let counters = LocalRateLimitStore()
        #expect(try counters.restore(from: disk, now: later) == 2)
        #expect(counters.used(budget, now: later) == 5_000_000)
        let limiter = RateLimiter(store: counters)
        let demand = RateLimitDemand(inputTokens: 1_000_000, maxOutputTokens: 300_000)  // at most $5.50
        var error: RateLimitError?
        do {
            _ = try limiter.reserve(subject, demand: demand, policy: policy, now: later)
        } catch let refused {
            error = refused
        }
        guard case .limitReached(let refusal) = error else {
            Issue.record("expected limitReached, got \(String(describing: error))")
            return
        }
        #expect(refusal.counter == budget && refusal.used == 5_000_000 && refusal.requested == 5_500_000)
        _ = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 1_000_000, maxOutputTokens: 250_000),
            policy: policy,
            now: later
        )
    }

    @Test func theLedgerAndTheLimiterShareOneFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("tollgate.db")
        let ledger = try LedgerStore(path: path)
        let limiter = try LimiterSnapshotStore(path: path)
        try ledger.insert([SampleRecords.record(0)])
        let snapshot = RateLimitCounterSnapshot(
            counter: counter(.key("k"), .tokensPerDay),
            buckets: [RateLimitBucket(period: RateLimitWindow.utcDay.period(at: noon), amount: 5)]
        )
        try limiter.saveRateLimitCounters([snapshot], now: noon)
        #expect(try ledger.count() == 1)
        #expect(try limiter.loadRateLimitCounters() == [snapshot])
        #expect(try ledger.connection.schemaVersion("ratelimit") == LimiterSchema.currentVersion)
        #expect(try ledger.connection.schemaVersion("ledger") == LedgerSchema.currentVersion)
        // Opening again migrates nothing and keeps the rows.
        #expect(try LimiterSnapshotStore(path: path).loadRateLimitCounters() == [snapshot])
    }

    @Test func rowsFromANewerReleaseAreSkippedAndSQLiteErrorsBecomeStoreErrors() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("tollgate.db")
        let store = try LimiterSnapshotStore(path: path)
        let other = try SQLiteConnection(path: path)
        try other.prepare(
            "INSERT INTO ratelimit_buckets VALUES ('key', 'k', '', 'tokens_per_fortnight', 1, 5, 9999999999999)"
        ).run()
        try other.prepare(
            "INSERT INTO ratelimit_buckets VALUES ('org', 'k', '', 'tokens_per_day', 1, 5, 9999999999999)"
        ).run()
        try other.prepare(
            "INSERT INTO ratelimit_buckets VALUES ('key', 'k', '', 'tokens_per_day', 20000, 5, 9999999999999)"
        ).run()
        #expect(
            try store.loadRateLimitCounters() == [
                RateLimitCounterSnapshot(
                    counter: counter(.key("k"), .tokensPerDay),
                    buckets: [RateLimitBucket(period: 20000, amount: 5)]
                )
            ]
        )
        try other.execute("DROP TABLE ratelimit_buckets")
        #expect(throws: RateLimitStoreError.self) { try store.loadRateLimitCounters() }
        #expect(throws: SQLiteError.self) { try LimiterSnapshotStore(path: directory.file("missing/dir/x.db")) }
    }
}
