import Foundation
import Gateway
import InMemoryLogging
import Logging
import Telemetry
import Testing

@testable import LedgerSQLite

/// The timer that saves the limiter's counters, and its last save at shutdown.
@Suite struct LimiterSnapshotWriterTests {
    let subject = RateLimitSubject(keyName: "k", tenant: "t", model: "m")
    let policy = RateLimitPolicy(rules: [RateLimitRule(scope: .key("k"), limits: [.tokensPerDay: 1_000_000])])
    let day = RateLimitCounterID(scope: .key("k"), kind: .tokensPerDay)
    let noon = UnixTime(iso8601: "2026-07-14T12:00:00Z")!

    /// Polls `condition` for up to 10 s.
    private func eventually(_ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date(timeIntervalSinceNow: 10)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return try condition()
    }

    @Test func savesOnItsTimerAndOnceMoreAtShutdown() throws {
        let directory = try TemporaryDirectory()
        let disk = try LimiterSnapshotStore(path: directory.file("tollgate.db"))
        let counters = LocalRateLimitStore()
        let limiter = RateLimiter(store: counters)
        let registry = MetricsRegistry()
        let noon = noon
        let writer = LimiterSnapshotWriter(
            counters: counters,
            store: disk,
            interval: .milliseconds(20),
            registry: registry,
            logger: Logger(label: "test"),
            wallClock: { noon }
        )
        _ = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 10, maxOutputTokens: 0),
            policy: policy,
            now: noon
        )
        #expect(try eventually { try disk.loadRateLimitCounters().first?.buckets.first?.amount == 10 })
        let reservation = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 5, maxOutputTokens: 0),
            policy: policy,
            now: noon
        )
        limiter.settle(reservation, usage: TokenUsage(inputTokens: 7), now: noon)
        #expect(writer.shutdown())
        #expect(writer.shutdown())
        #expect(try disk.loadRateLimitCounters().first?.buckets.first?.amount == 17)
        #expect(registry.counter("tollgate_ratelimit_snapshot_counters_total", help: "").value >= 2)
        // Nothing is saved after shutdown.
        _ = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 100, maxOutputTokens: 0),
            policy: policy,
            now: noon
        )
        Thread.sleep(forTimeInterval: 0.1)
        #expect(try disk.loadRateLimitCounters().first?.buckets.first?.amount == 17)
    }

    @Test func aFailingStoreIsCountedLoggedOnceAndCaughtUpWhenItRecovers() throws {
        let disk = InMemoryRateLimitSnapshotStore()
        let counters = LocalRateLimitStore()
        let limiter = RateLimiter(store: counters)
        let registry = MetricsRegistry()
        let logs = InMemoryLogHandler()
        let noon = noon
        disk.setFailing(true)
        let writer = LimiterSnapshotWriter(
            counters: counters,
            store: disk,
            interval: .milliseconds(10),
            registry: registry,
            logger: Logger(label: "test") { _ in logs },
            wallClock: { noon }
        )
        _ = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 10, maxOutputTokens: 0),
            policy: policy,
            now: noon
        )
        let errors = registry.counter("tollgate_ratelimit_snapshot_errors_total", help: "")
        #expect(eventually { errors.value >= 3 })
        #expect(logs.entries.filter { $0.level == .error }.count == 1)
        disk.setFailing(false)
        #expect(try eventually { try disk.loadRateLimitCounters().first?.counter == day })
        #expect(eventually { logs.entries.contains { $0.level == .info && "\($0.message)".contains("saved again") } })
        #expect(writer.shutdown())
    }
}
