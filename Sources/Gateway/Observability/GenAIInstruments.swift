import Synchronization
import Telemetry

/// The OpenTelemetry GenAI histograms of every label set seen so far, registered on first use and
/// cached, so a request costs one dictionary lookup under a lock held for that lookup only, then
/// atomic adds; no label text is built once a label set is known.
///
/// Label values are the operation (from the endpoint), the provider's and models' names from the
/// config, and error types from a fixed set (`MetricLabels`), never what a client sent: the number
/// of series is bounded by the configs the process has run with.
final class GenAIInstruments: Sendable {
    /// One series' identity: the attributes every GenAI metric here carries.
    struct Labels: Hashable, Sendable {
        var operation: String
        var provider: String
        var requestModel: String
        /// The model name sent upstream; nil when no attempt was made.
        var responseModel: String?
    }

    /// The instruments of one label set that record successes and token counts.
    struct Series: Sendable {
        let inputTokens: Histogram
        let outputTokens: Histogram
        let duration: Histogram
        let timeToFirstToken: Histogram
        let timePerOutputToken: Histogram
    }

    private struct FailureKey: Hashable, Sendable {
        var labels: Labels
        var errorType: String
    }

    private struct Cache {
        var series: [Labels: Series] = [:]
        var failures: [FailureKey: Histogram] = [:]
    }

    private let registry: MetricsRegistry
    private let cache = Mutex(Cache())

    init(registry: MetricsRegistry) {
        self.registry = registry
    }

    func series(for labels: Labels) -> Series {
        if let known = cache.withLock({ $0.series[labels] }) {
            return known
        }
        // Registered outside our lock: the registry takes its own, and returns the same
        // instruments to two threads racing here.
        let made = Series(
            inputTokens: tokenUsage(labels, type: "input"),
            outputTokens: tokenUsage(labels, type: "output"),
            duration: histogram(Self.requestDuration, labels),
            timeToFirstToken: histogram(Self.timeToFirstToken, labels),
            timePerOutputToken: histogram(Self.timePerOutputToken, labels)
        )
        cache.withLock { $0.series[labels] = made }
        return made
    }

    /// `gen_ai_server_request_duration_seconds` with `error_type`, for an operation that failed.
    func failedDuration(for labels: Labels, errorType: String) -> Histogram {
        let key = FailureKey(labels: labels, errorType: errorType)
        if let known = cache.withLock({ $0.failures[key] }) {
            return known
        }
        let made = histogram(Self.requestDuration, labels, extra: [("error_type", errorType)])
        cache.withLock { $0.failures[key] = made }
        return made
    }

    // MARK: - Names, help and buckets (the convention's recommended boundaries)

    private struct Family {
        let name: String
        let help: String
        let buckets: [Double]
    }

    /// `gen_ai.client.token.usage` (unit `{token}`: an annotation, so no suffix in Prometheus).
    private static let tokenUsageFamily = Family(
        name: "gen_ai_client_token_usage",
        help: "Tokens per request reported by the provider, by gen_ai_token_type (input includes cached input).",
        buckets: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864]
    )
    /// `gen_ai.server.request.duration` (unit `s`).
    private static let requestDuration = Family(
        name: "gen_ai_server_request_duration_seconds",
        help: "From the request reaching the gateway to the end of its response; error_type on failures.",
        buckets: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
    )
    /// `gen_ai.server.time_to_first_token` (unit `s`).
    private static let timeToFirstToken = Family(
        name: "gen_ai_server_time_to_first_token_seconds",
        help: "Successful streamed responses: from the request reaching the gateway to the first chunk with content.",
        buckets: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
    )
    /// `gen_ai.server.time_per_output_token` (unit `s`).
    private static let timePerOutputToken = Family(
        name: "gen_ai_server_time_per_output_token_seconds",
        help: "Successful streamed responses: time after the first token divided by the output tokens after it.",
        buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5]
    )

    private func tokenUsage(_ labels: Labels, type: String) -> Histogram {
        histogram(Self.tokenUsageFamily, labels, extra: [("gen_ai_token_type", type)])
    }

    private func histogram(_ family: Family, _ labels: Labels, extra: [(String, String)] = []) -> Histogram {
        var pairs = [
            ("gen_ai_operation_name", labels.operation),
            ("gen_ai_provider_name", labels.provider),
            ("gen_ai_request_model", labels.requestModel),
        ]
        if let responseModel = labels.responseModel {
            pairs.append(("gen_ai_response_model", responseModel))
        }
        return registry.histogram(family.name, help: family.help, labels: pairs + extra, buckets: family.buckets)
    }
}
