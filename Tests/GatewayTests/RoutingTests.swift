import ExtProc
import Foundation
import Gateway
import Testing

@Suite struct RoutingEndpointTests {
    @Test(arguments: [
        ("/v1/chat/completions", Endpoint.chatCompletions),
        ("/v1/completions", .completions),
        ("/v1/embeddings", .embeddings),
        ("/v1/responses", .responses),
        ("/v1/models", .models),
        ("/v1/messages", .messages),
        ("/v1/chat/completions?api-version=2024-10-21", .chatCompletions),
        ("/v1/messages?beta=true", .messages),
        ("/v1/models#top", .models),
        ("/v1/chat/completions?", .chatCompletions),
    ])
    func knownPaths(path: String, endpoint: Endpoint) {
        #expect(Endpoint(path: path) == endpoint)
        #expect(Endpoint(path: Array(path.utf8)) == endpoint)
    }

    @Test(arguments: [
        "", "/", "/v1", "/v1/", "/v1/chat/completions/", "/v1/chat", "/v2/chat/completions", "/V1/chat/completions",
        "/v1/chat/completionsx", "v1/chat/completions", "/v1/models/gpt-4o", "/v1/messages/count_tokens",
        "//v1/chat/completions", "/v1/chat/completions%3F",
    ])
    func unknownPaths(path: String) {
        #expect(Endpoint(path: path) == nil)
    }

    @Test func dialectAndMethod() {
        for endpoint in Endpoint.allCases {
            #expect(endpoint.dialect == (endpoint == .messages ? .anthropic : .openAI))
            #expect(endpoint.method == (endpoint == .models ? "GET" : "POST"))
            #expect(Endpoint(path: endpoint.path) == endpoint)
        }
    }
}

@Suite struct RoutingUpstreamPathTests {
    private func provider(_ schema: ProviderSchema, basePath: String = "", apiVersion: String? = nil) -> ProviderConfig
    {
        ProviderConfig(
            name: "p",
            schema: schema,
            baseURL: UpstreamURL(scheme: .https, host: "h", basePath: basePath),
            apiVersion: apiVersion
        )
    }

    @Test(arguments: [
        ("/v1", Endpoint.chatCompletions, "/v1/chat/completions"),
        ("/v1", .completions, "/v1/completions"),
        ("/v1", .embeddings, "/v1/embeddings"),
        ("/v1", .responses, "/v1/responses"),
        ("/v1", .messages, "/v1/messages"),
        ("/openai/v1", .chatCompletions, "/openai/v1/chat/completions"),
        ("/v1beta/openai", .chatCompletions, "/v1beta/openai/chat/completions"),
        ("", .chatCompletions, "/chat/completions"),
    ])
    func openAI(basePath: String, endpoint: Endpoint, expected: String) {
        #expect(provider(.openai, basePath: basePath).upstreamPath(for: endpoint, upstreamModel: "m") == expected)
    }

    @Test(arguments: [
        ("", Endpoint.messages, "/v1/messages"),
        ("/v1", .messages, "/v1/messages"),
        ("/anthropic", .messages, "/anthropic/v1/messages"),
        ("", .chatCompletions, "/v1/chat/completions"),
    ])
    func anthropic(basePath: String, endpoint: Endpoint, expected: String) {
        #expect(provider(.anthropic, basePath: basePath).upstreamPath(for: endpoint, upstreamModel: "m") == expected)
    }

    @Test(arguments: [
        ("", Endpoint.chatCompletions, "/openai/deployments/dep-1/chat/completions?api-version=2024-10-21"),
        ("", .completions, "/openai/deployments/dep-1/completions?api-version=2024-10-21"),
        ("", .embeddings, "/openai/deployments/dep-1/embeddings?api-version=2024-10-21"),
        ("", .responses, "/openai/responses?api-version=2024-10-21"),
        ("/openai", .chatCompletions, "/openai/deployments/dep-1/chat/completions?api-version=2024-10-21"),
        ("/proxy", .embeddings, "/proxy/openai/deployments/dep-1/embeddings?api-version=2024-10-21"),
    ])
    func azure(basePath: String, endpoint: Endpoint, expected: String) {
        let azure = provider(.azureOpenAI, basePath: basePath, apiVersion: "2024-10-21")
        #expect(azure.upstreamPath(for: endpoint, upstreamModel: "dep-1") == expected)
    }

    @Test func azureHasNoMessagesAndNobodyProxiesModels() {
        #expect(provider(.azureOpenAI, apiVersion: "v").upstreamPath(for: .messages, upstreamModel: "d") == nil)
        for schema in ProviderSchema.allCases {
            #expect(provider(schema, apiVersion: "v").upstreamPath(for: .models, upstreamModel: "d") == nil)
        }
    }

