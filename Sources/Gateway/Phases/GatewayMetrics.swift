import Telemetry

/// The gateway's instruments, registered once per factory so that a request costs a dictionary
/// lookup and an atomic add.
///
/// - `tollgate_gateway_requests_total{endpoint}`: requests admitted by the router phase (routed to a
///   model, or `/v1/models` answered);
/// - `tollgate_gateway_rejections_total{reason}`: requests answered with an error by Tollgate, by
///   `GatewayError.kind`, `TranslationError.kind` or `RateLimitError.kind`;
/// - `tollgate_gateway_upstream_attempts_total`: upstream attempts rewritten (retries included);
/// - `tollgate_gateway_tokens_total{kind}`: tokens read from responses (`input`, `output`,
///   `cached_input`, `cache_creation_input`, `reasoning`);
/// - `tollgate_gateway_streams_total{outcome}`: streamed responses by how they ended (`completed`,
///   `upstream_error`, `truncated`, `malformed`, `event_too_large`, `interrupted`);
/// - `tollgate_gateway_time_to_first_token_seconds`: streamed responses, from the request reaching
///   Tollgate to the first chunk with content.
public struct GatewayMetrics: Sendable {
    private let requests: [Endpoint: Counter]
    private let rejections: [String: Counter]
    private let upstreamAttempts: Counter
    private let tokens: TokenCounters
    private let streams: [String: Counter]
    private let timeToFirstToken: Histogram

    private struct TokenCounters: Sendable {
        let input: Counter
        let output: Counter
        let cachedInput: Counter
        let cacheCreationInput: Counter
        let reasoning: Counter
    }

    static let translationKinds = [
        "translation_invalid_request", "translation_unsupported", "translation_invalid_upstream_response",
    ]
    static let streamOutcomes = [
        "completed", "upstream_error", "truncated", "malformed", "event_too_large", "interrupted",
    ]

    public init(registry: MetricsRegistry) {
        var requests: [Endpoint: Counter] = [:]
        for endpoint in Endpoint.allCases {
            requests[endpoint] = registry.counter(
                "tollgate_gateway_requests_total",
                help: "Requests admitted by the gateway's router phase, by endpoint.",
                labels: [("endpoint", endpoint.path)]
            )
        }
        var rejections: [String: Counter] = [:]
        for kind in GatewayError.allKinds + Self.translationKinds + RateLimitError.allKinds {
            rejections[kind] = registry.counter(
                "tollgate_gateway_rejections_total",
                help: "Requests the gateway answered with an error, by reason.",
                labels: [("reason", kind)]
            )
        }
        self.requests = requests
        self.rejections = rejections
        upstreamAttempts = registry.counter(
            "tollgate_gateway_upstream_attempts_total",
            help: "Upstream attempts the gateway rewrote for a provider, retries included."
        )
        func tokenCounter(_ kind: String) -> Counter {
            registry.counter(
                "tollgate_gateway_tokens_total",
                help: "Tokens read from providers' responses, by kind (cached and cache creation are part of input).",
                labels: [("kind", kind)]
            )
        }
        tokens = TokenCounters(
            input: tokenCounter("input"),
            output: tokenCounter("output"),
            cachedInput: tokenCounter("cached_input"),
            cacheCreationInput: tokenCounter("cache_creation_input"),
            reasoning: tokenCounter("reasoning")
        )
        var streams: [String: Counter] = [:]
        for outcome in Self.streamOutcomes {
            streams[outcome] = registry.counter(
                "tollgate_gateway_streams_total",
                help: "Streamed responses, by how they ended.",
                labels: [("outcome", outcome)]
            )
        }
        self.streams = streams
        timeToFirstToken = registry.histogram(
            "tollgate_gateway_time_to_first_token_seconds",
            help: "Streamed responses: from the request reaching the gateway to the first chunk with content.",
            buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32]
        )
    }

    func admitted(_ endpoint: Endpoint) {
        requests[endpoint]?.increment()
    }

    func rejected(kind: String) {
        rejections[kind]?.increment()
    }

    func upstreamAttemptRewritten() {
        upstreamAttempts.increment()
    }

    func used(_ usage: TokenUsage) {
        if usage.inputTokens > 0 { tokens.input.increment(by: usage.inputTokens) }
        if usage.outputTokens > 0 { tokens.output.increment(by: usage.outputTokens) }
        if usage.cachedInputTokens > 0 { tokens.cachedInput.increment(by: usage.cachedInputTokens) }
        if usage.cacheCreationInputTokens > 0 {
            tokens.cacheCreationInput.increment(by: usage.cacheCreationInputTokens)
        }
        if usage.reasoningTokens > 0 { tokens.reasoning.increment(by: usage.reasoningTokens) }
    }

    func streamEnded(_ outcome: StreamOutcome, interrupted: Bool) {
        let label = interrupted || outcome == .inProgress ? "interrupted" : outcome.metadataValue
        streams[label]?.increment()
    }

    func firstToken(after duration: Duration) {
        timeToFirstToken.observe(duration.seconds)
    }
}

extension Duration {
    /// In seconds, as a double.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// In milliseconds, as a double (for Envoy's access log).
    var milliseconds: Double { seconds * 1000 }
}
