import ExtProc
import Foundation
import Gateway
import Testing

/// One request through both phases, driven by the `ProcessingRequest` values Envoy sends: the
/// router phase's request headers and body, one upstream stream per attempt, then the router
/// phase's response headers and body messages.
struct Exchange {
    let gateway: GatewayHarness
    let router: any ExtProcStreamHandler
    let id: String
    let routerReply: ProcessingResponse

    init(
        _ gateway: GatewayHarness,
        path: String = "/v1/chat/completions",
        key: String = GatewayFixture.teamAKey,
        body: String,
        extraHeaders: [(String, String)] = []
    ) throws {
        self.gateway = gateway
        router = gateway.stream()
        _ = router.handle(
            .headers([(":method", "POST"), (":path", path), ("authorization", "Bearer " + key)] + extraHeaders)
        )
        // The held headers reply, sent with the body's: it routes the request.
        routerReply = router.replies(to: .body(body)).first?.response ?? .held
        id = try #require(routerReply.routedRequestID, "the router phase refused: \(routerReply)")
    }

    func requestID() throws -> RequestID {
        try #require(RequestID(header: Array(id.utf8)))
    }

    /// An upstream attempt to `backend`, found by the forwarded metadata as Envoy sends it.
    func attempt(_ backend: String, path: String = "/v1/chat/completions") -> ProcessingResponse {
        let request = ProcessingRequest(
            payload: .requestHeaders(
                HTTPHeaders(
                    fields: [HeaderField(name: ":method", value: "POST"), HeaderField(name: ":path", value: path)],
                    endOfStream: false
                )
            ),
            attributes: upstreamAttributes(backend: backend),
            metadataContext: ["tollgate": ["request": .string(id)]]
        )
        return gateway.stream().handle(request)
    }

    func responseHeaders(
        status: Int = 200,
        contentType: String? = "application/json",
        _ extra: [(String, String)] = [],
        endOfStream: Bool = false
    ) -> ProcessingResponse {
        var fields = [HeaderField(name: ":status", value: String(status))]
        if let contentType { fields.append(HeaderField(name: "content-type", value: contentType)) }
        fields.append(HeaderField(name: "date", value: "Wed, 22 Nov 2023 22:13:20 GMT"))
        fields += extra.map { HeaderField(name: $0.0, value: $0.1) }
        return router.handle(
            ProcessingRequest(payload: .responseHeaders(HTTPHeaders(fields: fields, endOfStream: endOfStream)))
        )
    }

    func responseBody(_ text: String, endOfStream: Bool = true) -> ProcessingResponse {
        responseBody(Array(text.utf8), endOfStream: endOfStream)
    }

    /// The body's reply; when it releases a held headers reply (a body read whole), that reply's
    /// header changes are merged in, so a test sees everything the response's end changed.
    func responseBody(_ bytes: [UInt8], endOfStream: Bool = true) -> ProcessingResponse {
        let replies = router.replies(
            to: ProcessingRequest(payload: .responseBody(HTTPBody(bytes: bytes, endOfStream: endOfStream)))
        )
        guard var body = replies.last?.response else { return .held }
        if let headers = replies.first(where: { $0.phase == .responseHeaders })?.response.common,
            case .continue(var common) = body.decision
        {
            common.headerMutation.setHeaders = headers.headerMutation.setHeaders + common.headerMutation.setHeaders
            common.headerMutation.removeHeaders =
                headers.headerMutation.removeHeaders + common.headerMutation.removeHeaders
            body.decision = .continue(common)
        }
        return body
    }
}

extension ProcessingResponse {
    /// The `tollgate` namespace of the reply's dynamic metadata.
    var tollgateMetadata: ProtoStruct? {
        guard case .structure(let fields) = dynamicMetadata?["tollgate"] else { return nil }
        return fields
    }

    /// The body bytes a streamed chunk's reply leaves: the replacement, nothing when cleared,
    /// else the original.
    func chunkOutput(original: [UInt8]) -> [UInt8] {
        switch common?.bodyMutation {
        case .replace(let bytes), .streamed(let bytes, _): bytes
        case .clear: []
        case nil: original
        }
    }
}

