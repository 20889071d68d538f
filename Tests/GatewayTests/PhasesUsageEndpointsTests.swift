import ExtProc
import Foundation
import Gateway
import Testing

/// The OpenAI-only endpoints through both phases: `/v1/responses` and `/v1/completions`, buffered
/// and streamed, and `/v1/embeddings`, each ending with the provider's usage in the completion
/// metadata and the observer's completion; and the output-cap field each provider gets.
@Suite struct PhasesUsageEndpointsTests {
    let gateway = GatewayHarness()

    /// Feeds `bytes` to the router phase cut at `cuts`, the clock moving 10 ms before each chunk;
    /// returns what the client got and the last reply.
    private func stream(
        _ bytes: [UInt8],
        cuts: [Int],
        through exchange: Exchange
    ) -> (output: [UInt8], last: ProcessingResponse) {
        let bounds = [0] + cuts + [bytes.count]
        var output: [UInt8] = []
        var last = ProcessingResponse.continue
        for index in 0..<(bounds.count - 1) {
            gateway.clock.advance(by: .milliseconds(10))
            let chunk = Array(bytes[bounds[index]..<bounds[index + 1]])
            last = exchange.responseBody(chunk, endOfStream: index == bounds.count - 2)
            output += last.chunkOutput(original: chunk)
        }
        return (output, last)
    }

    // MARK: - /v1/responses

