/// A model route's `retry_policy` (`envoy.config.route.v3.RetryPolicy`), from the model's
/// `RetryConfig` and its backends.
///
/// Envoy owns retries; Tollgate's upstream phase runs again for each attempt, so a retry onto
/// another backend is rewritten for that backend. Retries stop once the response has started
/// towards the client, which is what keeps failover to "before the first byte".
enum EnvoyRetryPolicy {
    static func node(model: ModelConfig) -> YAMLNode {
        let retry = model.retry
        var entries: [YAMLEntry] = [
            YAMLEntry("retry_on", .string(retry.conditions.map(\.rawValue).joined(separator: ","))),
            YAMLEntry("num_retries", .int(retry.retries(backendCount: model.backends.count))),
            YAMLEntry(
                "per_try_timeout",
                .string(EnvoyDuration.text(retry.perTryTimeout)),
                comment:
                    "Until the response starts towards the client; Envoy ignores it once it has, so streams run on."
            ),
        ]
        if retry.conditions.contains(.retriableStatusCodes) {
            entries.append(YAMLEntry("retriable_status_codes", .list(retry.retriableStatusCodes.map { .int($0) })))
        }
        entries.append(
            YAMLEntry(
                "retry_back_off",
                [
                    "base_interval": .string(EnvoyDuration.text(retry.backOffBase)),
                    "max_interval": .string(EnvoyDuration.text(retry.backOffMax)),
                ]
            )
        )
        if retry.retryAfterMax > .zero {
            entries.append(
                YAMLEntry(
                    "rate_limited_retry_back_off",
                    [
                        "reset_headers": [["name": "retry-after", "format": "SECONDS"]],
                        "max_interval": .string(EnvoyDuration.text(retry.retryAfterMax)),
                    ],
                    comment: "A provider's Retry-After up to max_interval is waited out; a longer one is ignored."
                )
            )
        }
        if model.backends.count > 1 {
            entries.append(YAMLEntry("retry_host_predicate", [previousHosts]))
            entries.append(YAMLEntry("host_selection_retry_max_attempts", 5))
        }
        if Set(model.backends.map(\.priority)).count > 1 {
            entries.append(
                YAMLEntry(
                    "retry_priority",
                    previousPriorities,
                    comment: "Each retry moves to the next priority level; once all were tried, any level again."
                )
            )
        }
        return .map(entries)
    }

    private static let previousHosts: YAMLNode = [
        "name": "envoy.retry_host_predicates.previous_hosts",
        "typed_config": [
            "@type": "type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"
        ],
    ]

    private static let previousPriorities: YAMLNode = [
        "name": "envoy.retry_priorities.previous_priorities",
        "typed_config": [
            "@type":
                "type.googleapis.com/envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig",
            "update_frequency": 1,
        ],
    ]
}