    @Test func azurePercentEncodesDeploymentAndVersion() {
        let azure = provider(.azureOpenAI, apiVersion: "2024-10-21 preview&x")
        #expect(
            azure.upstreamPath(for: .chatCompletions, upstreamModel: "my dep/../x?")
                == "/openai/deployments/my%20dep%2F..%2Fx%3F/chat/completions?api-version=2024-10-21%20preview%26x"
        )
    }

    @Test func credentialHeadersPerSchema() {
        #expect(
            provider(.openai).credentialHeaders(credential: "sk")
                == [HeaderField(name: "authorization", value: "Bearer sk")]
        )
        #expect(
            provider(.azureOpenAI).credentialHeaders(credential: "az") == [HeaderField(name: "api-key", value: "az")]
        )
        var anthropic = provider(.anthropic)
        anthropic.anthropicVersion = "2024-01-01"
        #expect(
            anthropic.credentialHeaders(credential: "ant")
                == [
                    HeaderField(name: "x-api-key", value: "ant"),
                    HeaderField(name: "anthropic-version", value: "2024-01-01"),
                ]
        )
        #expect(provider(.openai).credentialHeaders(credential: nil).isEmpty)
        #expect(
            anthropic.credentialHeaders(credential: nil) == [
                HeaderField(name: "anthropic-version", value: "2024-01-01")
            ]
        )
    }
}

@Suite struct RoutingSelectionTests {
    let snapshot = GatewayFixture.snapshot()

    private func key(_ name: String) throws -> GatewayKeyConfig {
        try #require(GatewayFixture.keys.first { $0.name == name })
    }

    @Test func aliasResolvesToTheModel() throws {
        let model = try BackendSelection.model(named: "fast", for: try key("team-a"), in: snapshot).get()
        #expect(model.name == "gpt-4o-mini")
        #expect(try BackendSelection.model(named: "gpt-4o-mini", for: try key("team-a"), in: snapshot).get() == model)
    }

    @Test func unknownModelIsNotFoundEvenForAKeyThatCouldNotUseIt() throws {
        let result = BackendSelection.model(named: "gpt-5", for: try key("team-b"), in: snapshot)
        #expect(throws: GatewayError.modelNotFound("gpt-5")) { try result.get() }
    }

    @Test func modelOutsideTheKeysPatternsIsNotAllowed() throws {
        let result = BackendSelection.model(named: "sonnet", for: try key("team-a"), in: snapshot)
        #expect(throws: GatewayError.modelNotAllowed("sonnet")) { try result.get() }
        #expect(
            try BackendSelection.model(named: "sonnet", for: try key("team-b"), in: snapshot).get().name
                == "claude-sonnet"
        )
    }

    @Test func backendMustExistAndBelongToTheModel() throws {
        #expect(
            try BackendSelection.backend(id: "gpt-4o-mini/1", model: "gpt-4o-mini", in: snapshot).get().provider.name
                == "azure"
        )
        #expect(throws: GatewayError.self) {
            try BackendSelection.backend(id: "gpt-4o-mini/9", model: "gpt-4o-mini", in: snapshot).get()
        }
        #expect(throws: GatewayError.self) {
            try BackendSelection.backend(id: "claude-sonnet/0", model: "gpt-4o-mini", in: snapshot).get()
        }
    }
}

@Suite struct RoutingModelListTests {
    @Test func openAIListShape() throws {
        let body = ModelList.body(models: [GatewayFixture.mini, GatewayFixture.llama])
        let root = try jsonObject(body)
        #expect(root["object"] as? String == "list")
        let data = try #require(root["data"] as? [[String: Any]])
        #expect(data.map { $0["id"] as? String } == ["gpt-4o-mini", "llama"])
        for entry in data {
            #expect(Set(entry.keys) == ["id", "object", "created", "owned_by"])
            #expect(entry["object"] as? String == "model")
            #expect(entry["created"] as? Int == 0)
            #expect(entry["owned_by"] as? String == "tollgate")
        }
        #expect(String(decoding: ModelList.body(models: []), as: UTF8.self) == #"{"object":"list","data":[]}"#)
    }
}

@Suite struct RoutingHostMetadataTests {
    /// Captured from Envoy 1.40.0 (`xds.upstream_host_metadata` on an upstream ext_proc filter).
    static let envoy140 =
        #"filter_metadata { key: "envoy.transport_socket_match" value { fields { key: "provider" value { string_value: "openai" } } } } filter_metadata { key: "tollgate" value { fields { key: "backend" value { string_value: "gpt-4o-mini/0" } } } } "#

