import Telemetry

/// Records every model request in the OpenTelemetry GenAI semantic conventions' metrics (semantic
/// conventions for generative AI metrics, "Generative AI client metrics" and "model server
/// metrics"), under the names an OpenTelemetry Prometheus exporter gives them: dots become
/// underscores and the unit `s` the suffix `_seconds` (`{token}` is an annotation and adds none).
///
/// - `gen_ai_client_token_usage{gen_ai_token_type}`: `input` (the whole prompt, cached and cache
///   creation included, as billed) and `output` (reasoning included) per request that reported
///   usage, also when cut short, so their sums equal the ledger's token columns. The breakdown into
///   cached, cache-creation and reasoning tokens is in `tollgate_gateway_tokens_total{kind}`; as
///   `gen_ai_token_type` values they would be counted twice by anyone summing over the label.
/// - `gen_ai_server_request_duration_seconds`: every request sent to a provider, with `error_type`
///   when it failed (Tollgate's or Envoy's reason, the stream's failure, `interrupted`, or the
///   HTTP status).
/// - `gen_ai_server_time_to_first_token_seconds`, `gen_ai_server_time_per_output_token_seconds`:
///   successful streamed responses (for a buffered one the first token arrives with the last).
///
/// Labels: `gen_ai_operation_name` (`chat`, `text_completion`, `embeddings`), `gen_ai_provider_name`
/// (the provider's name in the config: what the ledger and `tollgate usage` show, and the
/// convention's well-known value when the provider is named after it, such as `openai`,
/// `anthropic`, `groq`), `gen_ai_request_model` (the model's public name, aliases folded) and
/// `gen_ai_response_model` (the name sent to the provider).
///
/// Requests that never reached a provider (refused by Tollgate, `/v1/models`) are no GenAI
/// operation here; `RequestMetricsObserver` counts them.
public struct GenAIMetricsObserver: RequestObserver {
    private let instruments: GenAIInstruments

    public init(registry: MetricsRegistry) {
        instruments = GenAIInstruments(registry: registry)
    }

    public func requestDidComplete(_ completion: RequestCompletion) {
        guard let operation = completion.endpoint?.genAIOperationName,
            let model = completion.model,
            let provider = completion.provider
        else { return }
        let labels = GenAIInstruments.Labels(
            operation: operation,
            provider: provider,
            requestModel: model,
            responseModel: completion.upstreamModel
        )
        let series = instruments.series(for: labels)
        if let usage = completion.usage {
            series.inputTokens.observe(Double(usage.inputTokens))
            series.outputTokens.observe(Double(usage.outputTokens))
        }
        if let errorType = Self.errorType(of: completion) {
            instruments.failedDuration(for: labels, errorType: errorType).observe(completion.duration.seconds)
            return
        }
        series.duration.observe(completion.duration.seconds)
        guard completion.stream, let firstToken = completion.timeToFirstToken else { return }
        series.timeToFirstToken.observe(firstToken.seconds)
        if let outputTokens = completion.usage?.outputTokens, outputTokens > 1 {
            series.timePerOutputToken.observe((completion.duration - firstToken).seconds / Double(outputTokens - 1))
        }
    }

    /// The convention's `error.type` of a failed request, nil for a success: the reason Tollgate or
    /// Envoy answered, else how the stream failed, else `interrupted` when the exchange was cut,
    /// else the HTTP status of an error response (the convention's own example for HTTP errors).
    static func errorType(of completion: RequestCompletion) -> String? {
        if completion.rejection != nil {
            return MetricLabels.reason(completion.rejection)
        }
        if let outcome = completion.streamOutcome, case .failed = outcome {
            return outcome.metadataValue
        }
        if completion.interrupted || completion.status == nil {
            return "interrupted"
        }
        if let status = completion.status, status >= 400 {
            return MetricLabels.status(status)
        }
        return nil
    }
}