/// The `data:` payloads of an SSE text, `[DONE]` included.
func sseData(_ bytes: [UInt8]) -> [String] {
    String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
        line.hasPrefix("data: ") ? String(line.dropFirst(6)) : nil
    }
}

func fixture(_ path: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/" + path)
    return Array(try Data(contentsOf: url))
}

/// Requests translated per attempt in the upstream phase, and the attempt recorded for the
/// response side.
@Suite struct PhasesUpstreamTranslationTests {
    let gateway = GatewayHarness()

    @Test func openAIClientToAnthropicBackendGetsTheMessagesRequest() throws {
        let exchange = try Exchange(
            gateway,
            key: GatewayFixture.teamBKey,
            body: #"""
                {"model":"sonnet","messages":[{"role":"system","content":"Be brief."},
                {"role":"user","content":"hi"},{"role":"user","content":"again"}],"temperature":0.5}
                """#
        )
        let response = exchange.attempt("claude-sonnet/0")
        #expect(response.common?.status == .continueAndReplace)
        #expect(response.setHeader(":path") == "/v1/messages")
        #expect(response.setHeader("x-api-key") == "sk-ant-secret")
        #expect(response.setHeader("anthropic-version") == "2023-06-01")
        let body = try jsonObject(try #require(response.replacedBody))
        #expect(body["model"] as? String == "claude-sonnet-4-5")
        #expect(body["max_tokens"] as? Int == 4096)
        #expect(body["temperature"] as? Double == 0.5)
        #expect(body["system"] != nil)
        let messages = try #require(body["messages"] as? [[String: Any]])
        #expect(messages.count == 1, "two user turns in a row are merged")
        #expect(messages.first?["role"] as? String == "user")
        #expect(response.setHeader("content-length") == String(try #require(response.replacedBody).count))
    }

    @Test func configuredDefaultMaxTokensIsUsed() throws {
        var config = GatewayFixture.config()
        config.settings.defaultMaxTokens = 123
        let gateway = GatewayHarness(
            snapshot: GatewaySnapshot(config: config, credentials: GatewayFixture.credentials)
        )
        let exchange = try Exchange(
            gateway,
            key: GatewayFixture.teamBKey,
            body: #"{"model":"sonnet","messages":[{"role":"user","content":"hi"}]}"#
        )
        let body = try jsonObject(try #require(exchange.attempt("claude-sonnet/0").replacedBody))
        #expect(body["max_tokens"] as? Int == 123)
    }

    @Test func anthropicClientToOpenAIAndAzureBackendsGetsChatCompletions() throws {
        let exchange = try Exchange(
            gateway,
            path: "/v1/messages",
            body: #"""
                {"model":"fast","max_tokens":50,"system":"Be brief.","messages":[{"role":"user","content":"hi"}],
                "tools":[{"name":"get_weather","description":"w","input_schema":{"type":"object"}}]}
                """#
        )
        let openAI = exchange.attempt("gpt-4o-mini/0", path: "/v1/messages")
        #expect(openAI.setHeader(":path") == "/v1/chat/completions")
        let body = try jsonObject(try #require(openAI.replacedBody))
        #expect(body["model"] as? String == "gpt-4o-mini-2024-07-18")
        #expect(body["max_completion_tokens"] as? Int == 50)
        let messages = try #require(body["messages"] as? [[String: Any]])
        #expect(messages.map { $0["role"] as? String } == ["system", "user"])
        #expect((body["tools"] as? [[String: Any]])?.first?["type"] as? String == "function")

        // The retry on Azure: translated again, to its deployment path.
        let azure = exchange.attempt("gpt-4o-mini/1", path: "/v1/chat/completions")
        #expect(
            azure.setHeader(":path") == "/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21"
        )
        #expect(try jsonObject(try #require(azure.replacedBody))["model"] as? String == "my-deployment")
        let state = try #require(gateway.requests.take(try exchange.requestID(), now: gateway.clock.now))
        #expect(state.attempts == 2)
        #expect(
            state.lastAttempt
                == UpstreamAttempt(
                    backendID: "gpt-4o-mini/1",
                    provider: "azure",
                    upstreamModel: "my-deployment",
                    dialect: .openAI,
                    clientWantsStreamUsage: true
                )
        )
    }

    @Test func openAIStreamAsksForUsageWhenTheClientDidNot() throws {
        let original = #"{"model":"fast","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
        let exchange = try Exchange(gateway, body: original)
        let body = try jsonObject(try #require(exchange.attempt("gpt-4o-mini/0").replacedBody))
        #expect((body["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
        #expect(body["model"] as? String == "gpt-4o-mini-2024-07-18")
        let state = try #require(gateway.requests.take(try exchange.requestID(), now: gateway.clock.now))
        #expect(state.lastAttempt?.clientWantsStreamUsage == false)
    }

    @Test func requestTheBackendsAPICannotExpressIs400AndRecorded() throws {
        // Claude's only backend: the router phase translates the request itself and refuses it.
        let (_, _, reply) = gateway.route(
            key: GatewayFixture.teamBKey,
            body: #"{"model":"sonnet","n":2,"messages":[{"role":"user","content":"hi"}]}"#
        )
        let response = try #require(reply.immediate)
        #expect(response.status == 400)
        #expect(response.details == "tollgate_translation_unsupported")
        #expect(try errorField(response, "type") == "invalid_request_error")
        #expect(gateway.metric(#"tollgate_gateway_rejections_total{reason="translation_unsupported"} 1"#))
        let completion = try #require(gateway.observer.completions.only)
        #expect(completion.rejection == "translation_unsupported")
        #expect(completion.backendID == "claude-sonnet/0")
        #expect(completion.provider == "anthropic")
        #expect(completion.attempts == 0)
        #expect(completion.status == 400)
    }

    @Test func embeddingsPassThroughWithModelRewritten() throws {
        let exchange = try Exchange(gateway, path: "/v1/embeddings", body: #"{"model":"fast","input":"x"}"#)
        let response = exchange.attempt("gpt-4o-mini/0", path: "/v1/embeddings")
        #expect(response.setHeader(":path") == "/v1/embeddings")
        #expect(
            String(decoding: try #require(response.replacedBody), as: UTF8.self)
                == #"{"model":"gpt-4o-mini-2024-07-18","input":"x"}"#
        )
    }
}

/// The router phase's response side: what is asked of Envoy at the response headers, what each
/// body message becomes, the dynamic metadata of the last reply, and the observer's completion.
@Suite struct PhasesResponseTests {
    let gateway = GatewayHarness()

    private func claudeExchange(stream: Bool = false, includeUsage: Bool = false) throws -> Exchange {
        var body = #"{"model":"sonnet","messages":[{"role":"user","content":"hi"}]"#
        if stream { body += #","stream":true"# }
        if includeUsage { body += #","stream_options":{"include_usage":true}"# }
        let exchange = try Exchange(gateway, key: GatewayFixture.teamBKey, body: body + "}")
        #expect(exchange.attempt("claude-sonnet/0").common?.status == .continueAndReplace)
        return exchange
    }

    @Test func bufferedAnthropicResponseBecomesAChatCompletionWithUsage() throws {
        let exchange = try claudeExchange()
        gateway.clock.advance(by: .milliseconds(250))
        let headers = exchange.responseHeaders(status: 200, [("content-length", "999")])
        #expect(headers == .held)

        let reply = exchange.responseBody(try fixture("responses/anthropic/text_cache.json"))
        let body = try #require(reply.replacedBody)
        let completion = try jsonObject(body)
        #expect(completion["object"] as? String == "chat.completion")
        #expect(completion["created"] as? Int == 1_700_691_200)
        let message = try #require((completion["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])
        #expect(message["content"] as? String == "Rome is the capital of Italy, with about 2.8 million people.")
        let usage = try #require(completion["usage"] as? [String: Any])
        #expect(usage["prompt_tokens"] as? Int == 12 + 1024 + 2048)
        #expect(reply.setHeader("content-length") == nil, "Envoy drops it from a STREAMED body")

        let metadata = try #require(reply.tollgateMetadata)
        #expect(metadata["input_tokens"] == .number(3084))
        #expect(metadata["output_tokens"] == .number(15))
        #expect(metadata["cached_input_tokens"] == .number(2048))
        #expect(metadata["cache_creation_input_tokens"] == .number(1024))
        #expect(metadata["usage_complete"] == .bool(true))
        #expect(metadata["backend"] == .string("claude-sonnet/0"))
        #expect(metadata["provider"] == .string("anthropic"))
        #expect(metadata["attempts"] == .number(1))
        #expect(metadata["duration_ms"] == .number(250))
        #expect(metadata["ttft_ms"] == .number(250))

        let recorded = try #require(gateway.observer.completions.only)
        #expect(recorded.keyName == "team-b")
        #expect(recorded.tenant == "beta")
        #expect(recorded.model == "claude-sonnet")
        #expect(recorded.clientModel == "sonnet")
        #expect(recorded.status == 200)
        #expect(recorded.upstreamModel == "claude-sonnet-4-5")
        #expect(
            recorded.usage
                == TokenUsage(
                    inputTokens: 3084,
                    outputTokens: 15,
                    cachedInputTokens: 2048,
                    cacheCreationInputTokens: 1024
                )
        )
        #expect(recorded.rejection == nil)
        #expect(!recorded.interrupted)
        #expect(recorded.duration == .milliseconds(250))
        #expect(gateway.metric(#"tollgate_gateway_tokens_total{kind="input"} 3084"#))
    }

    @Test func streamedAnthropicResponseBecomesChunksEndingInDone() throws {
        let exchange = try claudeExchange(stream: true)
        let headers = exchange.responseHeaders(contentType: "text/event-stream; charset=utf-8")
        #expect(headers != .held, "answered at once, chunks read as they come")

        let sse = try fixture("streams/anthropic/text_cache.sse")
        // Cut mid-event, as the network may: each chunk's reply is what the client gets for it.
        let cuts = [0, 100, 500, 720, sse.count]
        var output: [UInt8] = []
        for index in 0..<(cuts.count - 1) {
            gateway.clock.advance(by: .milliseconds(10))
            let chunk = Array(sse[cuts[index]..<cuts[index + 1]])
            let last = index == cuts.count - 2
            let reply = exchange.responseBody(chunk, endOfStream: last)
            output += reply.chunkOutput(original: chunk)
            #expect((reply.dynamicMetadata != nil) == last)
        }
        let events = sseData(output)
        #expect(events.last == "[DONE]")
        var text = ""
        for event in events.dropLast() {
            let chunk = try jsonObject(Array(event.utf8))
            #expect(chunk["object"] as? String == "chat.completion.chunk")
            for choice in chunk["choices"] as? [[String: Any]] ?? [] {
                text += ((choice["delta"] as? [String: Any])?["content"] as? String) ?? ""
            }
            // The client did not ask for usage: no usage chunk reaches it.
            #expect(!(chunk["choices"] as? [Any] ?? []).isEmpty)
        }
        #expect(text == "Hello, \"world\" — ünïcødé ✓\n")

        let recorded = try #require(gateway.observer.completions.only)
        #expect(
            recorded.usage
                == TokenUsage(
                    inputTokens: 2125,
                    outputTokens: 15,
                    cachedInputTokens: 2000,
                    cacheCreationInputTokens: 100
                )
        )
        #expect(recorded.streamOutcome == .completed)
        #expect(recorded.stream)
        // The first text ("Hello") sits in the third chunk.
        #expect(recorded.timeToFirstToken == .milliseconds(30))
        #expect(recorded.duration == .milliseconds(40))
        #expect(gateway.metric(#"tollgate_gateway_streams_total{outcome="completed"} 1"#))
    }

    @Test func streamUsageChunkReachesAClientThatAskedForIt() throws {
        let exchange = try claudeExchange(stream: true, includeUsage: true)
        _ = exchange.responseHeaders(contentType: "text/event-stream")
        let sse = try fixture("streams/anthropic/text_cache.sse")
        let events = sseData(exchange.responseBody(sse).chunkOutput(original: sse))
        let usageChunk = try jsonObject(Array(events[events.count - 2].utf8))
        #expect((usageChunk["usage"] as? [String: Any])?["prompt_tokens"] as? Int == 2125)
    }

    @Test func truncatedStreamEndsWithAnErrorEventAndIncompleteUsage() throws {
        let exchange = try claudeExchange(stream: true)
        _ = exchange.responseHeaders(contentType: "text/event-stream")
        let sse = try fixture("streams/anthropic/truncated.sse")
        let reply = exchange.responseBody(sse)
        let events = sseData(reply.chunkOutput(original: sse))
        #expect(events.last == "[DONE]")
        let error = try jsonObject(Array(events[events.count - 2].utf8))
        #expect((error["error"] as? [String: Any])?["type"] as? String == "server_error")
        #expect(reply.tollgateMetadata?["usage_complete"] == .bool(false))
        #expect(reply.tollgateMetadata?["stream_outcome"] == .string("truncated"))
        let recorded = try #require(gateway.observer.completions.only)
        #expect(recorded.usage?.isComplete == false)
        #expect(recorded.streamOutcome == .failed(.truncated))
    }

    @Test func resetMidStreamReportsOnceWithWhatWasSeen() throws {
        let exchange = try claudeExchange(stream: true)
        _ = exchange.responseHeaders(contentType: "text/event-stream")
        let sse = try fixture("streams/anthropic/text_cache.sse")
        _ = exchange.responseBody(Array(sse[..<700]), endOfStream: false)
        exchange.router.streamDidEnd(.reset)
        exchange.router.streamDidEnd(.reset)
        let recorded = try #require(gateway.observer.completions.only)
        #expect(recorded.interrupted)
        #expect(recorded.usage?.inputTokens == 2125)
        #expect(recorded.usage?.isComplete == false)
        #expect(gateway.metric(#"tollgate_gateway_streams_total{outcome="interrupted"} 1"#))
        // The state went with the stream.
        #expect(gateway.requests.count == 0)
    }

    @Test func openAIPassthroughIsReadForUsageButNotRewritten() throws {
        let exchange = try Exchange(gateway, body: #"{"model":"fast","messages":[{"role":"user","content":"hi"}]}"#)
        _ = exchange.attempt("gpt-4o-mini/0")
        let headers = exchange.responseHeaders([("content-length", "300")])
        #expect(headers == .held)
        let reply = exchange.responseBody(try fixture("responses/openai/text_cached.json"))
        #expect(reply.common?.bodyMutation == nil)
        #expect(reply.common?.headerMutation.isEmptyForTests == true)
        let usage = try #require(gateway.observer.completions.only?.usage)
        #expect(usage.inputTokens > 0 && usage.cachedInputTokens > 0)
        #expect(reply.tollgateMetadata?["provider"] == .string("openai"))
    }

    @Test func openAIStreamHidesTheUsageChunkTheGatewayAskedFor() throws {
        let exchange = try Exchange(gateway, body: #"{"model":"fast","stream":true,"messages":[]}"#)
        _ = exchange.attempt("gpt-4o-mini/0")
        _ = exchange.responseHeaders(contentType: "text/event-stream")
        let sse = try fixture("streams/openai/tool_calls.sse")
        var output: [UInt8] = []
        for (index, byte) in sse.enumerated() {
            output += exchange.responseBody([byte], endOfStream: index == sse.count - 1).chunkOutput(original: [byte])
        }
        let events = sseData(output)
        #expect(events.last == "[DONE]")
        #expect(!events.contains { $0.contains(#""usage":{"#) })
        #expect(events.contains { $0.contains("get_weather") })
        let recorded = try #require(gateway.observer.completions.only)
        #expect(recorded.usage == TokenUsage(inputTokens: 90, outputTokens: 40))
        #expect(recorded.timeToFirstToken != nil)
    }

    @Test func errorInTheSameDialectPassesUnread() throws {
        let exchange = try Exchange(gateway, body: #"{"model":"fast","messages":[]}"#)
        _ = exchange.attempt("gpt-4o-mini/0")
        let headers = exchange.responseHeaders(status: 429)
        #expect(headers != .held, "passed through")
        #expect(headers.tollgateMetadata?["backend"] == .string("gpt-4o-mini/0"))
        #expect(headers.tollgateMetadata?["input_tokens"] == nil)
        #expect(gateway.observer.completions.only?.status == 429)
    }

    @Test func anthropicOverloadedBecomesAnOpenAI503() throws {
        let exchange = try claudeExchange()
        let headers = exchange.responseHeaders(status: 529)
        #expect(headers == .held)
        let reply = exchange.responseBody(
            #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#
        )
        #expect(reply.setHeader(":status") == "503")
        let body = try jsonObject(try #require(reply.replacedBody))
        let error = try #require(body["error"] as? [String: Any])
        #expect(error["message"] as? String == "Overloaded")
        #expect(error["type"] as? String == "server_error")
        #expect(gateway.observer.completions.only?.status == 503)
    }

    @Test func openAIRateLimitBecomesAnthropicShaped() throws {
        let exchange = try Exchange(
            gateway,
            path: "/v1/messages",
            body: #"{"model":"fast","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#
        )
        _ = exchange.attempt("gpt-4o-mini/0", path: "/v1/messages")
        _ = exchange.responseHeaders(status: 429)
        let reply = exchange.responseBody(
            #"{"error":{"message":"Slow down","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#
        )
        #expect(reply.setHeader(":status") == nil)
        let body = try jsonObject(try #require(reply.replacedBody))
        #expect(body["type"] as? String == "error")
        #expect((body["error"] as? [String: Any])?["type"] as? String == "rate_limit_error")
    }

    @Test func providersUnauthorizedIsRewrittenEvenInItsOwnDialect() throws {
        let exchange = try Exchange(gateway, body: #"{"model":"fast","messages":[]}"#)
        _ = exchange.attempt("gpt-4o-mini/0")
        #expect(exchange.responseHeaders(status: 401) == .held)
        let reply = exchange.responseBody(#"{"error":{"message":"Incorrect API key provided: sk-open***cret"}}"#)
        #expect(!String(decoding: try #require(reply.replacedBody), as: UTF8.self).contains("sk-"))
    }

    @Test func envoysLocalReplyIsLeftAloneAndReported() throws {
        let exchange = try claudeExchange()
        let headers = exchange.responseHeaders(status: 503, [("x-tollgate-local-reply", "upstream_unavailable")])
        #expect(headers != .held, "passed through")
        #expect(headers.removedHeaders == ["x-tollgate-local-reply"])
        #expect(headers.tollgateMetadata?["rejection"] == .string("upstream_unavailable"))
        #expect(gateway.observer.completions.only?.rejection == "upstream_unavailable")
    }

    @Test func anthropicBodyThatIsNotAMessageIsA502() throws {
        let exchange = try claudeExchange()
        _ = exchange.responseHeaders()
        let reply = exchange.responseBody("<html>oops</html>")
        #expect(reply.setHeader(":status") == "502")
        #expect(try jsonObject(try #require(reply.replacedBody))["error"] != nil)
    }

    @Test func embeddingsUsageIsRead() throws {
        let exchange = try Exchange(gateway, path: "/v1/embeddings", body: #"{"model":"fast","input":"x"}"#)
        _ = exchange.attempt("gpt-4o-mini/1", path: "/v1/embeddings")
        #expect(exchange.responseHeaders() == .held)
        let reply = exchange.responseBody(
            #"{"object":"list","data":[],"model":"m","usage":{"prompt_tokens":7,"total_tokens":7}}"#
        )
        #expect(reply.common?.bodyMutation == nil)
        #expect(reply.tollgateMetadata?["input_tokens"] == .number(7))
        #expect(reply.tollgateMetadata?["provider"] == .string("azure"))
    }

    @Test func responseWithoutBodyNeedsNoBodyPhase() throws {
        let exchange = try claudeExchange()
        let headers = exchange.responseHeaders(endOfStream: true)
        #expect(headers != .held, "passed through")
        #expect(gateway.observer.completions.count == 1)
    }

    @Test func compressedBodyIsNotRead() throws {
        let exchange = try claudeExchange()
        #expect(exchange.responseHeaders([("content-encoding", "gzip")]) != .held, "passed through")
    }

    @Test func rejectionsInTheRouterPhaseAreReportedOnce() throws {
        let handler = gateway.stream()
        let reply = handler.handle(
            .headers([(":method", "POST"), (":path", "/v1/chat/completions"), ("x-request-id", "abc")])
        )
        #expect(reply.immediate?.status == 401)
        #expect(reply.tollgateMetadata?["rejection"] == .string("missing_key"))
        #expect(reply.tollgateMetadata?["endpoint"] == .string("/v1/chat/completions"))
        handler.streamDidEnd(.reset)
        let recorded = try #require(gateway.observer.completions.only)
        #expect(recorded.rejection == "missing_key")
        #expect(recorded.status == 401)
        #expect(recorded.endpoint == .chatCompletions)
        #expect(recorded.envoyRequestID == "abc")
        #expect(!recorded.interrupted)

        let (_, _, forbidden) = gateway.route(body: #"{"model":"claude-sonnet"}"#)
        #expect(forbidden.immediate?.status == 403)
        #expect(forbidden.tollgateMetadata?["model"] == nil, "refused before a model was resolved")
        #expect(gateway.observer.completions.last?.rejection == "model_not_allowed")
        #expect(gateway.observer.completions.last?.keyName == "team-a")
        #expect(gateway.observer.completions.count == 2)
    }

    @Test func requestCutBeforeItsResponseIsReportedInterrupted() throws {
        let exchange = try claudeExchange()
        exchange.router.streamDidEnd(.reset)
        let recorded = try #require(gateway.observer.completions.only)
        #expect(recorded.interrupted)
        #expect(recorded.status == nil)
        #expect(recorded.usage == nil)
    }

    @Test(arguments: [
        ("Wed, 22 Nov 2023 22:13:20 GMT", 1_700_691_200),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Sun, 29 Feb 2032 23:59:59 GMT", 1_961_711_999),
        ("Sunday, 06-Nov-94 08:49:37 GMT", nil),
        ("Wed, 22 Nov 2023 22:13:20 UTC", nil),
    ])
    func dateHeaderGivesCreated(value: String, expected: Int?) throws {
        let exchange = try claudeExchange()
        var fields = [
            HeaderField(name: ":status", value: "200"), HeaderField(name: "content-type", value: "application/json"),
        ]
        fields.append(HeaderField(name: "date", value: value))
        _ = exchange.router.handle(
            ProcessingRequest(payload: .responseHeaders(HTTPHeaders(fields: fields, endOfStream: false)))
        )
        let reply = exchange.responseBody(try fixture("responses/anthropic/text_cache.json"))
        let created = try jsonObject(try #require(reply.replacedBody))["created"] as? Int
        // Without a readable date, the injected wall clock.
        #expect(created == (expected ?? 1_700_000_000))
    }
}

extension Array {
    /// The one element, or nil when there are none or several.
    var only: Element? { count == 1 ? first : nil }
}

extension HeaderMutation {
    var isEmptyForTests: Bool { setHeaders.isEmpty && removeHeaders.isEmpty }
}
