import Gateway

/// One model's `timeout`, `retry:` and `outlier_detection:`: how Envoy retries, fails over and
/// ejects its backends.
///
/// ```yaml
///     timeout: 300s                # the whole request, retries and a streamed answer included; 0s: none
///     retry:
///       retry_on: [5xx, reset, connect-failure, refused-stream, retriable-status-codes]
///       retriable_status_codes: [429]
///       num_retries: 1             # default: one per other backend, at least 1
///       per_try_timeout: 120s      # until the response starts; must be shorter than timeout
///       back_off: { base_interval: 25ms, max_interval: 250ms }
///       retry_after_max: 10s       # a provider's Retry-After up to this is waited out; 0s: never
///     outlier_detection:
///       consecutive_5xx: 5         # errors in a row that eject a backend; 0: never eject
///       interval: 10s
///       base_ejection_time: 30s
///       max_ejection_percent: 50
/// ```
/// The timeouts must agree: an attempt that times out must leave time for the next one, so
/// `per_try_timeout` (written or default) and `retry_after_max` are shorter than a non-zero `timeout`.
extension ModelsSection {
    struct Failover {
        var timeout: Duration
        var retry: RetryConfig
        var outlierDetection: OutlierDetectionConfig
    }

    static func failover(from mapping: inout ConfigMapping) throws(ConfigError) -> Failover {
        let timeout = try mapping.duration("timeout", in: ModelConfig.timeoutRange) ?? ModelConfig.defaultTimeout
        var retryMapping = try mapping.mapping("retry")
        let retry = try Self.retry(from: &retryMapping)
        try retryMapping.rejectUnknownKeys()
        if timeout > .zero {
            if retry.perTryTimeout >= timeout {
                let message =
                    "\(ConfigDuration.text(timeout)) leaves no time to retry after a timed-out attempt: "
                    + "make it longer than retry.per_try_timeout (\(ConfigDuration.text(retry.perTryTimeout)))"
                throw retryMapping.line(of: "per_try_timeout") == nil
                    ? mapping.invalid("timeout", message + ", or set that shorter")
                    : retryMapping.invalid(
                        "per_try_timeout",
                        "must be shorter than the model's timeout (\(ConfigDuration.text(timeout))), "
                            + "or no retry could follow a timed-out attempt"
                    )
            }
            if retryMapping.line(of: "retry_after_max") != nil && retry.retryAfterMax >= timeout {
                throw retryMapping.invalid(
                    "retry_after_max",
                    "must be shorter than the model's timeout (\(ConfigDuration.text(timeout)))"
                )
            }
        }
        var outlierMapping = try mapping.mapping("outlier_detection")
        let outlierDetection = try Self.outlierDetection(from: &outlierMapping)
        try outlierMapping.rejectUnknownKeys()
        return Failover(timeout: timeout, retry: retry, outlierDetection: outlierDetection)
    }

    private static func retry(from mapping: inout ConfigMapping) throws(ConfigError) -> RetryConfig {
        var retry = RetryConfig()
        let conditions = try mapping.texts("retry_on", expected: RetryCondition.expected) {
            RetryCondition(rawValue: $0)
        }
        if let conditions {
            guard !conditions.isEmpty else {
                throw mapping.invalid("retry_on", "expected at least one condition; num_retries: 0 turns retries off")
            }
            retry.conditions = conditions.map(\.value)
        }
        let codeRange = RetryConfig.statusCodeRange
        if let codes = try mapping.texts(
            "retriable_status_codes",
            expected: "an HTTP status in \(codeRange.lowerBound)...\(codeRange.upperBound)",
            { Int($0).flatMap { codeRange.contains($0) ? $0 : nil } }
        ) {
            guard retry.conditions.contains(.retriableStatusCodes) else {
                throw mapping.invalid(
                    "retriable_status_codes",
                    "has no effect unless retry_on includes \(RetryCondition.retriableStatusCodes.rawValue)"
                )
            }
            retry.retriableStatusCodes = codes.map(\.value)
        }
        retry.numRetries = try mapping.integer("num_retries", in: RetryConfig.numRetriesRange)
        retry.perTryTimeout =
            try mapping.duration("per_try_timeout", in: RetryConfig.perTryTimeoutRange) ?? retry.perTryTimeout
        var backOff = try mapping.mapping("back_off")
        retry.backOffBase = try backOff.duration("base_interval", in: RetryConfig.backOffRange) ?? retry.backOffBase
        retry.backOffMax = try backOff.duration("max_interval", in: RetryConfig.backOffRange) ?? retry.backOffMax
        try backOff.rejectUnknownKeys()
        if retry.backOffMax < retry.backOffBase {
            let key = backOff.line(of: "max_interval") == nil ? "base_interval" : "max_interval"
            throw backOff.invalid(
                key,
                "max_interval (\(ConfigDuration.text(retry.backOffMax))) must not be shorter than "
                    + "base_interval (\(ConfigDuration.text(retry.backOffBase)))"
            )
        }
        retry.retryAfterMax =
            try mapping.duration("retry_after_max", in: RetryConfig.retryAfterMaxRange) ?? retry.retryAfterMax
        return retry
    }

    private static func outlierDetection(
        from mapping: inout ConfigMapping
    ) throws(ConfigError) -> OutlierDetectionConfig {
        var config = OutlierDetectionConfig()
        config.consecutive5xx =
            try mapping.integer("consecutive_5xx", in: OutlierDetectionConfig.consecutive5xxRange)
            ?? config.consecutive5xx
        config.interval = try mapping.duration("interval", in: OutlierDetectionConfig.intervalRange) ?? config.interval
        config.baseEjectionTime =
            try mapping.duration("base_ejection_time", in: OutlierDetectionConfig.baseEjectionTimeRange)
            ?? config.baseEjectionTime
        config.maxEjectionPercent =
            try mapping.integer("max_ejection_percent", in: OutlierDetectionConfig.maxEjectionPercentRange)
            ?? config.maxEjectionPercent
        return config
    }
}