    @Test func readsWhatEnvoySends() {
        let attributes: [String: ProtoStruct] = [
            "envoy.filters.http.ext_proc": ["xds.upstream_host_metadata": .string(Self.envoy140)]
        ]
        #expect(UpstreamHostMetadata.isPresent(in: attributes))
        #expect(UpstreamHostMetadata.backendID(in: attributes) == "gpt-4o-mini/0")
    }

    @Test func hostWithoutMetadataIsNULL() {
        let attributes: [String: ProtoStruct] = [
            "envoy.filters.http.ext_proc": ["xds.upstream_host_metadata": "NULL", "xds.cluster_name": "model"]
        ]
        #expect(UpstreamHostMetadata.isPresent(in: attributes))
        #expect(UpstreamHostMetadata.backendID(in: attributes) == nil)
        #expect(!UpstreamHostMetadata.isPresent(in: [:]))
        #expect(UpstreamHostMetadata.backendID(in: [:]) == nil)
    }

    @Test(arguments: [
        // Other spacing, as protobuf's debug format may randomize it.
        (
            #"filter_metadata  {  key :  "tollgate"   value {fields{key:"backend" value{string_value:"m/1"}}}}"#,
            "m/1" as String?
        ),
        (
            #"filter_metadata: { key: "tollgate" value: < fields { key: "backend" value { string_value: "m/2" } } > }"#,
            "m/2"
        ),
        (
            "filter_metadata {\n  key: \"tollgate\"\n  value {\n    fields {\n      key: \"backend\"\n      value {\n        string_value: \"m/3\"\n      }\n    }\n  }\n}\n",
            "m/3"
        ),
        // C escapes in strings: quotes, octal UTF-8 bytes (how protobuf prints non-ASCII), hex.
        (
            #"filter_metadata { key: "tollgate" value { fields { key: "backend" value { string_value: "m\"q\\/\303\251\x41/0" } } } }"#,
            "m\"q\\/éA/0"
        ),
        (
            #"filter_metadata { key: 'tollgate' value { fields { key: 'backend' value { string_value: 'a' "b" } } } }"#,
            "ab"
        ),
        // Other fields around it are skipped.
        (
            #"filter_metadata { key: "tollgate" value { fields { key: "weight" value { number_value: 2.5 } } fields { key: "on" value { bool_value: true } } fields { key: "backend" value { string_value: "m/4" } } } } typed_filter_metadata { key: "x" value { type_url: "t" value: "\001\002" } }"#,
            "m/4"
        ),
        // No tollgate namespace, or no backend field, or not a string.
        (#"filter_metadata { key: "other" value { fields { key: "backend" value { string_value: "x" } } } }"#, nil),
        (#"filter_metadata { key: "tollgate" value { fields { key: "provider" value { string_value: "x" } } } }"#, nil),
        (#"filter_metadata { key: "tollgate" value { fields { key: "backend" value { number_value: 3 } } } }"#, nil),
        // Not text format at all.
        ("NULL", nil),
        ("", nil),
        (#"filter_metadata { key: "tollgate" value { fields { key: "backend" value { string_value: "m/0" } } }"#, nil),
        (#"filter_metadata { key: "tollgate" value { fields { key: "backend" value { string_value: "m/0 } } } }"#, nil),
        (#"{"filter_metadata":{"tollgate":{"backend":"m/0"}}}"#, nil),
    ])
    func textFormatVariants(text: String, expected: String?) {
        #expect(UpstreamHostMetadata.backendID(textFormat: text) == expected)
    }

    @Test func structFormIsReadToo() {
        let attributes: [String: ProtoStruct] = [
            "envoy.filters.http.ext_proc": [
                "xds.upstream_host_metadata": ["filter_metadata": ["tollgate": ["backend": "m/5"]]]
            ]
        ]
        #expect(UpstreamHostMetadata.backendID(in: attributes) == "m/5")
    }

    @Test func attributeUnderAnotherGroupKeyIsFound() {
        let attributes: [String: ProtoStruct] = ["other": ["xds.upstream_host_metadata": .string(Self.envoy140)]]
        #expect(UpstreamHostMetadata.backendID(in: attributes) == "gpt-4o-mini/0")
    }

    @Test func deepNestingIsRefusedNotCrashed() {
        let text = String(repeating: "a { ", count: 10_000) + String(repeating: "} ", count: 10_000)
        #expect(UpstreamHostMetadata.backendID(textFormat: text) == nil)
    }
}
