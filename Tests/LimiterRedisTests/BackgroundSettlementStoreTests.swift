import Foundation
import Gateway
import LimiterRedis
import Synchronization
import Telemetry
import Testing

/// Settlements off the response path: `settle` returns without waiting for the store, the store
/// sees every settlement in order, and `shutdown` applies what is queued.
@Suite struct BackgroundSettlementStoreTests {
    static let counter = RateLimitCounterID(scope: .key("team-a"), kind: .tokensPerMinute)
    static let slot = RateLimitCounterID(scope: .key("team-a"), kind: .concurrentRequests)
    static let now = UnixTime(seconds: 1_700_000_000)

    /// A local store whose settlements wait until `open()`.
    final class GatedStore: RateLimitCounterStore {
        let inner = LocalRateLimitStore()
        private let gate = Mutex(false)

        func open() {
            gate.withLock { $0 = true }
        }

        func reserve(_ charges: [RateLimitCharge], now: UnixTime) -> RateLimitStoreOutcome {
            inner.reserve(charges, now: now)
        }

        func settle(_ ticket: RateLimitTicket, finalAmounts: [Int], now: UnixTime) {
            let deadline = ContinuousClock.now + .seconds(10)
            while !gate.withLock({ $0 }) && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.001)
            }
            inner.settle(ticket, finalAmounts: finalAmounts, now: now)
        }
    }

    static func reserve(_ store: any RateLimitCounterStore) throws -> RateLimitTicket {
        let charges = [
            RateLimitCharge(counter: counter, limit: 1000, amount: 300),
            RateLimitCharge(counter: slot, limit: 10, amount: 1),
        ]
        guard case .reserved(let ticket, _) = store.reserve(charges, now: now) else {
            Issue.record("the reservation was refused")
            throw CancellationError()
        }
        return ticket
    }

    @Test func settleReturnsAtOnceAndShutdownAppliesWhatIsQueued() throws {
        let gated = GatedStore()
        let registry = MetricsRegistry()
        let store = BackgroundSettlementStore(store: gated, registry: registry)
        let tickets = try (0..<3).map { _ in try Self.reserve(store) }
        #expect(gated.inner.used(Self.counter, now: Self.now) == 900)

        let started = ContinuousClock.now
        for ticket in tickets { store.settle(ticket, finalAmounts: [40, 0], now: Self.now) }
        #expect(ContinuousClock.now - started < .seconds(1), "settle waited for the store")
        #expect(gated.inner.used(Self.counter, now: Self.now) == 900, "still held until the store applies it")

        gated.open()
        store.shutdown()
        #expect(gated.inner.used(Self.counter, now: Self.now) == 120)
        #expect(gated.inner.used(Self.slot, now: Self.now) == 0)
        #expect(registry.renderPrometheus().contains("tollgate_ratelimit_settlements_queued 0"))
    }

    @Test func afterShutdownASettlementIsAppliedAtOnce() throws {
        let local = LocalRateLimitStore()
        let store = BackgroundSettlementStore(store: local, registry: MetricsRegistry())
        store.shutdown()
        let ticket = try Self.reserve(store)
        store.settle(ticket, finalAmounts: [7, 0], now: Self.now)
        #expect(local.used(Self.counter, now: Self.now) == 7)
    }
}

extension BackgroundSettlementStoreTests {
    /// A local store that counts how often it is asked to retry what it kept.
    final class RetryCountingStore: RateLimitCounterStore, UnsettledRetrying {
        let inner = LocalRateLimitStore()
        let retries = Atomic<Int>(0)

        func reserve(_ charges: [RateLimitCharge], now: UnixTime) -> RateLimitStoreOutcome {
            inner.reserve(charges, now: now)
        }

        func settle(_ ticket: RateLimitTicket, finalAmounts: [Int], now: UnixTime) {
            inner.settle(ticket, finalAmounts: finalAmounts, now: now)
        }

        func retryUnsettled() {
            retries.add(1, ordering: .relaxed)
        }
    }

    /// Kept settlements are retried after every batch and, with nothing queued, about every
    /// `retryInterval`, so they are applied soon after Redis is back even when traffic has stopped.
    @Test func aRetryingStoreIsAskedAfterEachBatchAndWhileIdle() throws {
        let inner = RetryCountingStore()
        let store = BackgroundSettlementStore(store: inner, registry: MetricsRegistry())
        defer { store.shutdown() }
        store.settle(try Self.reserve(store), finalAmounts: [10, 0], now: Self.now)
        let deadline = ContinuousClock.now + .seconds(10)
        while inner.retries.load(ordering: .relaxed) < 3 && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(inner.retries.load(ordering: .relaxed) >= 3, "one after the batch, then one a second while idle")
        #expect(inner.inner.used(Self.counter, now: Self.now) == 10)
    }
}
