import Gateway
import Testing
import Yams

/// Each model's failover settings in the rendered Envoy config: the route's timeout and
/// `retry_policy`, the cluster's `outlier_detection`; defaults and every value set.
@Suite struct EnvoyBootstrapFailoverTests {
    static let provider = ProviderConfig(
        name: "local",
        schema: .openai,
        baseURL: UpstreamURL(parsing: "http://127.0.0.1:11434/v1")!
    )

    static func backends(_ model: String, priorities: [Int]) -> [BackendConfig] {
        priorities.enumerated().map { index, priority in
            BackendConfig(
                id: BackendConfig.id(model: model, index: index),
                provider: "local",
                upstreamModel: model,
                priority: priority
            )
        }
    }

    /// The rendered route and cluster of each model, by model name.
    static func render(_ models: [ModelConfig]) throws -> [String: (route: [String: Any], cluster: [String: Any])] {
        let files = try EnvoyXDSFiles(config: GatewayConfig(providers: [provider], models: models))
        let routes = try #require(
            (try Yams.load(yaml: files.routes) as? [String: Any])?.path("resources", 0, "virtual_hosts", 0, "routes")
                as? [[String: Any]]
        )
        let clusters = try #require(
            (try Yams.load(yaml: files.clusters) as? [String: Any])?["resources"] as? [[String: Any]]
        )
        var rendered: [String: (route: [String: Any], cluster: [String: Any])] = [:]
        for (index, model) in models.enumerated() {
            rendered[model.name] = (routes[index], clusters[index])
        }
        return rendered
    }

    @Test func defaultsRetryOnFailuresAnd429HonourRetryAfterAndEjectFailingBackends() throws {
        let model = ModelConfig(name: "m", backends: Self.backends("m", priorities: [0, 0, 1]))
        let (route, cluster) = try #require(try Self.render([model])["m"])
        #expect(route.path("route", "timeout") as? String == "300s")
        let policy = try #require(route.path("route", "retry_policy") as? [String: Any])
        #expect(policy["retry_on"] as? String == "5xx,reset,connect-failure,refused-stream,retriable-status-codes")
        #expect(policy["retriable_status_codes"] as? [Int] == [429])
        #expect(policy["num_retries"] as? Int == 2)
        #expect(policy["per_try_timeout"] as? String == "120s")
        #expect(policy.path("retry_back_off", "base_interval") as? String == "0.025s")
        #expect(policy.path("retry_back_off", "max_interval") as? String == "0.250s")
        #expect(policy.path("rate_limited_retry_back_off", "reset_headers", 0, "name") as? String == "retry-after")
        #expect(policy.path("rate_limited_retry_back_off", "reset_headers", 0, "format") as? String == "SECONDS")
        #expect(policy.path("rate_limited_retry_back_off", "max_interval") as? String == "10s")
        #expect(
            policy.path("retry_host_predicate", 0, "name") as? String == "envoy.retry_host_predicates.previous_hosts"
        )
        #expect(policy["host_selection_retry_max_attempts"] as? Int == 5)
        #expect(policy.path("retry_priority", "name") as? String == "envoy.retry_priorities.previous_priorities")
        #expect(policy.path("retry_priority", "typed_config", "update_frequency") as? Int == 1)

        let outlier = try #require(cluster["outlier_detection"] as? [String: Any])
        #expect(outlier["consecutive_5xx"] as? Int == 5)
        #expect(outlier["interval"] as? String == "10s")
        #expect(outlier["base_ejection_time"] as? String == "30s")
        #expect(outlier["max_ejection_percent"] as? Int == 50)
        #expect(outlier["enforcing_success_rate"] as? Int == 0)
    }

    @Test func oneBackendRetriesOnceWithoutHostOrPriorityPredicates() throws {
        let model = ModelConfig(name: "solo", backends: Self.backends("solo", priorities: [0]))
        let (route, cluster) = try #require(try Self.render([model])["solo"])
        let policy = try #require(route.path("route", "retry_policy") as? [String: Any])
        #expect(policy["num_retries"] as? Int == 1)
        #expect(policy["retry_host_predicate"] == nil)
        #expect(policy["host_selection_retry_max_attempts"] == nil)
        #expect(policy["retry_priority"] == nil)
        #expect(cluster["outlier_detection"] != nil)
    }

    @Test func everyValueSetPerModel() throws {
        let tuned = ModelConfig(
            name: "tuned",
            backends: Self.backends("tuned", priorities: [0, 0]),
            timeout: .seconds(600),
            retry: RetryConfig(
                conditions: [.gatewayError, .resetBeforeRequest],
                numRetries: 4,
                perTryTimeout: .milliseconds(1500),
                backOffBase: .milliseconds(100),
                backOffMax: .seconds(2),
                retryAfterMax: .zero
            ),
            outlierDetection: OutlierDetectionConfig(
                consecutive5xx: 2,
                interval: .seconds(1),
                baseEjectionTime: .seconds(90),
                maxEjectionPercent: 100
            )
        )
        let off = ModelConfig(
            name: "off",
            backends: Self.backends("off", priorities: [0]),
            timeout: .zero,
            outlierDetection: OutlierDetectionConfig(consecutive5xx: 0)
        )
        let rendered = try Self.render([tuned, off])
        let (route, cluster) = try #require(rendered["tuned"])
        #expect(route.path("route", "timeout") as? String == "600s")
        let policy = try #require(route.path("route", "retry_policy") as? [String: Any])
        #expect(policy["retry_on"] as? String == "gateway-error,reset-before-request")
        #expect(policy["retriable_status_codes"] == nil, "not without retriable-status-codes in retry_on")
        #expect(policy["num_retries"] as? Int == 4)
        #expect(policy["per_try_timeout"] as? String == "1.500s")
        #expect(policy.path("retry_back_off", "base_interval") as? String == "0.100s")
        #expect(policy.path("retry_back_off", "max_interval") as? String == "2s")
        #expect(policy["rate_limited_retry_back_off"] == nil, "Retry-After is ignored with retry_after_max 0")
        #expect(policy["retry_host_predicate"] != nil)
        #expect(policy["retry_priority"] == nil, "one priority level")
        #expect(cluster.path("outlier_detection", "consecutive_5xx") as? Int == 2)
        #expect(cluster.path("outlier_detection", "interval") as? String == "1s")
        #expect(cluster.path("outlier_detection", "base_ejection_time") as? String == "90s")
        #expect(cluster.path("outlier_detection", "max_ejection_percent") as? Int == 100)

        let (offRoute, offCluster) = try #require(rendered["off"])
        #expect(offRoute.path("route", "timeout") as? String == "0s")
        #expect(offCluster["outlier_detection"] == nil)
    }
}
