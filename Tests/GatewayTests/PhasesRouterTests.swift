import ExtProc
import Foundation
import Gateway
import Testing

/// The router-level phase, driven with the messages Envoy sends, asserting on the replies.
@Suite struct PhasesRouterTests {
    let gateway = GatewayHarness()

    private func headers(
        path: String = "/v1/chat/completions",
        method: String = "POST",
        _ extra: [(String, String)] = [],
        endOfStream: Bool = false
    ) -> ProcessingResponse {
        gateway.stream().handle(.headers([(":method", method), (":path", path)] + extra, endOfStream: endOfStream))
    }

    // MARK: - Keys

    @Test(arguments: ["/v1/chat/completions", "/v1/models", "/v1/embeddings"])
    func missingKeyIsUnauthorizedInOpenAIShape(path: String) throws {
        let response = try #require(headers(path: path, method: path == "/v1/models" ? "GET" : "POST").immediate)
        #expect(response.status == 401)
        #expect(try errorField(response, "code") == "invalid_api_key")
        #expect(gateway.metric(#"tollgate_gateway_rejections_total{reason="missing_key"} 1"#))
    }

    @Test func missingKeyOnMessagesIsAnthropicShaped() throws {
        let response = try #require(headers(path: "/v1/messages").immediate)
        #expect(response.status == 401)
        let root = try jsonObject(response.body)
        #expect(root["type"] as? String == "error")
        #expect(try errorField(response, "type") == "authentication_error")
    }

    @Test(arguments: [
        [("authorization", "Bearer tg-wrong")],
        [("x-api-key", "tg-wrong")],
        [("authorization", "Bearer " + GatewayFixture.teamAKey + "x")],
        [("x-api-key", GatewayFixture.teamAKey.uppercased())],
    ])
    func unknownKeyIsUnauthorized(fields: [(String, String)]) throws {
        let response = try #require(headers(fields).immediate)
        #expect(response.status == 401)
        #expect(try errorField(response, "message") == "Invalid API key.")
        #expect(gateway.metric(#"tollgate_gateway_rejections_total{reason="invalid_key"} 1"#))
    }

    @Test(arguments: [
        [("authorization", "Basic dXNlcjpwYXNz")],
        [("authorization", "Bearer")],
        [("authorization", "Bearer   ")],
        [("x-api-key", "")],
        [("authorization", "Token " + GatewayFixture.teamAKey)],
    ])
    func keyHeadersWithoutAKeyAreMissingKey(fields: [(String, String)]) throws {
        let response = try #require(headers(fields).immediate)
        #expect(response.status == 401)
        #expect(response.details == "tollgate_missing_key")
    }

    @Test(arguments: [
        ([("authorization", "Bearer " + GatewayFixture.teamAKey)], ["authorization"]),
        ([("authorization", "bearer " + GatewayFixture.teamAKey)], ["authorization"]),
        ([("authorization", "BEARER  " + GatewayFixture.teamAKey + " ")], ["authorization"]),
        ([("x-api-key", GatewayFixture.teamAKey)], ["x-api-key"]),
        // A non-Bearer authorization next to a valid x-api-key: the x-api-key counts, both go.
        ([("authorization", "Basic abc"), ("x-api-key", GatewayFixture.teamAKey)], ["authorization", "x-api-key"]),
        (
            [
                ("authorization", "Bearer " + GatewayFixture.teamAKey), ("api-key", "azure-client-key"),
                ("x-tollgate-model", "forged"), ("x-tollgate-request", "0000000000000001"),
                ("x-tollgate-anything", "1"),
            ],
            ["authorization", "api-key", "x-tollgate-model", "x-tollgate-request", "x-tollgate-anything"]
        ),
    ])
    func validKeyContinuesAndStripsPrivateHeaders(fields: [(String, String)], removed: [String]) throws {
        // The headers' reply waits for the body (FULL_DUPLEX_STREAMED), then leaves with the body's.
        let handler = gateway.stream()
        let fields =
            [(":method", "POST"), (":path", "/v1/chat/completions"), ("content-type", "application/json")]
            + fields
        #expect(handler.replies(to: .headers(fields)).isEmpty)
        let body = #"{"model":"fast"}"#
        let replies = handler.replies(to: .body(body))
        #expect(replies.map(\.phase) == [.requestHeaders, .requestBody])
        let common = try #require(replies.first?.response.common)
        #expect(common.status == .continue)
        #expect(common.headerMutation.removeHeaders == removed)
        #expect(common.headerMutation.setHeaders.map(\.header.name) == ["x-tollgate-model", "x-tollgate-request"])
        #expect(common.clearRouteCache)
        // Envoy keeps no copy of a FULL_DUPLEX_STREAMED body: it is given back whole.
        #expect(replies.last?.response.common?.bodyMutation == .streamed(Array(body.utf8), endOfStream: true))
    }

