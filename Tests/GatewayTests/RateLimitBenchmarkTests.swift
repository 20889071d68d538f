import Foundation
import Gateway
import Testing

/// Rough costs of the limiter on the request path, printed, for `swift test -c release` with
/// `TOLLGATE_BENCH=1`; skipped otherwise (debug builds say little about speed).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["TOLLGATE_BENCH"] == "1"))
struct RateLimitBenchmarkTests {
    private func measure(_ label: String, iterations: Int, _ body: (Int) -> Void) {
        let clock = ContinuousClock()
        body(0)
        let elapsed = clock.measure {
            for index in 0..<iterations { body(index) }
        }
        let micros = Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6
        print("\(label): \(String(format: "%.3f", micros / Double(iterations))) µs")
    }

    @Test func reserveAndSettle() throws {
        let subject = RateLimitSubject(keyName: "team-a", tenant: "acme", model: "gpt-4o-mini")
        let prices = PriceTable([
            PriceTable.Entry(
                model: ModelPattern("gpt-4o-mini"),
                price: ModelPrice(inputPerMillion: 150_000, outputPerMillion: 600_000)
            )
        ])
        let many = Int.max / 1_000_000
        let policies: [(String, RateLimitPolicy)] = [
            (
                "no rule applies",
                RateLimitPolicy(rules: [RateLimitRule(scope: .key("other"), limits: [.tokensPerMinute: 1])])
            ),
            (
                "key: tokens/min + requests/min",
                RateLimitPolicy(rules: [
                    RateLimitRule(scope: .key("team-a"), limits: [.tokensPerMinute: many, .requestsPerMinute: many])
                ])
            ),
            (
                "key + tenant + model, 6 limits incl. budget",
                RateLimitPolicy(
                    rules: [
                        RateLimitRule(
                            scope: .key("team-a"),
                            limits: [.tokensPerMinute: many, .requestsPerMinute: many, .concurrentRequests: 1000]
                        ),
                        RateLimitRule(scope: .tenant("acme"), limits: [.tokensPerDay: many, .budgetUSDPerMonth: many]),
                        RateLimitRule(scope: .model("gpt-4o-mini"), limits: [.tokensPerHour: many]),
                    ],
                    prices: prices
                )
            ),
        ]
        let body = Array(repeating: UInt8(ascii: "a"), count: 1024)
        for (label, policy) in policies {
            let limiter = RateLimiter(store: LocalRateLimitStore())
            let start: Int64 = 1_800_000_000_000
            measure("reserve + settle, \(label)", iterations: 200_000) { index in
                // A request every 0.3 ms: minute buckets roll as in a busy gateway.
                let now = UnixTime(milliseconds: start + Int64(index) * 3 / 10)
                let demand = RateLimitDemand(body: body, maxTokens: 256, defaultMaxTokens: 4096)
                guard let reservation = try? limiter.reserve(subject, demand: demand, policy: policy, now: now) else {
                    return
                }
                limiter.settle(reservation, usage: TokenUsage(inputTokens: 250, outputTokens: 100), now: now)
            }
        }
    }
}
