import ExtProc
import Foundation
import Gateway
import Testing

/// A model with one backend: the router phase prepares the request for it (what the upstream
/// phase does per attempt) and sends it to the model's direct route, so no upstream phase runs.
@Suite struct PhasesDirectTests {
    let gateway = GatewayHarness()

    /// The router phase's replies to a request's headers (plus `extra`) and whole body.
    private func routerReplies(
        key: String = GatewayFixture.teamBKey,
        body: String,
        extra: [(String, String)] = []
    ) -> (handler: any ExtProcStreamHandler, replies: [ProcessingReply]) {
        let handler = gateway.stream()
        let headers = [(":method", "POST"), (":path", "/v1/chat/completions"), ("authorization", "Bearer " + key)]
        #expect(handler.replies(to: .headers(headers + extra)).isEmpty, "held until the body")
        return (handler, handler.replies(to: .body(body)))
    }

    @Test func theRouterPhasePreparesTheRequestForTheOnlyBackend() throws {
        let original =
            #"{"model":"sonnet","max_tokens":50,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]}"#
        let (_, replies) = routerReplies(body: original)
        #expect(replies.map(\.phase) == [.requestHeaders, .requestBody])
        let headers = replies[0].response
        let common = try #require(headers.common)
        #expect(common.clearRouteCache)
        #expect(headers.setHeader("x-tollgate-model") == "claude-sonnet")
        #expect(headers.setHeader("x-tollgate-route") == "direct")
        #expect(headers.setHeader(":path") == "/v1/messages")
        #expect(headers.setHeader(":authority") == "api.anthropic.com")
        #expect(headers.setHeader("x-api-key") == "sk-ant-secret")
        #expect(headers.setHeader("anthropic-version") == "2023-06-01")
        #expect(headers.setHeader("x-tollgate-request") == nil, "found by metadata, should an upstream phase run")
        #expect(common.headerMutation.setHeaders.allSatisfy { $0.appendAction == .overwriteIfExistsOrAdd })
        // The client's gateway key goes; what the reply sets is never also removed.
        let removed = Set(headers.removedHeaders)
        #expect(removed.contains("authorization"))
        #expect(removed.isDisjoint(with: common.headerMutation.setHeaders.map(\.header.name)))

        // The body goes on translated into a Messages request, its length in header and metadata.
        guard case .streamed(let body, let endOfStream) = replies[1].response.common?.bodyMutation else {
            Issue.record("the body reply carries no body: \(replies[1].response)")
            return
        }
        #expect(endOfStream)
        let sent = try jsonObject(body)
        #expect(sent["model"] as? String == "claude-sonnet-4-5")
        #expect(sent["system"] as? String == "Be brief.")
        #expect(sent["max_tokens"] as? Int == 50)
        #expect(headers.setHeader("content-length") == String(body.count))
        let id = try #require(headers.routedRequestID)
        #expect(
            headers.dynamicMetadata
                == [
                    "tollgate": [
                        "request": .string(id), "content_length": .string(String(body.count)), "dialect": "openai",
                    ]
                ]
        )
        #expect(gateway.metric("tollgate_gateway_upstream_attempts_total 1"))

        // The response side knows the backend and its dialect without an upstream phase.
        let requestID = try #require(RequestID(header: Array(id.utf8)))
        let state = try #require(gateway.requests.take(requestID, now: gateway.clock.now))
        #expect(state.attempts == 0)
        #expect(state.lastAttempt?.backendID == "claude-sonnet/0")
        #expect(state.lastAttempt?.dialect == .anthropic)
        #expect(
            String(decoding: state.body, as: UTF8.self) == original,
            "the client's body, for a later upstream phase"
        )
    }

    @Test func theResponseIsTranslatedAndEnvoysAttemptCountIsRecorded() throws {
        let (handler, _) = routerReplies(body: #"{"model":"sonnet","messages":[{"role":"user","content":"hi"}]}"#)
        let headers = handler.handle(
            ProcessingRequest(
                payload: .responseHeaders(
                    HTTPHeaders(
                        fields: [
                            HeaderField(name: ":status", value: "200"),
                            HeaderField(name: "content-type", value: "application/json"),
                            HeaderField(name: "x-envoy-attempt-count", value: "2"),
                        ],
                        endOfStream: false
                    )
                )
            )
        )
        #expect(headers == .held, "a translated JSON body is read whole")
        let anthropic = #"""
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hello"}],"stop_reason":"end_turn","usage":{"input_tokens":12,"output_tokens":3}}
            """#
        let replies = handler.replies(
            to: ProcessingRequest(payload: .responseBody(HTTPBody(bytes: Array(anthropic.utf8), endOfStream: true)))
        )
        let headersReply = try #require(replies.first { $0.phase == .responseHeaders }?.response)
        #expect(
            headersReply.removedHeaders.contains("x-envoy-attempt-count"),
            "Envoy's count is not the client's business"
        )
        let completion = try #require(gateway.observer.completions.only)
        #expect(completion.attempts == 2)
        #expect(completion.backendID == "claude-sonnet/0")
        #expect(completion.usage?.inputTokens == 12)
        #expect(completion.usage?.outputTokens == 3)
    }

    @Test func aModelWithSeveralBackendsIsLeftToTheUpstreamPhase() throws {
        let original = #"{"model":"fast","messages":[]}"#
        let (_, replies) = routerReplies(key: GatewayFixture.teamAKey, body: original)
        let headers = replies[0].response
        #expect(headers.setHeader("x-tollgate-model") == "gpt-4o-mini")
        #expect(headers.setHeader("x-tollgate-route") == nil)
        #expect(headers.setHeader(":path") == nil)
        #expect(headers.setHeader("x-tollgate-request") == headers.routedRequestID)
        guard case .streamed(let body, _) = replies[1].response.common?.bodyMutation else {
            Issue.record("the body reply carries no body")
            return
        }
        #expect(String(decoding: body, as: UTF8.self) == original, "given back as it came")
    }

    @Test func aClientCannotAskForTheDirectRouteItself() throws {
        let (_, replies) = routerReplies(
            key: GatewayFixture.teamAKey,
            body: #"{"model":"fast"}"#,
            extra: [("x-tollgate-route", "direct")]
        )
        let headers = replies[0].response
        #expect(headers.removedHeaders.contains("x-tollgate-route"))
        #expect(headers.setHeader("x-tollgate-route") == nil)
    }

    @Test func anUpstreamPhaseReachedDuringAReloadPreparesTheRequestAgain() throws {
        let exchange = try Exchange(
            gateway,
            key: GatewayFixture.teamBKey,
            body: #"{"model":"sonnet","messages":[{"role":"user","content":"hi"}]}"#
        )
        #expect(exchange.routerReply.setHeader("x-tollgate-route") == "direct")
        let attempt = exchange.attempt("claude-sonnet/0")
        #expect(attempt.common?.status == .continueAndReplace)
        #expect(attempt.setHeader("x-api-key") == "sk-ant-secret")
        #expect(attempt.removedHeaders.contains("x-tollgate-route"))
        let body = try #require(attempt.replacedBody)
        #expect(try jsonObject(body)["model"] as? String == "claude-sonnet-4-5")
    }
}
