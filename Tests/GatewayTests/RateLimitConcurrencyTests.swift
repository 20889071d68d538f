import Foundation
import Synchronization
import Testing

@testable import Gateway

/// Many threads reserving against one small budget at once, through one `LocalRateLimitStore`.
///
/// The README's bound: a counter never admits a reservation that would take it over its limit, so
/// with settlements no larger than their reservations nothing is over the limit at all; a
/// settlement E tokens larger than its reservation can add E over the limit for each request in
/// flight when the last one was admitted, so C concurrent requests at most C × E.
@Suite struct RateLimitConcurrencyTests {
    static let threads = 8

    /// Runs `body(thread)` on `threads` OS threads started together, and waits for all of them.
    private func onThreads(_ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for index in 0..<Self.threads {
            group.enter()
            let thread = Thread {
                start.wait()
                body(index)
                group.leave()
            }
            thread.start()
        }
        for _ in 0..<Self.threads { start.signal() }
        group.wait()
    }

    /// Rounds of a small budget each, so that every round has threads racing for its last
    /// tokens: over 300 rounds, a check and an addition that were not one step would let some
    /// round admit more than its budget.
    @Test func concurrentReservationsNeverAdmitMoreThanTheBudget() {
        let store = LocalRateLimitStore()
        let limiter = RateLimiter(store: store)
        let limit = 100
        let rounds = 300
        let rules = (0..<rounds).map { round in
            RateLimitRule(scope: .tenant("t\(round)"), limits: [.tokensPerMinute: limit])
        }
        let policy = RateLimitPolicy(rules: rules)
        let now = at(1_000_000)
        let admitted = Mutex(Array(repeating: 0, count: rounds))
        let refused = Atomic<Int>(0)
        onThreads { thread in
            var random = SplitMix64(seed: UInt64(thread) + 1)
            var mine = Array(repeating: 0, count: rounds)
            var refusals = 0
            for round in 0..<rounds {
                let subject = RateLimitSubject(keyName: "key-\(thread)", tenant: "t\(round)", model: "m")
                for _ in 0..<8 {
                    let amount = Int(random.next() % 10) + 1
                    do {
                        _ = try limiter.reserve(
                            subject,
                            demand: RateLimitDemand(inputTokens: amount, maxOutputTokens: 0),
                            policy: policy,
                            now: now
                        )
                        mine[round] += amount
                    } catch {
                        refusals += 1
                    }
                }
            }
            admitted.withLock { totals in
                for round in 0..<rounds { totals[round] += mine[round] }
            }
            refused.add(refusals, ordering: .relaxed)
        }
        let totals = admitted.withLock { $0 }
        #expect(
            totals.allSatisfy { $0 <= limit },
            "over the budget in rounds \(totals.indices.filter { totals[$0] > limit })"
        )
        #expect(totals.allSatisfy { $0 > limit - 10 })
        #expect(refused.load(ordering: .relaxed) > 0)
        for round in [0, rounds / 2, rounds - 1] {
            let counter = RateLimitCounterID(scope: .tenant("t\(round)"), kind: .tokensPerMinute)
            #expect(store.used(counter, now: now) == totals[round])
        }
    }

    @Test func settlementsLargerThanReservationsOvershootByAtMostInFlightTimesExcess() {
        let store = LocalRateLimitStore()
        let limiter = RateLimiter(store: store)
        let limit = 5000
        let concurrent = 4
        let maxExcess = 50
        let policy = RateLimitPolicy(rules: [
            RateLimitRule(scope: .key("shared"), limits: [.tokensPerDay: limit, .concurrentRequests: concurrent])
        ])
        let now = at(1_000_000)
        let consumed = Atomic<Int>(0)
        let admittedCount = Atomic<Int>(0)
        let refusals = Mutex<[RateLimitKind: Int]>([:])
        onThreads { thread in
            var random = SplitMix64(seed: UInt64(thread) + 100)
            let subject = RateLimitSubject(keyName: "shared", tenant: "t", model: "m")
            for _ in 0..<3000 {
                let reserved = Int(random.next() % 100) + 50
                do throws(RateLimitError) {
                    let reservation = try limiter.reserve(
                        subject,
                        demand: RateLimitDemand(inputTokens: reserved, maxOutputTokens: 0),
                        policy: policy,
                        now: now
                    )
                    let actual = reserved + Int(random.next() % UInt64(maxExcess + 1))
                    consumed.add(actual, ordering: .relaxed)
                    admittedCount.add(1, ordering: .relaxed)
                    limiter.settle(reservation, usage: TokenUsage(inputTokens: actual), now: now)
                } catch {
                    if case .limitReached(let refusal) = error {
                        refusals.withLock { $0[refusal.counter.kind, default: 0] += 1 }
                    }
                }
            }
        }
        let total = consumed.load(ordering: .relaxed)
        #expect(total <= limit + concurrent * maxExcess)
        #expect(total > limit - 150)
        let counter = RateLimitCounterID(scope: .key("shared"), kind: .tokensPerDay)
        #expect(store.used(counter, now: now) == total)
        #expect(store.used(RateLimitCounterID(scope: .key("shared"), kind: .concurrentRequests), now: now) == 0)
        #expect(store.pendingCount == 0)
        #expect(refusals.withLock { $0[.tokensPerDay, default: 0] } > 0)
        #expect(admittedCount.load(ordering: .relaxed) > 30)
    }

    @Test func concurrentSlotsNeverExceedTheirLimitUnderContention() {
        let store = LocalRateLimitStore()
        let limiter = RateLimiter(store: store)
        let policy = RateLimitPolicy(rules: [RateLimitRule(scope: .model("m"), limits: [.concurrentRequests: 3])])
        let now = at(0)
        let inFlight = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let admitted = Atomic<Int>(0)
        onThreads { thread in
            let subject = RateLimitSubject(keyName: "k\(thread)", tenant: "t", model: "m")
            for _ in 0..<3000 {
                guard
                    let reservation = try? limiter.reserve(
                        subject,
                        demand: RateLimitDemand(inputTokens: 1, maxOutputTokens: 1),
                        policy: policy,
                        now: now
                    )
                else { continue }
                let current = inFlight.add(1, ordering: .relaxed).newValue
                peak.max(current, ordering: .relaxed)
                admitted.add(1, ordering: .relaxed)
                inFlight.subtract(1, ordering: .relaxed)
                limiter.settle(reservation, usage: TokenUsage(inputTokens: 1), now: now)
            }
        }
        #expect(peak.load(ordering: .relaxed) <= 3)
        #expect(admitted.load(ordering: .relaxed) > 100)
        #expect(store.used(RateLimitCounterID(scope: .model("m"), kind: .concurrentRequests), now: now) == 0)
    }
}
