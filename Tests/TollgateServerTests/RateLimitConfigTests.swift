import Gateway
import Testing

@testable import TollgateServer

/// The `limits:` section: what it reads, and every error with its line.
@Suite struct RateLimitConfigTests {
    private func diagnose(_ yaml: String) -> ConfigDiagnosis {
        ConfigLoader.diagnose(yaml: yaml, file: "tollgate.yaml")
    }

    /// The errors of `yaml` as `line: message`.
    private func errors(_ yaml: String) -> [String] {
        diagnose(yaml).errors.map { "\($0.line.map(String.init) ?? "-"): \($0.message)" }
    }

    /// Keys, models and prices the limits below refer to (10 lines).
    static let base = """
        keys:
          - { name: team-a, tenant: acme, sha256: \(String(repeating: "a", count: 64)) }
          - { name: team-b, tenant: acme, sha256: \(String(repeating: "b", count: 64)) }
        providers:
          - { name: openai, schema: openai, base_url: "https://api.openai.com/v1" }
        models:
          - { name: gpt-4o, aliases: [smart], backends: [{ provider: openai }] }
          - { name: gpt-4o-mini, backends: [{ provider: openai }] }
        prices:
          - { model: gpt-4o, input: 2.5, output: 10 }

        """

    @Test func readsEveryScopeAndLimit() {
        let diagnosis = diagnose(
            Self.base + """
                limits:
                  - key: team-a
                    tokens_per_minute: 100000
                    requests_per_minute: 600
                    concurrent_requests: 20
                  - tenant: acme
                    tokens_per_day: 5000000
                    tokens_per_month: 90000000
                    budget_usd_per_month: 500
                  - model: gpt-4o
                    tokens_per_hour: 2000000
                    budget_usd_per_day: "0.075"
                  - key: team-b
                    model: gpt-4o
                    budget_usd_per_day: 12.50
                """
        )
        #expect(diagnosis.errors.isEmpty, "\(diagnosis.errors)")
        #expect(
            diagnosis.config.limits.rules == [
                RateLimitRule(
                    scope: .key("team-a"),
                    limits: [.tokensPerMinute: 100_000, .requestsPerMinute: 600, .concurrentRequests: 20]
                ),
                RateLimitRule(
                    scope: .tenant("acme"),
                    limits: [.tokensPerDay: 5_000_000, .tokensPerMonth: 90_000_000, .budgetUSDPerMonth: 500_000_000]
                ),
                RateLimitRule(scope: .model("gpt-4o"), limits: [.tokensPerHour: 2_000_000, .budgetUSDPerDay: 75_000]),
                RateLimitRule(scope: .keyModel(key: "team-b", model: "gpt-4o"), limits: [.budgetUSDPerDay: 12_500_000]),
            ]
        )
        #expect(diagnose("{}").config.limits.rules.isEmpty)
    }

    @Test func badItemsAreReportedWithTheirLinesAndTheRestIsKept() {
        let found = errors(
            """
            limits:
              - tokens_per_minute: 5
              - key: a
                tenant: b
                tokens_per_minute: 5
              - key: a
              - key: a
                tokens_per_minute: 0
              - key: a
                budget_usd_per_day: -1
              - key: a
                budget_usd_per_day: 0.0000001
              - key: a
                tokens_per_minute: 1.5
              - key: a
                tokens_per_second: 5
              - key: "has space"
                tokens_per_minute: 5
              - key: a
                concurrent_requests: 2000000
              - key: ok
                tokens_per_day: 10
              - key: ok
                requests_per_minute: 10
              - tenant: t
                model: m
                tokens_per_day: 1
              - model: m
                budget_usd_per_day: 0
            """
        )
        let allKinds = RateLimitKind.allCases.map(\.configKey).joined(separator: ", ")
        #expect(
            found == [
                "2: limits[0]: expected 'key', 'tenant', 'model', or 'key' with 'model'",
                "4: limits[1].tenant: a tenant limit cannot also name a key or a model; expected 'key', 'tenant', "
                    + "'model', or 'key' with 'model'",
                "6: limits[2]: no limit set; expected one or more of \(allKinds)",
                "8: limits[3].tokens_per_minute: expected an integer in 1...1000000000000000, got '0'",
                "10: limits[4].budget_usd_per_day: expected dollars, such as 12.50 (at most 6 decimals, more than 0), "
                    + "got '-1'",
                "12: limits[5].budget_usd_per_day: expected dollars, such as 12.50 (at most 6 decimals, more than 0), "
                    + "got '0.0000001'",
                "14: limits[6].tokens_per_minute: expected an integer in 1...1000000000000000, got '1.5'",
                "16: unknown key 'limits[7].tokens_per_second'; expected one of: key, tenant, model, tokens_per_minute, "
                    + "tokens_per_hour, tokens_per_day, tokens_per_month, requests_per_minute, concurrent_requests, "
                    + "budget_usd_per_day, budget_usd_per_month",
                "17: limits[8].key: expected \(ConfigNames.nameExpected), got 'has space'",
                "20: limits[9].concurrent_requests: expected an integer in 1...1000000, got '2000000'",
                "23: limits[11]: key 'ok' already has limits (line 21); put them in one item",
                "25: limits[12].tenant: a tenant limit cannot also name a key or a model; expected 'key', 'tenant', "
                    + "'model', or 'key' with 'model'",
                "29: limits[13].budget_usd_per_day: expected dollars, such as 12.50 (at most 6 decimals, more than 0), "
                    + "got '0'",
            ]
        )
        #expect(
            diagnose("limits:\n  - key: a\n    tokens_per_minute: 5\n  - key: a\n    tokens_per_day: 1\n").config
                .limits.rules == [RateLimitRule(scope: .key("a"), limits: [.tokensPerMinute: 5])]
        )
        #expect(errors("limits: 5") == ["1: limits: expected a list"])
        #expect(errors("limits:\n  - 5") == ["2: limits[0]: expected a mapping of keys to values"])
    }

    @Test func namesMustExistAndModelsAreNamedByTheirNameWithAPriceForBudgets() {
        let found = errors(
            Self.base + """
                limits:
                  - key: team-c
                    tokens_per_minute: 5
                  - tenant: umbrella
                    tokens_per_minute: 5
                  - model: smart
                    tokens_per_minute: 5
                  - model: gpt-5
                    tokens_per_minute: 5
                  - key: team-z
                    model: gpt-4o
                    tokens_per_minute: 5
                  - model: gpt-4o-mini
                    budget_usd_per_day: 1
                  - model: gpt-4o-mini
                    key: team-a
                    tokens_per_day: 1
                """
        )
        #expect(
            found == [
                "12: limits[0]: no key named 'team-c'",
                "14: limits[1]: no key has tenant 'umbrella'",
                "16: limits[2]: 'smart' is an alias of model 'gpt-4o'; limits name models by their name",
                "18: limits[3]: no model named 'gpt-5'",
                "20: limits[4]: no key named 'team-z'",
                "23: limits[5]: a budget on model 'gpt-4o-mini' needs its price in prices:",
            ]
        )
        // Another error in the file skips these checks: the name may be in the item left out.
        let withBadKey = errors(
            """
            keys:
              - { name: team-a, sha256: nothex }
            limits:
              - key: team-a
                tokens_per_minute: 5
            """
        )
        #expect(withBadKey.count == 1 && withBadKey[0].hasPrefix("2: keys[0].sha256"))
    }

    @Test func theConfigGivesTheLimiterItsPolicyWithThePrices() throws {
        let diagnosis = diagnose(
            Self.base + """
                limits:
                  - tenant: acme
                    budget_usd_per_day: 1
                  - key: team-a
                    model: gpt-4o
                    tokens_per_minute: 10
                """
        )
        #expect(diagnosis.errors.isEmpty, "\(diagnosis.errors)")
        let policy = GatewaySnapshot(config: diagnosis.config.gatewayConfig).rateLimits
        let limits = policy.limits(for: RateLimitSubject(keyName: "team-a", tenant: "acme", model: "gpt-4o"))
        #expect(limits.map(\.counter.kind) == [.tokensPerMinute, .budgetUSDPerDay])
        #expect(limits.map(\.limit) == [10, 1_000_000])
        #expect(
            policy.prices.price(for: "gpt-4o") == ModelPrice(inputPerMillion: 2_500_000, outputPerMillion: 10_000_000)
        )
    }
}
