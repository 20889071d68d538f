import ExtProc
import Foundation
import Gateway
import Testing

/// The upstream-level phase: after a router exchange stored the request, one stream per attempt
/// arrives with the host metadata attribute and the headers the router phase set.
@Suite struct PhasesUpstreamTests {
    let gateway = GatewayHarness()

    /// Routes `body` and returns the request id the router phase set.
    private func routed(
        path: String = "/v1/chat/completions",
        key: String = GatewayFixture.teamAKey,
        body: String
    ) throws -> (id: String, router: any ExtProcStreamHandler) {
        let (handler, _, reply) = gateway.route(path: path, key: key, body: body)
        return (try #require(reply.routedRequestID, "the router phase refused: \(reply)"), handler)
    }

    /// One upstream attempt's request headers, as Envoy sends them after the router phase's changes.
    private func attempt(
        id: String?,
        backend: String?,
        path: String = "/v1/chat/completions",
        attributes: [String: ProtoStruct]? = nil
    ) -> ProcessingResponse {
        var fields = [
            (":method", "POST"), (":path", path), (":authority", "localhost:10000"), (":scheme", "http"),
            ("content-type", "application/json"), ("content-length", "123"), ("x-tollgate-model", "whatever"),
        ]
        if let id { fields.append(("x-tollgate-request", id)) }
        return gateway.stream().handle(.headers(fields, attributes: attributes ?? upstreamAttributes(backend: backend)))
    }

    private func expectRewrittenBody(
        _ response: ProcessingResponse,
        original: String,
        model: String
    ) throws {
        let body = try #require(response.replacedBody)
        var expected = try jsonObject(Array(original.utf8))
        expected["model"] = model
        #expect(jsonCanonical(try jsonObject(body)) == jsonCanonical(expected))
        #expect(response.setHeader("content-length") == String(body.count))
        #expect(response.dynamicMetadata == ["tollgate": ["content_length": .string(String(body.count))]])
    }

    @Test func openAIBackend() throws {
        let original = #"{"model":"fast","messages":[{"role":"user","content":"hi \"there\""}],"stream":false}"#
        let (id, _) = try routed(body: original)
        let response = attempt(id: id, backend: "gpt-4o-mini/0")
        let common = try #require(response.common)
        #expect(common.status == .continueAndReplace)
        #expect(response.setHeader(":path") == "/v1/chat/completions")
        #expect(response.setHeader(":authority") == "api.openai.com")
        #expect(response.setHeader("authorization") == "Bearer sk-openai-secret")
        #expect(response.setHeader("openai-organization") == "org-123")
        #expect(response.setHeader("x-api-key") == nil)
        #expect(
            Set(response.removedHeaders)
                == [
                    "x-tollgate-model", "x-tollgate-request", "x-tollgate-route", "x-api-key", "api-key",
                    "accept-encoding",
                ]
        )
        #expect(common.headerMutation.setHeaders.allSatisfy { $0.appendAction == .overwriteIfExistsOrAdd })
        try expectRewrittenBody(response, original: original, model: "gpt-4o-mini-2024-07-18")
        // Byte-exact apart from the model value.
        let body = try #require(response.replacedBody)
        #expect(
            String(decoding: body, as: UTF8.self)
                == original.replacingOccurrences(of: #""fast""#, with: #""gpt-4o-mini-2024-07-18""#)
        )
        #expect(gateway.metric("tollgate_gateway_upstream_attempts_total 1"))
    }