    @Test func bodyInChunksIsReadWhole() throws {
        let handler = gateway.stream()
        let headers = [(":method", "POST"), (":path", "/v1/chat/completions"), ("x-api-key", GatewayFixture.teamAKey)]
        #expect(handler.replies(to: .headers(headers)).isEmpty)
        let chunk = { (text: String, end: Bool) in
            ProcessingRequest(payload: .requestBody(HTTPBody(bytes: Array(text.utf8), endOfStream: end)))
        }
        #expect(handler.replies(to: chunk(#"{"model":"#, false)).isEmpty)
        #expect(handler.replies(to: chunk(#""fast"}"#, false)).isEmpty)
        // Trailers end the body: headers, body and trailers are answered in that order.
        let replies = handler.replies(to: ProcessingRequest(payload: .requestTrailers([])))
        #expect(replies.map(\.phase) == [.requestHeaders, .requestBody, .requestTrailers])
        #expect(replies.first?.response.setHeader("x-tollgate-model") == "gpt-4o-mini")
        #expect(
            replies[1].response.common?.bodyMutation == .streamed(Array(#"{"model":"fast"}"#.utf8), endOfStream: false)
        )
    }

    // MARK: - Paths and methods

    @Test(arguments: ["/v1/nope", "/", "/v1/chat/completions/", "/v2/messages"])
    func unknownPathIs404InOpenAIShape(path: String) throws {
        let response = try #require(
            headers(path: path + "?q=1", [("authorization", "Bearer " + GatewayFixture.teamAKey)]).immediate
        )
        #expect(response.status == 404)
        #expect(try errorField(response, "code") == "unknown_url")
        #expect(try errorField(response, "message") == "Unknown path '\(path)'.")
    }

    @Test func unknownPathIsCheckedBeforeTheKey() throws {
        let response = try #require(headers(path: "/admin").immediate)
        #expect(response.status == 404)
    }

    @Test func wrongMethodIs405() throws {
        let get = try #require(headers(method: "GET", [("x-api-key", GatewayFixture.teamAKey)]).immediate)
        #expect(get.status == 405)
        #expect(get.headers.setHeaders.contains { $0.header == HeaderField(name: "allow", value: "POST") })
        let post = try #require(headers(path: "/v1/models", [("x-api-key", GatewayFixture.teamAKey)]).immediate)
        #expect(post.status == 405)
        #expect(post.headers.setHeaders.contains { $0.header == HeaderField(name: "allow", value: "GET") })
        let anthropic = try #require(headers(path: "/v1/messages", method: "PUT").immediate)
        #expect(try errorField(anthropic, "type") == "invalid_request_error")
        #expect(try jsonObject(anthropic.body)["type"] as? String == "error")
    }

    // MARK: - /v1/models

