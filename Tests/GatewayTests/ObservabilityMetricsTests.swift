import Synchronization
import Telemetry
import Testing

@testable import Gateway

@Suite struct ObservabilityMetricsTests {
    static let prices = PriceTable([
        .init(model: ModelPattern("gpt-up"), price: ModelPrice(inputPerMillion: 2_000_000, outputPerMillion: 8_000_000))
    ])

    /// A streamed chat served by `openai` after 2 s, the first token after 0.5 s.
    static let served = RequestCompletion(
        requestID: RequestID(7),
        endpoint: .chatCompletions,
        keyName: "team-a",
        tenant: "acme",
        model: "gpt",
        clientModel: "fast",
        stream: true,
        status: 200,
        backendID: "gpt/0",
        provider: "openai",
        upstreamModel: "gpt-up",
        attempts: 1,
        usage: TokenUsage(inputTokens: 1000, outputTokens: 301, cachedInputTokens: 200),
        streamOutcome: .completed,
        timeToFirstToken: .milliseconds(500),
        duration: .seconds(2)
    )

    static let genAILabels =
        #"gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt",gen_ai_response_model="gpt-up""#

    /// The value of the sample `series` (name and braced labels, as rendered), nil when absent.
    static func sample(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test func aServedStreamIsRecordedUnderTheGenAINames() {
        let registry = MetricsRegistry()
        let observer = GenAIMetricsObserver(registry: registry)
        observer.requestDidComplete(Self.served)
        observer.requestDidComplete(Self.served)
        let text = registry.renderPrometheus()
        let labels = Self.genAILabels
        #expect(Self.sample(text, #"gen_ai_client_token_usage_sum{\#(labels),gen_ai_token_type="input"}"#) == 2000)
        #expect(Self.sample(text, #"gen_ai_client_token_usage_sum{\#(labels),gen_ai_token_type="output"}"#) == 602)
        #expect(Self.sample(text, #"gen_ai_client_token_usage_count{\#(labels),gen_ai_token_type="input"}"#) == 2)
        #expect(Self.sample(text, "gen_ai_server_request_duration_seconds_sum{\(labels)}") == 4)
        #expect(Self.sample(text, "gen_ai_server_time_to_first_token_seconds_sum{\(labels)}") == 1)
        // (2 s - 0.5 s) / 300 tokens after the first = 5 ms, twice.
        let perToken = Self.sample(text, "gen_ai_server_time_per_output_token_seconds_sum{\(labels)}")
        #expect(perToken.map { abs($0 - 0.01) < 1e-12 } == true)
        #expect(!text.contains("error_type="))
    }

    @Test func aFailureCarriesItsErrorTypeAndNoLatencyOfTokens() {
        let registry = MetricsRegistry()
        let observer = GenAIMetricsObserver(registry: registry)
        var failed = Self.served
        failed.status = 503
        failed.rejection = "upstream_unavailable"
        failed.usage = nil
        failed.streamOutcome = nil
        observer.requestDidComplete(failed)
        let text = registry.renderPrometheus()
        let duration =
            #"gen_ai_server_request_duration_seconds_count{error_type="upstream_unavailable",\#(Self.genAILabels)}"#
        #expect(Self.sample(text, duration) == 1)
        #expect(Self.sample(text, "gen_ai_server_time_to_first_token_seconds_count{\(Self.genAILabels)}") == 0)
        #expect(Self.sample(text, "gen_ai_server_request_duration_seconds_count{\(Self.genAILabels)}") == 0)
    }

    @Test func errorTypesInOrderOfWhatIsKnown() {
        var completion = Self.served
        #expect(GenAIMetricsObserver.errorType(of: completion) == nil)
        completion.status = 500
        #expect(GenAIMetricsObserver.errorType(of: completion) == "500")
        completion.interrupted = true
        #expect(GenAIMetricsObserver.errorType(of: completion) == "interrupted")
        completion.streamOutcome = .failed(.truncated)
        #expect(GenAIMetricsObserver.errorType(of: completion) == "truncated")
        completion.rejection = "a header a provider made up"
        #expect(GenAIMetricsObserver.errorType(of: completion) == "other")
        completion.rejection = "upstream_unavailable"
        #expect(GenAIMetricsObserver.errorType(of: completion) == "upstream_unavailable")
    }

    @Test func requestsThatReachedNoProviderAreNoGenAIOperation() {
        let registry = MetricsRegistry()
        let observer = GenAIMetricsObserver(registry: registry)
        observer.requestDidComplete(
            RequestCompletion(endpoint: .chatCompletions, clientModel: "gpt", status: 401, rejection: "invalid_key")
        )
        var limited = Self.served
        limited.provider = nil
        limited.status = 429
        limited.rejection = "rate_limited_tokens_per_minute"
        observer.requestDidComplete(limited)
        var models = Self.served
        models.endpoint = .models
        observer.requestDidComplete(models)
        #expect(!registry.renderPrometheus().contains("gen_ai_"))
    }

    @Test func requestsAreCountedByStatusAndBoundedReason() {
        let registry = MetricsRegistry()
        let observer = RequestMetricsObserver(registry: registry, prices: { .empty })
        observer.requestDidComplete(Self.served)
        observer.requestDidComplete(RequestCompletion(status: 401, rejection: "invalid_key"))
        observer.requestDidComplete(RequestCompletion(status: 401, rejection: "invalid_key"))
        observer.requestDidComplete(RequestCompletion(status: 503, rejection: "made-up-by-a-provider"))
        observer.requestDidComplete(RequestCompletion(status: 999))
        observer.requestDidComplete(RequestCompletion(interrupted: true))
        let text = registry.renderPrometheus()
        #expect(Self.sample(text, #"tollgate_requests_total{reason="none",status="200"}"#) == 1)
        #expect(Self.sample(text, #"tollgate_requests_total{reason="invalid_key",status="401"}"#) == 2)
        #expect(Self.sample(text, #"tollgate_requests_total{reason="other",status="503"}"#) == 1)
        #expect(Self.sample(text, #"tollgate_requests_total{reason="none",status="other"}"#) == 1)
        #expect(Self.sample(text, #"tollgate_requests_total{reason="none",status="0"}"#) == 1)
        #expect(!text.contains("made-up"))
    }

    @Test func costIsCountedExactlyAsTheLedgerPricesIt() {
        let registry = MetricsRegistry()
        let table = Mutex(Self.prices)
        let observer = RequestMetricsObserver(registry: registry, prices: { table.withLock { $0 } })
        observer.requestDidComplete(Self.served)
        let record = UsageRecord(Self.served, time: .epoch, prices: Self.prices)
        let series = #"tollgate_cost_microdollars_total{model="gpt",provider="openai",tenant="acme"}"#
        #expect(record.costMicros == 4408)
        #expect(Self.sample(registry.renderPrometheus(), series) == 4408)
        // A reload that drops the price: the next request adds nothing (unpriced, not free).
        table.withLock { $0 = .empty }
        observer.requestDidComplete(Self.served)
        #expect(Self.sample(registry.renderPrometheus(), series) == 4408)
    }

    @Test func observersAreToldInOrder() {
        final class Recorder: RequestObserver {
            let seen = Mutex<[String]>([])
            func requestDidComplete(_ completion: RequestCompletion) {
                seen.withLock { $0.append(completion.keyName ?? "") }
            }
        }
        struct Tagging: RequestObserver {
            let recorder: Recorder
            let tag: String
            func requestDidComplete(_ completion: RequestCompletion) {
                var tagged = completion
                tagged.keyName = tag
                recorder.requestDidComplete(tagged)
            }
        }
        let recorder = Recorder()
        RequestObservers([Tagging(recorder: recorder, tag: "first"), Tagging(recorder: recorder, tag: "second")])
            .requestDidComplete(Self.served)
        #expect(recorder.seen.withLock { $0 } == ["first", "second"])
    }
}