    @Test func azureBackend() throws {
        let original = #"{"model":"gpt-4o-mini","messages":[]}"#
        let (id, _) = try routed(body: original)
        let response = attempt(id: id, backend: "gpt-4o-mini/1")
        #expect(response.common?.status == .continueAndReplace)
        #expect(
            response.setHeader(":path") == "/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21"
        )
        #expect(response.setHeader(":authority") == "myres.openai.azure.com")
        #expect(response.setHeader("api-key") == "az-secret")
        #expect(response.setHeader("authorization") == nil)
        #expect(
            Set(response.removedHeaders)
                == [
                    "x-tollgate-model", "x-tollgate-request", "x-tollgate-route", "authorization", "x-api-key",
                    "accept-encoding",
                    "openai-organization",
                ]
        )
        try expectRewrittenBody(response, original: original, model: "my-deployment")
    }

    @Test func azureEmbeddings() throws {
        let (id, _) = try routed(path: "/v1/embeddings", body: #"{"input":"x","model":"default"}"#)
        let response = attempt(id: id, backend: "gpt-4o-mini/1", path: "/v1/embeddings")
        #expect(response.setHeader(":path") == "/openai/deployments/my-deployment/embeddings?api-version=2024-10-21")
    }

    @Test func anthropicBackend() throws {
        let original = #"{"max_tokens":64,"model":"sonnet","messages":[{"role":"user","content":"hi"}]}"#
        let (id, _) = try routed(path: "/v1/messages", key: GatewayFixture.teamBKey, body: original)
        let response = attempt(id: id, backend: "claude-sonnet/0", path: "/v1/messages")
        #expect(response.common?.status == .continueAndReplace)
        #expect(response.setHeader(":path") == "/v1/messages")
        #expect(response.setHeader(":authority") == "api.anthropic.com")
        #expect(response.setHeader("x-api-key") == "sk-ant-secret")
        #expect(response.setHeader("anthropic-version") == "2023-06-01")
        #expect(
            Set(response.removedHeaders)
                == [
                    "x-tollgate-model", "x-tollgate-request", "x-tollgate-route", "authorization", "api-key",
                    "accept-encoding",
                    "openai-organization",
                ]
        )
        try expectRewrittenBody(response, original: original, model: "claude-sonnet-4-5")
    }

    @Test func providerWithoutCredentialGetsNoneAndNoClientKey() throws {
        let original = #"{"model":"llama"}"#
        let (id, _) = try routed(body: original)
        let response = attempt(id: id, backend: "llama/0")
        #expect(response.setHeader(":path") == "/openai/v1/chat/completions")
        #expect(response.setHeader(":authority") == "127.0.0.1:8081")
        #expect(
            Set(response.removedHeaders)
                == [
                    "x-tollgate-model", "x-tollgate-request", "x-tollgate-route", "authorization", "x-api-key",
                    "api-key",
                    "accept-encoding", "openai-organization",
                ]
        )
        #expect(response.setHeader("authorization") == nil)
        #expect(
            String(decoding: try #require(response.replacedBody), as: UTF8.self)
                == #"{"model":"meta-llama/Llama-3.1-8B"}"#
        )
    }

    @Test func retriesFindTheStateAgainUntilTheRouterStreamEnds() throws {
        let (id, router) = try routed(body: #"{"model":"fast"}"#)
        #expect(attempt(id: id, backend: "gpt-4o-mini/0").setHeader(":authority") == "api.openai.com")
        // The retry went to the other priority level.
        #expect(attempt(id: id, backend: "gpt-4o-mini/1").setHeader(":authority") == "myres.openai.azure.com")
        router.streamDidEnd(.halfClosed)
        let late = try #require(attempt(id: id, backend: "gpt-4o-mini/0").immediate)
        #expect(late.status == 500)
    }

    @Test func routerBodyReplySendsTheIdAsDynamicMetadata() throws {
        let (_, _, reply) = gateway.route(body: #"{"model":"fast"}"#)
        let id = try #require(reply.setHeader("x-tollgate-request"))
        #expect(reply.dynamicMetadata == ["tollgate": ["request": .string(id)]])
    }

    /// Envoy's upstream filters edit one header map in place: a retry's ext_proc sees the headers
    /// as the previous attempt's reply left them (no `x-tollgate-request`, the first provider's
    /// path, authority, credential and extra headers); only the forwarded metadata names the request.
    @Test func retryStartsFromThePreviousAttemptsHeadersAndIsFoundByMetadata() throws {
        let original = #"{"model":"fast","messages":[]}"#
        let (_, _, routerReply) = gateway.route(body: original)
        let routerMetadata = try #require(routerReply.dynamicMetadata)
        let metadataContext = [
            "tollgate": try #require(
                routerMetadata["tollgate"].flatMap { value -> ProtoStruct? in
                    if case .structure(let structure) = value { return structure }
                    return nil
                }
            )
        ]
        var headers = [
            HeaderField(name: ":method", value: "POST"), HeaderField(name: ":path", value: "/v1/chat/completions"),
            HeaderField(name: ":authority", value: "localhost:10000"),
            HeaderField(name: "content-type", value: "application/json"),
            HeaderField(name: "x-tollgate-model", value: "gpt-4o-mini"),
            HeaderField(name: "x-tollgate-request", value: try #require(routerReply.setHeader("x-tollgate-request"))),
        ]
        func attempt(_ backend: String) -> ProcessingResponse {
            let request = ProcessingRequest(
                payload: .requestHeaders(HTTPHeaders(fields: headers, endOfStream: false)),
                attributes: upstreamAttributes(backend: backend),
                metadataContext: metadataContext
            )
            let response = gateway.stream().handle(request)
            if let mutation = response.common?.headerMutation { headers = applied(mutation, to: headers) }
            return response
        }

        let first = attempt("gpt-4o-mini/0")
        #expect(first.setHeader("authorization") == "Bearer sk-openai-secret")
        #expect(!headers.contains { $0.name == "x-tollgate-request" })
        #expect(headers.contains { $0.name == "openai-organization" })

        let retry = attempt("gpt-4o-mini/1")
        #expect(retry.common?.status == .continueAndReplace)
        #expect(retry.setHeader(":path") == "/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21")
        try expectRewrittenBody(retry, original: original, model: "my-deployment")
        // What Azure receives: its own key, nothing of OpenAI's, nothing of Tollgate's.
        let names = Set(headers.map(\.name))
        #expect(headers.first { $0.name == "api-key" }?.value == "az-secret")
        #expect(headers.first { $0.name == ":authority" }?.value == "myres.openai.azure.com")
        #expect(!names.contains("authorization"))
        #expect(!names.contains("openai-organization"))
        #expect(!names.contains { $0.hasPrefix("x-tollgate-") })

        // And back to OpenAI on a third attempt: Azure's key goes.
        _ = attempt("gpt-4o-mini/0")
        #expect(!headers.contains { $0.name == "api-key" })
        #expect(headers.first { $0.name == "authorization" }?.value == "Bearer sk-openai-secret")
    }

    @Test func metadataAloneIdentifiesTheRequestAndTheStream() throws {
        let (id, _) = try routed(body: #"{"model":"fast"}"#)
        let request = ProcessingRequest(
            payload: .requestHeaders(
                HTTPHeaders(fields: [HeaderField(name: ":path", value: "/v1/chat/completions")], endOfStream: false)
            ),
            attributes: upstreamAttributes(backend: "gpt-4o-mini/0"),
            metadataContext: ["tollgate": ["request": .string(id)]]
        )
        #expect(gateway.stream().handle(request).common?.status == .continueAndReplace)
        // Without attributes, the forwarded metadata still marks the stream as an upstream one.
        var bare = request
        bare.attributes = [:]
        let response = try #require(gateway.stream().handle(bare).immediate)
        #expect(response.status == 500)
        #expect(response.details == "tollgate_backend_unresolved")
    }

    @Test func noStateIs500InTheClientsDialect() throws {
        let unknown = try #require(attempt(id: "00000000000000ff", backend: "gpt-4o-mini/0").immediate)
        #expect(unknown.status == 500)
        #expect(try errorField(unknown, "type") == "server_error")
        #expect(try errorField(unknown, "message") == "The gateway could not route this request.")
        let anthropic = try #require(attempt(id: nil, backend: "claude-sonnet/0", path: "/v1/messages").immediate)
        #expect(anthropic.status == 500)
        #expect(try errorField(anthropic, "type") == "api_error")
        let garbage = try #require(attempt(id: "not-an-id", backend: "gpt-4o-mini/0").immediate)
        #expect(garbage.status == 500)
        #expect(gateway.metric(#"tollgate_gateway_rejections_total{reason="request_state_missing"} 3"#))
    }

    @Test func expiredStateIs500() throws {
        let (id, _) = try routed(body: #"{"model":"fast"}"#)
        gateway.clock.advance(by: .seconds(301))
        #expect(attempt(id: id, backend: "gpt-4o-mini/0").immediate?.status == 500)
    }

    @Test func hostWithoutTollgateMetadataIs500() throws {
        let (id, _) = try routed(path: "/v1/messages", key: GatewayFixture.teamBKey, body: #"{"model":"sonnet"}"#)
        let response = try #require(attempt(id: id, backend: nil, path: "/v1/messages").immediate)
        #expect(response.status == 500)
        #expect(response.details == "tollgate_backend_unresolved")
        #expect(try errorField(response, "type") == "api_error")
    }

    @Test func missingAttributeWithLiveRequestIs500NotAClientRequest() throws {
        // An upstream filter configured without request_attributes: no attribute at all. The
        // stream must not be mistaken for a router-level one (which would answer 401).
        let (id, _) = try routed(body: #"{"model":"fast"}"#)
        let response = try #require(attempt(id: id, backend: nil, attributes: [:]).immediate)
        #expect(response.status == 500)
        #expect(response.details == "tollgate_backend_unresolved")
    }

    @Test func backendOfAnotherModelOrUnknownIs500() throws {
        let (id, _) = try routed(body: #"{"model":"fast"}"#)
        #expect(attempt(id: id, backend: "claude-sonnet/0").immediate?.status == 500)
        #expect(attempt(id: id, backend: "gpt-4o-mini/7").immediate?.status == 500)
    }

    /// Stores `body` for `model` as the router phase would, without routing it: a one-backend
    /// model's request that reaches an upstream phase anyway (during a reload).
    private func stored(_ body: String, model: String, endpoint: Endpoint = .chatCompletions) throws -> String {
        let bytes = Array(body.utf8)
        let fields = try RequestBodyFields(scanning: bytes)
        let id = gateway.requests.makeID()
        let state = RequestState(
            keyName: "team-a",
            tenant: "acme",
            endpoint: endpoint,
            model: model,
            clientModel: try #require(fields.model),
            body: bytes,
            bodyFields: fields
        )
        gateway.requests.insert(state, id: id, now: gateway.clock.now)
        return id.description
    }

    @Test func missingCredentialIs500() throws {
        // A one-backend model is prepared by the router phase, which refuses at once.
        let (_, _, reply) = gateway.route(body: #"{"model":"broken-model"}"#)
        let refused = try #require(reply.immediate)
        #expect(refused.status == 500)
        #expect(refused.details == "tollgate_upstream_credential_missing")
        #expect(!String(decoding: refused.body, as: UTF8.self).contains("broken"))
        // And so does an upstream phase.
        let id = try stored(#"{"model":"broken-model"}"#, model: "broken-model")
        let response = try #require(attempt(id: id, backend: "broken-model/0").immediate)
        #expect(response.status == 500)
        #expect(response.details == "tollgate_upstream_credential_missing")
        #expect(!String(decoding: response.body, as: UTF8.self).contains("broken"))
    }

    @Test func endpointTheBackendCannotServeIs400() throws {
        // Embeddings for a Claude model: Anthropic has no embeddings API.
        let (_, _, reply) = gateway.route(
            path: "/v1/embeddings",
            key: GatewayFixture.teamBKey,
            body: #"{"model":"sonnet","input":"x"}"#
        )
        for response in [
            try #require(reply.immediate),
            try #require(
                attempt(
                    id: try stored(#"{"model":"sonnet","input":"x"}"#, model: "claude-sonnet", endpoint: .embeddings),
                    backend: "claude-sonnet/0",
                    path: "/v1/embeddings"
                ).immediate
            ),
        ] {
            #expect(response.status == 400)
            #expect(try errorField(response, "type") == "invalid_request_error")
            #expect(response.details == "tollgate_endpoint_not_supported")
        }
    }

    @Test func rotatedCredentialIsUsedByTheNextAttempt() throws {
        let (id, _) = try routed(body: #"{"model":"fast"}"#)
        var credentials = GatewayFixture.credentials
        credentials["openai"] = "sk-rotated"
        gateway.snapshots.replace(with: GatewaySnapshot(config: GatewayFixture.config(), credentials: credentials))
        #expect(attempt(id: id, backend: "gpt-4o-mini/0").setHeader("authorization") == "Bearer sk-rotated")
    }

    @Test func laterMessagesOnAnUpstreamStreamContinue() throws {
        let (id, _) = try routed(body: #"{"model":"fast"}"#)
        let handler = gateway.stream()
        let first = handler.handle(
            .headers(
                [(":path", "/v1/chat/completions"), ("x-tollgate-request", id)],
                attributes: upstreamAttributes(backend: "gpt-4o-mini/0")
            )
        )
        #expect(first.common?.status == .continueAndReplace)
        #expect(
            handler.handle(ProcessingRequest(payload: .responseHeaders(HTTPHeaders(fields: [], endOfStream: true))))
                == .continue
        )
        handler.streamDidEnd(.reset)
        // An upstream stream ending does not drop the request's state: other attempts may follow.
        #expect(gateway.requests.count == 1)
    }

    @Test func escapedModelInTheClientBodyIsReplacedWhole() throws {
        let original = #"{"model":"f\u0061st","n":1}"#
        let (id, _) = try routed(body: original)
        let body = try #require(attempt(id: id, backend: "gpt-4o-mini/0").replacedBody)
        #expect(String(decoding: body, as: UTF8.self) == #"{"model":"gpt-4o-mini-2024-07-18","n":1}"#)
    }
}

/// Envoy's order for a header mutation (`mutation_utils.cc`): removals first, then sets; an
/// overwrite replaces every value of the name.
func applied(_ mutation: HeaderMutation, to fields: [HeaderField]) -> [HeaderField] {
    var result = fields.filter { field in !mutation.removeHeaders.contains(field.name) }
    for option in mutation.setHeaders {
        switch option.appendAction {
        case .overwriteIfExistsOrAdd:
            result.removeAll { $0.name == option.header.name }
            result.append(option.header)
        case .appendIfExistsOrAdd:
            result.append(option.header)
        case .addIfAbsent:
            if !result.contains(where: { $0.name == option.header.name }) { result.append(option.header) }
        case .overwriteIfExists:
            if result.contains(where: { $0.name == option.header.name }) {
                result.removeAll { $0.name == option.header.name }
                result.append(option.header)
            }
        }
    }
    return result
}