    @Test func bufferedResponsesAPIUsageIsRead() throws {
        let original = #"{"model":"fast","input":"hi","max_output_tokens":500}"#
        let exchange = try Exchange(gateway, path: "/v1/responses", body: original)
        let attempt = exchange.attempt("gpt-4o-mini/0", path: "/v1/responses")
        #expect(attempt.setHeader(":path") == "/v1/responses")
        #expect(
            String(decoding: try #require(attempt.replacedBody), as: UTF8.self)
                == #"{"model":"gpt-4o-mini-2024-07-18","input":"hi","max_output_tokens":500}"#
        )
        gateway.clock.advance(by: .milliseconds(40))
        let headers = exchange.responseHeaders([("content-length", "1234")])
        #expect(headers == .held, "held until the body ends")

        let reply = exchange.responseBody(try fixture("responses/openai-responses/reasoning_cached.json"))
        #expect(reply.common?.bodyMutation == nil)
        let metadata = try #require(reply.tollgateMetadata)
        #expect(metadata["input_tokens"] == .number(2036))
        #expect(metadata["output_tokens"] == .number(412))
        #expect(metadata["cached_input_tokens"] == .number(1792))
        #expect(metadata["reasoning_tokens"] == .number(320))
        #expect(metadata["total_tokens"] == .number(2448))
        #expect(metadata["usage_complete"] == .bool(true))
        #expect(metadata["endpoint"] == .string("/v1/responses"))
        let recorded = try #require(gateway.observer.completions.only)
        #expect(
            recorded.usage
                == TokenUsage(inputTokens: 2036, outputTokens: 412, cachedInputTokens: 1792, reasoningTokens: 320)
        )
        #expect(recorded.endpoint == .responses)
        #expect(recorded.timeToFirstToken == .milliseconds(40))
    }

    @Test func azureServesTheResponsesAPIAtItsOwnPath() throws {
        let exchange = try Exchange(gateway, path: "/v1/responses", body: #"{"model":"fast","input":"hi"}"#)
        let attempt = exchange.attempt("gpt-4o-mini/1", path: "/v1/responses")
        #expect(attempt.setHeader(":path") == "/openai/responses?api-version=2024-10-21")
        #expect(try jsonObject(try #require(attempt.replacedBody))["model"] as? String == "my-deployment")
    }

    @Test func streamedResponsesAPIPassesThroughWithItsUsage() throws {
        let original = #"{"model":"fast","stream":true,"input":"hi"}"#
        let exchange = try Exchange(gateway, path: "/v1/responses", body: original)
        let attempt = exchange.attempt("gpt-4o-mini/0", path: "/v1/responses")
        let sent = String(decoding: try #require(attempt.replacedBody), as: UTF8.self)
        #expect(!sent.contains("stream_options"), "the Responses API refuses include_usage and needs none")
        let headers = exchange.responseHeaders(contentType: "text/event-stream; charset=utf-8")
        #expect(headers != .held, "answered at once, chunks read as they come")

        let sse = try fixture("streams/openai-responses/text_reasoning_cached.sse")
        let text = String(decoding: sse, as: UTF8.self)
        // The first non-empty delta ("Hello") starts in the third chunk.
        let hello = text.utf8.distance(from: text.startIndex, to: try #require(text.range(of: "Hello")).lowerBound)
        let (output, last) = stream(sse, cuts: [100, hello - 40, hello + 40, sse.count - 100], through: exchange)
        #expect(output == sse, "a stream that ends as its API says reaches the client untouched")
        let metadata = try #require(last.tollgateMetadata)
        #expect(metadata["input_tokens"] == .number(2036))
        #expect(metadata["reasoning_tokens"] == .number(320))
        #expect(metadata["usage_complete"] == .bool(true))
        #expect(metadata["stream_outcome"] == .string("completed"))
        let recorded = try #require(gateway.observer.completions.only)
        #expect(recorded.stream)
        #expect(recorded.streamOutcome == .completed)
        #expect(recorded.usage?.cachedInputTokens == 1792)
        #expect(recorded.timeToFirstToken == .milliseconds(30))
        #expect(recorded.duration == .milliseconds(50))
    }

    @Test func functionCallArgumentsAreTheFirstTokenOfAToolCall() throws {
        let exchange = try Exchange(
            gateway,
            path: "/v1/responses",
            body: #"{"model":"fast","stream":true,"input":"x"}"#
        )
        _ = exchange.attempt("gpt-4o-mini/0", path: "/v1/responses")
        _ = exchange.responseHeaders(contentType: "text/event-stream")
        let sse = try fixture("streams/openai-responses/function_call_crlf.sse")
        let text = String(decoding: sse, as: UTF8.self)
        let arguments = text.utf8.distance(
            from: text.startIndex,
            to: try #require(text.range(of: "response.function_call_arguments.delta")).lowerBound
        )
        _ = stream(sse, cuts: [arguments, sse.count - 10], through: exchange)
        let recorded = try #require(gateway.observer.completions.only)
        #expect(recorded.timeToFirstToken == .milliseconds(20))
        #expect(recorded.usage == TokenUsage(inputTokens: 291, outputTokens: 23))
    }

    @Test func truncatedResponsesStreamEndsWithAnErrorEventAndIncompleteUsage() throws {
        let exchange = try Exchange(
            gateway,
            path: "/v1/responses",
            body: #"{"model":"fast","stream":true,"input":"x"}"#
        )
        _ = exchange.attempt("gpt-4o-mini/0", path: "/v1/responses")
        _ = exchange.responseHeaders(contentType: "text/event-stream")
        let sse = try fixture("streams/openai-responses/truncated.sse")
        let reply = exchange.responseBody(sse)
        let output = String(decoding: reply.chunkOutput(original: sse), as: UTF8.self)
        #expect(output.hasSuffix("\n\n"))
        let lastEvent = try #require(output.split(separator: "\n\n").last)
        #expect(lastEvent.hasPrefix("event: error\ndata: "))
        let error = try jsonObject(Array(lastEvent.dropFirst("event: error\ndata: ".count).utf8))
        #expect(error["type"] as? String == "error")
        #expect(error["code"] as? String == "server_error")
        #expect(reply.tollgateMetadata?["usage_complete"] == .bool(false))
        #expect(reply.tollgateMetadata?["stream_outcome"] == .string("truncated"))
        let recorded = try #require(gateway.observer.completions.only)
        #expect(recorded.streamOutcome == .failed(.truncated))
        #expect(recorded.usage?.isComplete == false)
        #expect(recorded.timeToFirstToken != nil, "Hello reached the client before the cut")
    }

    @Test func failedResponseKeepsTheProvidersUsageAndError() throws {
        let exchange = try Exchange(
            gateway,
            path: "/v1/responses",
            body: #"{"model":"fast","stream":true,"input":"x"}"#
        )
        _ = exchange.attempt("gpt-4o-mini/0", path: "/v1/responses")
        _ = exchange.responseHeaders(contentType: "text/event-stream")
        let sse = try fixture("streams/openai-responses/failed.sse")
        let reply = exchange.responseBody(sse)
        #expect(reply.chunkOutput(original: sse) == sse)
        let recorded = try #require(gateway.observer.completions.only)
        #expect(
            recorded.streamOutcome
                == .failed(.upstreamError(type: "server_error", message: "The model produced invalid content."))
        )
        #expect(recorded.usage == TokenUsage(inputTokens: 120, outputTokens: 3, cachedInputTokens: 64))
    }

    @Test func responsesAPIOnAnAnthropicBackendIsAClear400() throws {
        // Claude's only backend: the router phase prepares the request and refuses it at once.
        let (_, _, reply) = gateway.route(
            path: "/v1/responses",
            key: GatewayFixture.teamBKey,
            body: #"{"model":"sonnet","input":"hi"}"#
        )
        let response = try #require(reply.immediate)
        #expect(response.status == 400)
        let error = try #require(try jsonObject(response.body)["error"] as? [String: Any])
        #expect(error["type"] as? String == "invalid_request_error")
        #expect(error["message"] as? String == "The model 'claude-sonnet' cannot serve '/v1/responses'.")
        #expect(error["param"] as? String == "model")
        let recorded = try #require(gateway.observer.completions.only)
        #expect(recorded.rejection == "endpoint_not_supported")
        #expect(recorded.usage == nil)
    }

    // MARK: - /v1/completions

    @Test func streamedCompletionsAsksForUsageAndHidesIt() throws {
        let exchange = try Exchange(
            gateway,
            path: "/v1/completions",
            body: #"{"model":"fast","prompt":"Say this is a test","stream":true}"#
        )
        let attempt = exchange.attempt("gpt-4o-mini/0", path: "/v1/completions")
        #expect(attempt.setHeader(":path") == "/v1/completions")
        let sent = try jsonObject(try #require(attempt.replacedBody))
        #expect((sent["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
        #expect(sent["model"] as? String == "gpt-4o-mini-2024-07-18")
        let state = try #require(gateway.requests.take(try exchange.requestID(), now: gateway.clock.now))
        #expect(state.lastAttempt?.clientWantsStreamUsage == false)

        let headers = exchange.responseHeaders(contentType: "text/event-stream")
        #expect(headers != .held, "answered at once, chunks read as they come")
        let sse = try fixture("streams/openai-completions/text_usage.sse")
        let text = String(decoding: sse, as: UTF8.self)
        let this = text.utf8.distance(
            from: text.startIndex,
            to: try #require(text.range(of: #""text":"This""#)).lowerBound
        )
        let (output, last) = stream(sse, cuts: [this, this + 150], through: exchange)
        let events = sseData(output)
        #expect(events.last == "[DONE]")
        #expect(
            !events.contains { $0.contains("usage") },
            "neither the usage chunk nor \"usage\":null reach the client"
        )
        #expect(events.count == 5)
        #expect(last.tollgateMetadata?["input_tokens"] == .number(5))
        #expect(last.tollgateMetadata?["output_tokens"] == .number(4))
        #expect(last.tollgateMetadata?["usage_complete"] == .bool(true))
        let recorded = try #require(gateway.observer.completions.only)
        #expect(recorded.usage == TokenUsage(inputTokens: 5, outputTokens: 4))
        #expect(recorded.streamOutcome == .completed)
        #expect(recorded.timeToFirstToken == .milliseconds(20), "the first chunk's text is empty")
    }

    @Test func streamedCompletionsUsageReachesAClientThatAskedForIt() throws {
        let exchange = try Exchange(
            gateway,
            path: "/v1/completions",
            body: #"{"model":"fast","prompt":"x","stream":true,"stream_options":{"include_usage":true}}"#
        )
        let attempt = exchange.attempt("gpt-4o-mini/0", path: "/v1/completions")
        #expect(
            String(decoding: try #require(attempt.replacedBody), as: UTF8.self)
                == #"{"model":"gpt-4o-mini-2024-07-18","prompt":"x","stream":true,"stream_options":{"include_usage":true}}"#
        )
        _ = exchange.responseHeaders(contentType: "text/event-stream")
        let sse = try fixture("streams/openai-completions/text_usage.sse")
        let reply = exchange.responseBody(sse)
        #expect(reply.chunkOutput(original: sse) == sse)
        #expect(gateway.observer.completions.only?.usage == TokenUsage(inputTokens: 5, outputTokens: 4))
    }

    @Test func truncatedCompletionsStreamIsIncomplete() throws {
        let exchange = try Exchange(
            gateway,
            path: "/v1/completions",
            body: #"{"model":"fast","prompt":"x","stream":true}"#
        )
        _ = exchange.attempt("gpt-4o-mini/0", path: "/v1/completions")
        _ = exchange.responseHeaders(contentType: "text/event-stream")
        let sse = try fixture("streams/openai-completions/truncated.sse")
        let events = sseData(exchange.responseBody(sse).chunkOutput(original: sse))
        #expect(events.last == "[DONE]")
        let error = try jsonObject(Array(events[events.count - 2].utf8))
        #expect((error["error"] as? [String: Any])?["type"] as? String == "server_error")
        let recorded = try #require(gateway.observer.completions.only)
        #expect(recorded.streamOutcome == .failed(.truncated))
        #expect(recorded.usage?.isComplete == false)
    }

    @Test func bufferedCompletionsUsageIsRead() throws {
        let exchange = try Exchange(gateway, path: "/v1/completions", body: #"{"model":"fast","prompt":"x"}"#)
        let attempt = exchange.attempt("gpt-4o-mini/0", path: "/v1/completions")
        #expect(!String(decoding: try #require(attempt.replacedBody), as: UTF8.self).contains("stream_options"))
        #expect(exchange.responseHeaders() == .held, "held until the body ends")
        let reply = exchange.responseBody(try fixture("responses/openai-completions/text.json"))
        #expect(reply.common?.bodyMutation == nil)
        #expect(reply.tollgateMetadata?["input_tokens"] == .number(5))
        #expect(reply.tollgateMetadata?["output_tokens"] == .number(7))
        #expect(gateway.observer.completions.only?.usage == TokenUsage(inputTokens: 5, outputTokens: 7))
    }

    // MARK: - /v1/embeddings

    @Test func embeddingsUsageIsRecorded() throws {
        let exchange = try Exchange(gateway, path: "/v1/embeddings", body: #"{"model":"fast","input":["a","b"]}"#)
        _ = exchange.attempt("gpt-4o-mini/0", path: "/v1/embeddings")
        _ = exchange.responseHeaders()
        let reply = exchange.responseBody(try fixture("responses/openai-embeddings/batch.json"))
        #expect(reply.common?.bodyMutation == nil)
        #expect(reply.tollgateMetadata?["input_tokens"] == .number(16))
        #expect(reply.tollgateMetadata?["output_tokens"] == .number(0))
        let recorded = try #require(gateway.observer.completions.only)
        #expect(recorded.usage == TokenUsage(inputTokens: 16))
        #expect(recorded.endpoint == .embeddings)
    }

    // MARK: - The output cap of a translated Messages request

    private func messagesAttempt(_ gateway: GatewayHarness, model: String, backend: String) throws -> [String: Any] {
        let exchange = try Exchange(
            gateway,
            path: "/v1/messages",
            key: GatewayFixture.adminKey,
            body: #"{"model":""# + model + #"","max_tokens":77,"messages":[{"role":"user","content":"hi"}]}"#
        )
        return try jsonObject(try #require(exchange.attempt(backend, path: "/v1/messages").replacedBody))
    }

    @Test func outputCapFieldFollowsTheProvider() throws {
        // OpenAI itself and Azure: max_completion_tokens; another compatible API: max_tokens.
        for backend in ["gpt-4o-mini/0", "gpt-4o-mini/1"] {
            let body = try messagesAttempt(gateway, model: "fast", backend: backend)
            #expect(body["max_completion_tokens"] as? Int == 77, "\(backend)")
            #expect(body["max_tokens"] == nil, "\(backend)")
        }
        let local = try messagesAttempt(gateway, model: "llama", backend: "llama/0")
        #expect(local["max_tokens"] as? Int == 77)
        #expect(local["max_completion_tokens"] == nil)
    }

    @Test func configuredOutputCapFieldWins() throws {
        var config = GatewayFixture.config()
        config.providers = config.providers.map { provider in
            var provider = provider
            if provider.name == "local" { provider.maxTokensField = .maxCompletionTokens }
            if provider.name == "openai" { provider.maxTokensField = .maxTokens }
            return provider
        }
        let gateway = GatewayHarness(snapshot: GatewaySnapshot(config: config, credentials: GatewayFixture.credentials))
        #expect(try messagesAttempt(gateway, model: "llama", backend: "llama/0")["max_completion_tokens"] as? Int == 77)
        #expect(try messagesAttempt(gateway, model: "fast", backend: "gpt-4o-mini/0")["max_tokens"] as? Int == 77)
    }
}