    @Test(arguments: [
        (GatewayFixture.teamAKey, ["gpt-4o-mini", "llama", "broken-model"]),
        (GatewayFixture.teamBKey, ["claude-sonnet"]),
        (GatewayFixture.adminKey, ["gpt-4o-mini", "claude-sonnet", "llama", "broken-model"]),
    ])
    func modelsAreListedPerKey(key: String, expected: [String]) throws {
        let response = try #require(
            headers(path: "/v1/models?limit=5", method: "GET", [("authorization", "Bearer " + key)]).immediate
        )
        #expect(response.status == 200)
        #expect(
            response.headers.setHeaders.map(\.header) == [HeaderField(name: "content-type", value: "application/json")]
        )
        let root = try jsonObject(response.body)
        #expect(root["object"] as? String == "list")
        let data = try #require(root["data"] as? [[String: Any]])
        #expect(data.compactMap { $0["id"] as? String } == expected)
        #expect(gateway.metric(#"tollgate_gateway_requests_total{endpoint="/v1/models"} 1"#))
    }

    // MARK: - Body

    @Test func aliasRoutesToThePublicModelAndStoresState() throws {
        let (handler, headersReply, bodyReply) = gateway.route(
            body: #"{"model":"fast","messages":[{"role":"user","content":"hi"}],"stream":true}"#
        )
        #expect(headersReply.isEmpty, "held until the body")
        let common = try #require(bodyReply.common)
        #expect(common.clearRouteCache)
        #expect(common.bodyMutation == nil)
        #expect(bodyReply.setHeader("x-tollgate-model") == "gpt-4o-mini")
        let idText = try #require(bodyReply.setHeader("x-tollgate-request"))
        let id = try #require(RequestID(header: Array(idText.utf8)))
        #expect(common.headerMutation.setHeaders.allSatisfy { $0.appendAction == .overwriteIfExistsOrAdd })

        let state = try #require(gateway.requests.take(id, now: gateway.clock.now))
        #expect(state.model == "gpt-4o-mini")
        #expect(state.clientModel == "fast")
        #expect(state.keyName == "team-a")
        #expect(state.tenant == "acme")
        #expect(state.endpoint == .chatCompletions)
        #expect(state.stream)
        let modelRange = try #require(state.bodyFields.modelValueRange)
        #expect(String(decoding: state.body[modelRange], as: UTF8.self) == #""fast""#)
        #expect(gateway.metric(#"tollgate_gateway_requests_total{endpoint="/v1/chat/completions"} 1"#))

        // A response with no upstream attempt behind it (Envoy's own) passes untouched; the end
        // of the stream drops the state.
        let reply = handler.handle(
            ProcessingRequest(payload: .responseHeaders(HTTPHeaders(fields: [], endOfStream: false)))
        )
        #expect(reply.common == CommonResponse())
        #expect(gateway.requests.count == 1)
        handler.streamDidEnd(.reset)
        #expect(gateway.requests.count == 0)
    }

    @Test func publicNameRoutesToo() throws {
        let (_, _, reply) = gateway.route(
            path: "/v1/messages",
            key: GatewayFixture.teamBKey,
            body: #"{"model":"claude-sonnet","max_tokens":5}"#
        )
        #expect(reply.setHeader("x-tollgate-model") == "claude-sonnet")
    }

    @Test(arguments: [
        (#"{"model":"gpt-4o-mini""#, "unexpected end of JSON at byte 22"),
        ("[1,2]", "the body must be a JSON object"),
        (#"{"model":"a"} trailing"#, "unexpected data after the JSON object at byte 14"),
        ("", "the body is empty"),
    ])
    func malformedBodyIs400(body: String, reason: String) throws {
        let response = try #require(gateway.route(body: body).body.immediate)
        #expect(response.status == 400)
        #expect(try errorField(response, "type") == "invalid_request_error")
        #expect(try errorField(response, "message") == "The request body is not valid JSON: \(reason).")
        #expect(gateway.requests.count == 0)
    }

    @Test func missingModelIs400() throws {
        let response = try #require(gateway.route(body: #"{"messages":[{"model":"gpt-4o-mini"}]}"#).body.immediate)
        #expect(response.status == 400)
        #expect(try errorField(response, "code") == "missing_required_parameter")
        #expect(try errorField(response, "param") == "model")
    }

    @Test func nonStringModelIs400() throws {
        let response = try #require(gateway.route(body: #"{"model":["gpt-4o-mini"]}"#).body.immediate)
        #expect(response.status == 400)
        #expect(response.details == "tollgate_model_not_a_string")
    }

    @Test func unknownModelIs404() throws {
        let response = try #require(gateway.route(body: #"{"model":"gpt-5"}"#).body.immediate)
        #expect(response.status == 404)
        #expect(try errorField(response, "code") == "model_not_found")
        let anthropic = try #require(
            gateway.route(path: "/v1/messages", key: GatewayFixture.teamBKey, body: #"{"model":"claude-9"}"#).body
                .immediate
        )
        #expect(anthropic.status == 404)
        #expect(try errorField(anthropic, "type") == "not_found_error")
    }

    @Test func modelNotAllowedForTheKeyIs403() throws {
        let response = try #require(
            gateway.route(key: GatewayFixture.teamBKey, body: #"{"model":"fast"}"#).body.immediate
        )
        #expect(response.status == 403)
        #expect(try errorField(response, "code") == "model_not_allowed")
        let anthropic = try #require(
            gateway.route(path: "/v1/messages", key: GatewayFixture.teamAKey, body: #"{"model":"sonnet"}"#).body
                .immediate
        )
        #expect(anthropic.status == 403)
        #expect(try errorField(anthropic, "type") == "permission_error")
        #expect(gateway.metric(#"tollgate_gateway_rejections_total{reason="model_not_allowed"} 2"#))
    }

    @Test func contentLengthOverTheCapIs413AtHeaders() throws {
        let key = ("authorization", "Bearer " + GatewayFixture.teamAKey)
        let over = try #require(headers([key, ("content-length", "4097")]).immediate)
        #expect(over.status == 413)
        #expect(try errorField(over, "code") == "request_too_large")
        let huge = try #require(headers([key, ("content-length", "99999999999999999999999")]).immediate)
        #expect(huge.status == 413)
        #expect(headers([key, ("content-length", "4096")]).common != nil)
    }

    @Test func bodyOverTheCapIs413AtBody() throws {
        let body = #"{"model":"fast","pad":""# + String(repeating: "x", count: 4096) + #""}"#
        let response = try #require(gateway.route(body: body).body.immediate)
        #expect(response.status == 413)
        let anthropic = try #require(
            gateway.route(path: "/v1/messages", key: GatewayFixture.teamBKey, body: body).body.immediate
        )
        #expect(try errorField(anthropic, "type") == "request_too_large")
    }

    @Test func postWithoutABodyIs400() throws {
        let response = try #require(
            headers([("authorization", "Bearer " + GatewayFixture.teamAKey)], endOfStream: true).immediate
        )
        #expect(response.status == 400)
        #expect(try errorField(response, "message") == "The request body is not valid JSON: the body is empty.")
    }

    @Test func configReloadAppliesToTheNextRequest() throws {
        #expect(gateway.route(body: #"{"model":"new-model"}"#).body.immediate?.status == 404)
        var config = GatewayFixture.config()
        config.models.append(
            ModelConfig(
                name: "new-model",
                backends: [BackendConfig(id: "new-model/0", provider: "local", upstreamModel: "n")]
            )
        )
        config.keys[0].models.append(ModelPattern("new-*"))
        gateway.snapshots.replace(with: GatewaySnapshot(config: config, credentials: GatewayFixture.credentials))
        #expect(gateway.route(body: #"{"model":"new-model"}"#).body.setHeader("x-tollgate-model") == "new-model")
    }
}
