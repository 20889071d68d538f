import Foundation
import Logging
import Synchronization
import Telemetry
import Testing

@testable import Gateway
@testable import LimiterRedis

/// What only the Redis store has: replicas sharing counters, threads racing for them, the script
/// cache lost, Redis going away and coming back, the local fallback, keys and their TTLs.
@Suite(.disabled(if: RedisTestServer.skipped, "\(RedisTestServer.skipVariable)=1"))
struct RedisRateLimitStoreTests {
    let subject = RateLimitSubject(keyName: "team-a", tenant: "acme", model: "gpt-4o")

    private func store(
        _ server: RedisTestServer,
        timeout: Duration = .milliseconds(200),
        maximumUnsettled: Int = RedisRateLimitStore.defaultMaximumUnsettled,
        registry: MetricsRegistry = MetricsRegistry()
    ) -> RedisRateLimitStore {
        RedisRateLimitStore(
            endpoint: RedisEndpoint(host: "127.0.0.1", port: server.port, timeout: timeout),
            maximumUnsettled: maximumUnsettled,
            registry: registry,
            logger: Logger(label: "test")
        )
    }

    private func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for index in 0..<count {
            group.enter()
            Thread {
                start.wait()
                body(index)
                group.leave()
            }.start()
        }
        for _ in 0..<count { start.signal() }
        group.wait()
    }

    private func raw(_ server: RedisTestServer, _ arguments: [String]) throws -> RedisReply {
        try RedisConnection(host: "127.0.0.1", port: server.port, timeout: .seconds(1)).command(arguments)
    }

    /// Two stores (two replicas) with four threads each, racing for rounds of a 100-token budget:
    /// no round admits more than its budget, and Redis holds exactly what was admitted.
    @Test func eightThreadsOnTwoReplicasNeverAdmitMoreThanTheBudget() throws {
        let server = try RedisTestServer()
        let replicas = [store(server), store(server)]
        let limit = 100
        let rounds = 40
        let policy = RateLimitPolicy(
            rules: (0..<rounds).map { RateLimitRule(scope: .tenant("t\($0)"), limits: [.tokensPerMinute: limit]) }
        )
        let now = at(1_000_000)
        let admitted = Mutex(Array(repeating: 0, count: rounds))
        onThreads(8) { thread in
            let limiter = RateLimiter(store: replicas[thread % 2])
            var random = SplitMix64(seed: UInt64(thread) + 1)
            var mine = Array(repeating: 0, count: rounds)
            for round in 0..<rounds {
                let subject = RateLimitSubject(keyName: "key-\(thread)", tenant: "t\(round)", model: "m")
                for _ in 0..<8 {
                    let amount = Int(random.next() % 10) + 1
                    if (try? limiter.reserve(
                        subject,
                        demand: RateLimitDemand(inputTokens: amount, maxOutputTokens: 0),
                        policy: policy,
                        now: now
                    )) != nil {
                        mine[round] += amount
                    }
                }
            }
            admitted.withLock { totals in
                for round in 0..<rounds { totals[round] += mine[round] }
            }
        }
        let totals = admitted.withLock { $0 }
        #expect(totals.allSatisfy { $0 <= limit }, "over the budget: \(totals)")
        #expect(totals.allSatisfy { $0 > limit - 10 })
        for round in 0..<rounds {
            let counter = RateLimitCounterID(scope: .tenant("t\(round)"), kind: .tokensPerMinute)
            #expect(try replicas[round % 2].used(counter, now: now) == totals[round])
        }
    }

    @Test func concurrentSlotsOnTwoReplicasNeverExceedTheirLimit() throws {
        let server = try RedisTestServer()
        let replicas = [store(server), store(server)]
        let policy = RateLimitPolicy(rules: [RateLimitRule(scope: .model("m"), limits: [.concurrentRequests: 3])])
        let inFlight = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let admitted = Atomic<Int>(0)
        onThreads(8) { thread in
            let limiter = RateLimiter(store: replicas[thread % 2])
            let subject = RateLimitSubject(keyName: "k\(thread)", tenant: "t", model: "m")
            for _ in 0..<200 {
                guard
                    let reservation = try? limiter.reserve(
                        subject,
                        demand: RateLimitDemand(inputTokens: 1, maxOutputTokens: 1),
                        policy: policy,
                        now: at(0)
                    )
                else { continue }
                peak.max(inFlight.add(1, ordering: .relaxed).newValue, ordering: .relaxed)
                admitted.add(1, ordering: .relaxed)
                inFlight.subtract(1, ordering: .relaxed)
                limiter.settle(reservation, usage: TokenUsage(inputTokens: 1), now: at(0))
            }
        }
        #expect(peak.load(ordering: .relaxed) <= 3)
        #expect(admitted.load(ordering: .relaxed) > 50)
        #expect(
            try replicas[0].used(RateLimitCounterID(scope: .model("m"), kind: .concurrentRequests), now: at(0)) == 0
        )
        #expect(try replicas[1].pendingCount() == 0)
    }

    /// SCRIPT FLUSH between calls: the next EVALSHA gets NOSCRIPT, and EVAL runs (and caches) it.
    @Test func aFlushedScriptCacheIsRecoveredWithEval() throws {
        let server = try RedisTestServer()
        let store = store(server)
        let limiter = RateLimiter(store: store)
        let policy = RateLimitPolicy(rules: [RateLimitRule(scope: .key("team-a"), limits: [.tokensPerDay: 100])])
        let first = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 10, maxOutputTokens: 0),
            policy: policy,
            now: at(0)
        )
        #expect(try raw(server, ["SCRIPT", "FLUSH"]) == .status("OK"))
        limiter.settle(first, usage: TokenUsage(inputTokens: 5), now: at(1))
        #expect(try raw(server, ["SCRIPT", "FLUSH"]) == .status("OK"))
        _ = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 10, maxOutputTokens: 0),
            policy: policy,
            now: at(2)
        )
        #expect(try store.used(RateLimitCounterID(scope: .key("team-a"), kind: .tokensPerDay), now: at(2)) == 15)
        #expect(try raw(server, ["SCRIPT", "EXISTS", RedisRateLimitScripts.reserve.sha1]) == .array([.integer(1)]))
    }

    /// Redis stopped: reservations are `.unavailable` within the timeout, then at once while backing
    /// off; the gauge and the error counter say so; after a restart the store reconnects by itself.
    @Test func redisDownIsUnavailableQuicklyAndTheStoreReconnectsAfterARestart() throws {
        let server = try RedisTestServer()
        let registry = MetricsRegistry()
        let store = store(server, timeout: .milliseconds(50), registry: registry)
        let charges = [
            RateLimitCharge(counter: RateLimitCounterID(scope: .key("k"), kind: .tokensPerMinute), limit: 10, amount: 1)
        ]
        guard case .reserved = store.reserve(charges, now: at(0)) else {
            Issue.record("expected a reservation while Redis is up")
            return
        }
        #expect(registry.gauge("tollgate_ratelimit_redis_up", help: "").value == 1)
        server.stop()
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<20 {
                guard case .unavailable = store.reserve(charges, now: at(1)) else {
                    Issue.record("expected unavailable while Redis is down")
                    return
                }
            }
        }
        // The first call notices (a refused connect is immediate, a timeout is 50 ms); the rest back off.
        #expect(elapsed < .milliseconds(500))
        #expect(registry.gauge("tollgate_ratelimit_redis_up", help: "").value == 0)
        let errors = registry.counter("tollgate_ratelimit_redis_errors_total", help: "", labels: [("op", "reserve")])
        #expect(errors.value == 20)
        try server.start()
        let deadline = ContinuousClock.now + .seconds(10)
        var recovered = false
        while ContinuousClock.now < deadline {
            if case .reserved = store.reserve(charges, now: at(2)) {
                recovered = true
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(recovered)
        #expect(registry.gauge("tollgate_ratelimit_redis_up", help: "").value == 1)
        #expect(registry.renderPrometheus().contains("tollgate_ratelimit_redis_seconds_count{op=\"reserve\"}"))
    }

    /// A settlement Redis missed (it was down when the response ended) is kept and applied once it is
    /// back with its data: the in-flight slot is free again and the window holds the exact usage,
    /// instead of both staying as reserved until the ticket expires an hour later.
    @Test func aSettlementMissedDuringAnOutageIsAppliedWhenRedisIsBack() throws {
        let server = try RedisTestServer(persistent: true)
        let store = store(server, timeout: .milliseconds(50))
        let tokens = RateLimitCounterID(scope: .key("k"), kind: .tokensPerMinute)
        let slot = RateLimitCounterID(scope: .key("k"), kind: .concurrentRequests)
        let charges = [
            RateLimitCharge(counter: tokens, limit: 1000, amount: 300),
            RateLimitCharge(counter: slot, limit: 1, amount: 1),
        ]
        guard case .reserved(let ticket, _) = store.reserve(charges, now: at(0)) else {
            Issue.record("expected a reservation while Redis is up")
            return
        }
        server.stop()
        store.settle(ticket, finalAmounts: [42, 0], now: at(1))
        store.retryUnsettled()
        #expect(store.unsettledCount == 1, "kept while Redis is down")

        try server.start()
        // Another replica's view; this store's connections may still be backing off.
        let other = self.store(server)
        #expect(try other.used(tokens, now: at(2)) == 300, "Redis came back with the reservation")
        let deadline = ContinuousClock.now + .seconds(10)
        while store.unsettledCount > 0 && ContinuousClock.now < deadline {
            store.retryUnsettled()
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(store.unsettledCount == 0)
        #expect(try other.used(tokens, now: at(2)) == 42)
        guard case .reserved = store.reserve([charges[1]], now: at(2)) else {
            Issue.record("the in-flight slot is still held")
            return
        }
        store.retryUnsettled()
        #expect(try other.used(tokens, now: at(2)) == 42, "a settlement is applied once")
    }

    /// A long outage keeps the newest settlements up to the maximum; the oldest, nearest their
    /// expiry, stay as reserved.
    @Test func aLongOutageKeepsTheNewestSettlements() throws {
        let server = try RedisTestServer(persistent: true)
        let store = store(server, timeout: .milliseconds(50), maximumUnsettled: 10)
        let tokens = RateLimitCounterID(scope: .key("k"), kind: .tokensPerMinute)
        let charge = RateLimitCharge(counter: tokens, limit: 1_000_000, amount: 100)
        var tickets: [RateLimitTicket] = []
        for _ in 0..<25 {
            guard case .reserved(let ticket, _) = store.reserve([charge], now: at(0)) else {
                Issue.record("expected a reservation while Redis is up")
                return
            }
            tickets.append(ticket)
        }
        server.stop()
        for (index, ticket) in tickets.enumerated() {
            store.settle(ticket, finalAmounts: [index], now: at(1))
        }
        store.retryUnsettled()
        let kept = store.unsettledCount
        #expect((9...10).contains(kept))

        try server.start()
        let deadline = ContinuousClock.now + .seconds(10)
        while store.unsettledCount > 0 && ContinuousClock.now < deadline {
            store.retryUnsettled()
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(store.unsettledCount == 0)
        let newest = (25 - kept)..<25
        let expected = (25 - kept) * 100 + newest.reduce(0, +)
        #expect(try self.store(server).used(tokens, now: at(2)) == expected)
    }

    /// A server that accepts connections and never answers: the command timeout bounds the wait.
    @Test func aServerThatDoesNotAnswerTimesOutWithinTheTimeout() throws {
        let server = try RedisTestServer()
        let store = store(server, timeout: .milliseconds(50))
        #expect(store.connect())
        _ = try raw(server, ["CLIENT", "PAUSE", "2000", "ALL"])
        let clock = ContinuousClock()
        var outcome: RateLimitStoreOutcome?
        let elapsed = clock.measure {
            outcome = store.reserve(
                [
                    RateLimitCharge(
                        counter: RateLimitCounterID(scope: .key("k"), kind: .tokensPerDay),
                        limit: 10,
                        amount: 1
                    )
                ],
                now: at(0)
            )
        }
        guard case .unavailable = outcome else {
            Issue.record("expected unavailable, got \(String(describing: outcome))")
            return
        }
        #expect(elapsed >= .milliseconds(40) && elapsed < .milliseconds(400))
    }

    /// `on_unavailable: local`: while Redis is down reservations go to this process's counters,
    /// and each ticket is settled by the store that issued it.
    @Test func theFallbackStoreServesLocallyWhileRedisIsDownAndSettlesWhereEachTicketCameFrom() throws {
        let server = try RedisTestServer()
        let registry = MetricsRegistry()
        let redis = store(server, timeout: .milliseconds(50), registry: registry)
        let fallback = RedisFallbackRateLimitStore(redis: redis, registry: registry)
        let limiter = RateLimiter(store: fallback)
        let policy = RateLimitPolicy(rules: [
            RateLimitRule(scope: .key("team-a"), limits: [.tokensPerDay: 100, .concurrentRequests: 5])
        ])
        let day = RateLimitCounterID(scope: .key("team-a"), kind: .tokensPerDay)
        let demand = RateLimitDemand(inputTokens: 40, maxOutputTokens: 0)
        let inRedis = try limiter.reserve(subject, demand: demand, policy: policy, now: at(0))
        server.stop()
        let local = try limiter.reserve(subject, demand: demand, policy: policy, now: at(1))
        #expect(fallback.local.used(day, now: at(1)) == 40)
        #expect(registry.counter("tollgate_ratelimit_store_fallbacks_total", help: "").value == 1)
        // Local limits apply: 40 + 40 fit, a third 40 does not.
        _ = try limiter.reserve(subject, demand: demand, policy: policy, now: at(2))
        #expect(throws: RateLimitError.self) {
            try limiter.reserve(subject, demand: demand, policy: policy, now: at(3))
        }
        limiter.settle(local, usage: TokenUsage(inputTokens: 10), now: at(4))
        #expect(fallback.local.used(day, now: at(4)) == 50)
        try server.start()
        Thread.sleep(forTimeInterval: RedisConnectionPool.initialBackoff.seconds + 0.05)
        limiter.settle(inRedis, usage: TokenUsage(inputTokens: 30), now: at(5))
        #expect(try redis.used(day, now: at(5)) == 0 || (try redis.used(day, now: at(5))) == 30)
        #expect(fallback.local.used(day, now: at(5)) == 50)
    }

    @Test func countersAndTicketsHaveTTLsAndNamesThatCannotCollide() throws {
        let server = try RedisTestServer()
        let store = store(server)
        let odd = RateLimitCounterID(scope: .keyModel(key: "a:b", model: "c d%"), kind: .tokensPerMinute)
        let plain = RateLimitCounterID(scope: .keyModel(key: "a", model: "b:c d%"), kind: .tokensPerMinute)
        let inFlight = RateLimitCounterID(scope: .tenant("acme"), kind: .concurrentRequests)
        let now = at(1_000_500)
        for counter in [odd, plain] {
            _ = store.reserve([RateLimitCharge(counter: counter, limit: 100, amount: 7)], now: now)
        }
        _ = store.reserve([RateLimitCharge(counter: inFlight, limit: 100, amount: 1)], now: now)
        let keys = RedisRateLimitKeys(prefix: RedisEndpoint.defaultKeyPrefix)
        #expect(keys.counter(odd) == "tollgate:c:key_model:a%3Ab:c%20d%25:tokens_per_minute")
        #expect(keys.counter(odd) != keys.counter(plain))
        #expect(try store.used(odd, now: now) == 7 && store.used(plain, now: now) == 7)
        // A minute counter lives until its bucket leaves the window (61 s) plus the clock margin.
        let minute = try raw(server, ["PTTL", keys.counter(odd)]).integer ?? -1
        #expect(minute > 60_000 && minute <= 121_000)
        let slots = try raw(server, ["PTTL", keys.counter(inFlight)]).integer ?? -1
        #expect(slots > 3_600_000 && slots <= 4_020_000)
        for key in [keys.tickets, keys.inflight] {
            #expect((try raw(server, ["PTTL", key]).integer ?? -1) > 3_600_000)
        }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
