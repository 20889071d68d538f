import Foundation
import Gateway
import Testing
import Yams

/// The rendered Envoy config, read back with Yams: listener, both ext_proc filters, routes, model
/// clusters (priorities, weights, metadata, TLS per provider), Tollgate's cluster, and the xDS form.
@Suite struct EnvoyBootstrapTests {
    static let config = GatewayConfig(
        providers: [
            ProviderConfig(
                name: "openai",
                schema: .openai,
                baseURL: UpstreamURL(parsing: "https://api.openai.com/v1")!,
                credential: .environment(name: "OPENAI_API_KEY")
            ),
            ProviderConfig(
                name: "azure",
                schema: .azureOpenAI,
                baseURL: UpstreamURL(parsing: "https://res.openai.azure.com")!,
                credential: .file(path: "/secrets/azure"),
                apiVersion: "2024-10-21"
            ),
            ProviderConfig(name: "local", schema: .openai, baseURL: UpstreamURL(parsing: "http://127.0.0.1:11434/v1")!),
        ],
        models: [
            ModelConfig(
                name: "gpt-4o-mini",
                aliases: ["fast"],
                backends: [
                    BackendConfig(id: "gpt-4o-mini/0", provider: "openai", upstreamModel: "gpt-4o-mini", weight: 3),
                    BackendConfig(id: "gpt-4o-mini/1", provider: "azure", upstreamModel: "dep-mini", weight: 1),
                    BackendConfig(id: "gpt-4o-mini/2", provider: "local", upstreamModel: "llama", priority: 4),
                ]
            ),
            ModelConfig(
                name: "llama-3.1",
                backends: [BackendConfig(id: "llama-3.1/0", provider: "local", upstreamModel: "llama3.1")]
            ),
        ],
        settings: GatewaySettings(maxBodyBytes: 4 * 1024 * 1024)
    )

    static func parse(_ text: String) throws -> [String: Any] {
        try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    static func render(xds: String? = nil) throws -> [String: Any] {
        let options = EnvoyBootstrapOptions(
            listenHost: "0.0.0.0",
            listenPort: 8080,
            adminPort: 9911,
            tollgate: .unixSocket(path: "/run/tollgate.sock"),
            xdsDirectory: xds
        )
        return try parse(EnvoyBootstrapRenderer.render(config: config, options: options))
    }

    @Test func listenerRunsRouterLevelExtProcThenRouter() throws {
        let bootstrap = try Self.render()
        let listener = try #require(bootstrap.path("static_resources", "listeners", 0) as? [String: Any])
        #expect(listener.path("address", "socket_address", "address") as? String == "0.0.0.0")
        #expect(listener.path("address", "socket_address", "port_value") as? Int == 8080)
        #expect(listener["per_connection_buffer_limit_bytes"] as? Int == 5 * 1024 * 1024)
        let hcm = try #require(listener.path("filter_chains", 0, "filters", 0, "typed_config") as? [String: Any])
        let filters = try #require(hcm["http_filters"] as? [[String: Any]])
        #expect(filters.map { $0["name"] as? String } == ["envoy.filters.http.ext_proc", "envoy.filters.http.router"])
        let extProc = try #require(filters[0]["typed_config"] as? [String: Any])
        #expect(extProc.path("grpc_service", "envoy_grpc", "cluster_name") as? String == "tollgate")
        #expect(extProc["failure_mode_allow"] as? Bool == false)
        #expect(extProc["send_body_without_waiting_for_header_response"] as? Bool == true)
        #expect(extProc["allow_mode_override"] == nil)
        #expect(extProc["message_timeout"] as? String == "5s")
        let mode = try #require(extProc["processing_mode"] as? [String: String])
        #expect(
            mode == [
                "request_header_mode": "SEND", "request_body_mode": "FULL_DUPLEX_STREAMED",
                "request_trailer_mode": "SEND", "response_header_mode": "SEND", "response_body_mode": "STREAMED",
                "response_trailer_mode": "SKIP",
            ]
        )
        #expect(extProc["request_attributes"] == nil)
        #expect(extProc.path("metadata_options", "receiving_namespaces", "untyped") as? [String] == ["tollgate"])
        #expect(extProc.path("metadata_options", "forwarding_namespaces") == nil)
        #expect(bootstrap.path("admin", "address", "socket_address", "port_value") as? Int == 9911)

        // Envoy's own replies become JSON: Anthropic's shape on /v1/messages, else OpenAI's; first 413s of
        // requests without content-length (Tollgate answers the others itself), then upstream failures.
        let mappers = try #require(hcm.path("local_reply_config", "mappers") as? [[String: Any]])
        #expect(mappers.count == 4)
        for anthropic in [mappers[0], mappers[2]] {
            let client = try #require(
                anthropic.path("filter", "and_filter", "filters", 1, "or_filter", "filters") as? [Any]
            )
            #expect(
                (client[0] as? [String: Any])?.path("header_filter", "header", "string_match", "prefix") as? String
                    == "/v1/messages"
            )
            // A direct request's path is the provider's by then: its metadata names the client's dialect.
            let metadata = try #require(
                (client[1] as? [String: Any])?.path("metadata_filter", "matcher") as? [String: Any]
            )
            #expect(metadata["filter"] as? String == "tollgate")
            #expect(metadata.path("path", 0, "key") as? String == "dialect")
            #expect(metadata.path("value", "string_match", "exact") as? String == "anthropic")
            // Without the key (any request Envoy answers before routing it) the filter does not match.
            #expect((client[1] as? [String: Any])?.path("metadata_filter", "match_if_key_not_found") as? Bool == false)
            #expect(anthropic.path("body_format_override", "json_format", "type") as? String == "error")
        }
        #expect(
            mappers[1].path(
                "filter",
                "and_filter",
                "filters",
                0,
                "status_code_filter",
                "comparison",
                "value",
                "default_value"
            )
                as? Int == 413
        )
        #expect(
            mappers[1].path("filter", "and_filter", "filters", 1, "header_filter", "header", "name") as? String
                == "content-length"
        )
        #expect(
            mappers[1].path("body_format_override", "json_format", "error", "code") as? String == "request_too_large"
        )
        #expect(
            mappers[3].path("filter", "response_flag_filter", "flags") as? [String]
                == ["UF", "UH", "UT", "URX", "UO", "UC", "UR"]
        )
        let openAIError = try #require(
            mappers[3].path("body_format_override", "json_format", "error") as? [String: Any]
        )
        #expect(openAIError["code"] as? String == "upstream_unavailable")
        #expect(openAIError.keys.contains("param"))
    }

    @Test func routesMatchTheModelHeaderAndEndInA404() throws {
        let bootstrap = try Self.render()
        let routes = try #require(
            bootstrap.path(
                "static_resources",
                "listeners",
                0,
                "filter_chains",
                0,
                "filters",
                0,
                "typed_config",
                "route_config",
                "virtual_hosts",
                0,
                "routes"
            ) as? [[String: Any]]
        )
        #expect(routes.count == 4)
        #expect(routes[0].path("match", "headers", 0, "name") as? String == "x-tollgate-model")
        #expect(routes[0].path("match", "headers", 0, "string_match", "exact") as? String == "gpt-4o-mini")
        #expect(routes[0].path("route", "cluster") as? String == EnvoyNames.clusterName(model: "gpt-4o-mini"))
        #expect(routes[0].path("route", "timeout") as? String == "300s")
        #expect(routes[0].path("route", "retry_policy", "num_retries") as? Int == 2)
        #expect(
            routes[0].path("route", "retry_policy", "retry_priority", "name") as? String
                == "envoy.retry_priorities.previous_priorities"
        )
        // llama-3.1 has one backend: its direct route comes first.
        #expect(routes[1].path("match", "headers", 0, "string_match", "exact") as? String == "llama-3.1")
        #expect(routes[1].path("route", "cluster") as? String == EnvoyNames.directClusterName(model: "llama-3.1"))
        #expect(routes[2].path("match", "headers", 0, "string_match", "exact") as? String == "llama-3.1")
        #expect((routes[2].path("match", "headers") as? [Any])?.count == 1)
        #expect(routes[2].path("route", "retry_policy", "retry_priority") == nil)
        #expect(routes[3].path("direct_response", "status") as? Int == 404)
        let body = try #require(routes[3].path("direct_response", "body", "inline_string") as? String)
        #expect(body.hasPrefix(#"{"error":{"#))
    }

    @Test func oneClusterPerModelWithBackendsAsLocalities() throws {
        let bootstrap = try Self.render()
        let clusters = try #require(bootstrap.path("static_resources", "clusters") as? [[String: Any]])
        #expect(
            clusters.map { $0["name"] as? String } == [
                "tollgate", "tollgate_model_gpt-4o-mini", EnvoyNames.clusterName(model: "llama-3.1"),
                EnvoyNames.directClusterName(model: "llama-3.1"),
            ]
        )
        let mini = clusters[1]
        #expect(mini["type"] as? String == "STRICT_DNS")
        let endpoints = try #require(mini.path("load_assignment", "endpoints") as? [[String: Any]])
        #expect(endpoints.map { $0["priority"] as? Int } == [0, 0, 1])
        #expect(endpoints.map { $0["load_balancing_weight"] as? Int } == [3, 1, 1])
        #expect(
            endpoints.map { $0.path("locality", "sub_zone") as? String } == [
                "gpt-4o-mini/0", "gpt-4o-mini/1", "gpt-4o-mini/2",
            ]
        )
        let first = try #require(endpoints[0].path("lb_endpoints", 0) as? [String: Any])
        #expect(first.path("endpoint", "address", "socket_address", "address") as? String == "api.openai.com")
        #expect(first.path("endpoint", "address", "socket_address", "port_value") as? Int == 443)
        #expect(first.path("metadata", "filter_metadata", "tollgate", "backend") as? String == "gpt-4o-mini/0")
        #expect(
            first.path("metadata", "filter_metadata", "envoy.transport_socket_match", "provider") as? String == "openai"
        )
        let local = try #require(endpoints[2].path("lb_endpoints", 0) as? [String: Any])
        #expect(local.path("endpoint", "address", "socket_address", "port_value") as? Int == 11434)
        #expect(mini.path("common_lb_config", "locality_weighted_lb_config") != nil)

        // TLS only for the https providers, each with its own SNI and name check.
        let matches = try #require(mini["transport_socket_matches"] as? [[String: Any]])
        #expect(matches.map { $0.path("match", "provider") as? String } == ["openai", "azure"])
        #expect(matches[1].path("transport_socket", "typed_config", "sni") as? String == "res.openai.azure.com")
        #expect(
            matches[1].path(
                "transport_socket",
                "typed_config",
                "common_tls_context",
                "validation_context",
                "match_typed_subject_alt_names",
                0,
                "matcher",
                "exact"
            ) as? String == "res.openai.azure.com"
        )
        // An IP-only model needs no DNS and no TLS.
        let llama = clusters[2]
        #expect(llama["type"] as? String == "STATIC")
        #expect(llama["transport_socket_matches"] == nil)
    }

    /// A one-backend model's requests are prepared by the router phase and marked
    /// `x-tollgate-route: direct`: a route before the model's own sends them to a copy of its
    /// cluster without the upstream ext_proc.
    @Test func oneBackendModelHasADirectRouteAndClusterWithoutTheUpstreamPhase() throws {
        let bootstrap = try Self.render()
        let hcm = try #require(
            bootstrap.path("static_resources", "listeners", 0, "filter_chains", 0, "filters", 0, "typed_config")
                as? [String: Any]
        )
        #expect(hcm.path("route_config", "virtual_hosts", 0, "include_attempt_count_in_response") as? Bool == true)
        let direct = try #require(hcm.path("route_config", "virtual_hosts", 0, "routes", 1) as? [String: Any])
        let normal = try #require(hcm.path("route_config", "virtual_hosts", 0, "routes", 2) as? [String: Any])
        #expect(direct["name"] as? String == "direct:llama-3.1")
        #expect(direct.path("match", "prefix") as? String == "/")
        #expect(direct.path("match", "headers", 0, "name") as? String == "x-tollgate-model")
        #expect(direct.path("match", "headers", 0, "string_match", "exact") as? String == "llama-3.1")
        #expect(direct.path("match", "headers", 1, "name") as? String == "x-tollgate-route")
        #expect(direct.path("match", "headers", 1, "string_match", "exact") as? String == "direct")
        #expect(direct["request_headers_to_remove"] as? [String] == ["x-tollgate-model", "x-tollgate-route"])
        let clusterName = try #require(direct.path("route", "cluster") as? String)
        #expect(clusterName == "tollgate_direct_llama-3_1_1a4b2908745a63db")
        // Same timeout and retries as the model's own route.
        #expect(direct.path("route", "timeout") as? String == normal.path("route", "timeout") as? String)
        let directRetry = try #require(direct.path("route", "retry_policy") as? [String: Any])
        let normalRetry = try #require(normal.path("route", "retry_policy") as? [String: Any])
        #expect(try Self.canonical(directRetry) == Self.canonical(normalRetry))

        let clusters = try #require(bootstrap.path("static_resources", "clusters") as? [[String: Any]])
        let model = try #require(clusters.first { $0["name"] as? String == EnvoyNames.clusterName(model: "llama-3.1") })
        let copy = try #require(clusters.first { $0["name"] as? String == clusterName })
        let filters = "typed_extension_protocol_options"
        let options = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
        let directFilters = try #require(copy.path(filters, options, "http_filters") as? [[String: Any]])
        #expect(
            directFilters.map { $0["name"] as? String } == [
                "envoy.filters.http.header_mutation", "envoy.filters.http.upstream_codec",
            ]
        )
        let modelFilters = try #require(model.path(filters, options, "http_filters") as? [[String: Any]])
        #expect(try Self.canonical(Array(modelFilters.dropFirst())) == Self.canonical(directFilters))
        // Otherwise the same cluster: endpoints, TLS, limits, outlier detection.
        func withoutNamesAndFilters(_ cluster: [String: Any]) -> [String: Any] {
            cluster.filter { $0.key != "name" && $0.key != filters && $0.key != "load_assignment" }
        }
        #expect(try Self.canonical(withoutNamesAndFilters(copy)) == Self.canonical(withoutNamesAndFilters(model)))
        #expect(
            try Self.canonical(copy.path("load_assignment", "endpoints") as Any)
                == Self.canonical(model.path("load_assignment", "endpoints") as Any)
        )

        // The model with three backends has none.
        #expect(!clusters.contains { $0["name"] as? String == EnvoyNames.directClusterName(model: "gpt-4o-mini") })
        // The router-level phase may set :authority for these requests.
        let router = try #require(hcm.path("http_filters", 0, "typed_config") as? [String: Any])
        #expect(router.path("mutation_rules", "allow_all_routing") as? Bool == true)
        // ... and remove Envoy's attempt count from responses.
        #expect(router.path("mutation_rules", "allow_envoy") as? Bool == true)
    }

    /// A parsed YAML value as JSON with sorted keys, for comparing trees.
    static func canonical(_ value: Any) throws -> String {
        String(
            decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]),
            as: UTF8.self
        )
    }

    @Test func directClusterNamesNeverCollideWithModelClusterNames() {
        let names = ["a", "a_direct", "tollgate_direct_a", "x.y", "x_y"]
        let model = Set(names.map { EnvoyNames.clusterName(model: $0) })
        let direct = Set(names.map { EnvoyNames.directClusterName(model: $0) })
        #expect(model.count == names.count && direct.count == names.count)
        #expect(model.isDisjoint(with: direct))
    }

    @Test func upstreamFiltersRunExtProcThenRestoreContentLengthThenCodec() throws {
        let bootstrap = try Self.render()
        let mini = try #require(bootstrap.path("static_resources", "clusters", 1) as? [String: Any])
        let options = try #require(
            mini.path("typed_extension_protocol_options", "envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
                as? [String: Any]
        )
        let filters = try #require(options["http_filters"] as? [[String: Any]])
        #expect(
            filters.map { $0["name"] as? String } == [
                "envoy.filters.http.ext_proc", "envoy.filters.http.header_mutation",
                "envoy.filters.http.upstream_codec",
            ]
        )
        let extProc = try #require(filters[0]["typed_config"] as? [String: Any])
        #expect(extProc["request_attributes"] as? [String] == ["xds.upstream_host_metadata"])
        #expect(extProc.path("mutation_rules", "allow_all_routing") as? Bool == true)
        #expect(extProc.path("metadata_options", "receiving_namespaces", "untyped") as? [String] == ["tollgate"])
        #expect(extProc.path("metadata_options", "forwarding_namespaces", "untyped") as? [String] == ["tollgate"])
        #expect(extProc.path("processing_mode", "request_body_mode") as? String == "NONE")
        #expect(extProc.path("processing_mode", "response_header_mode") as? String == "SKIP")
        let header = try #require(
            filters[1].path("typed_config", "mutations", "request_mutations", 0, "append", "header") as? [String: Any]
        )
        #expect(header["key"] as? String == "content-length")
        #expect(header["value"] as? String == "%DYNAMIC_METADATA(tollgate:content_length)%")
    }

    @Test func tollgateClusterSpeaksHTTP2OverTheSocket() throws {
        let bootstrap = try Self.render()
        let tollgate = try #require(bootstrap.path("static_resources", "clusters", 0) as? [String: Any])
        #expect(
            tollgate.path("load_assignment", "endpoints", 0, "lb_endpoints", 0, "endpoint", "address", "pipe", "path")
                as? String == "/run/tollgate.sock"
        )
        #expect(
            tollgate.path(
                "typed_extension_protocol_options",
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                "explicit_http_config",
                "http2_protocol_options",
                "initial_stream_window_size"
            ) as? Int == 16_777_216
        )
        let tcp = try Self.parse(
            EnvoyBootstrapRenderer.render(
                config: GatewayConfig(),
                options: EnvoyBootstrapOptions(tollgate: .tcp(host: "0.0.0.0", port: 50051))
            )
        )
        #expect(
            tcp.path(
                "static_resources",
                "clusters",
                0,
                "load_assignment",
                "endpoints",
                0,
                "lb_endpoints",
                0,
                "endpoint",
                "address",
                "socket_address",
                "address"
            ) as? String == "127.0.0.1"
        )
        #expect(tcp.path("static_resources", "clusters", 0, "type") as? String == "STATIC")
        let named = try Self.parse(
            EnvoyBootstrapRenderer.render(
                config: GatewayConfig(),
                options: EnvoyBootstrapOptions(tollgate: .tcp(host: "tollgate.internal", port: 50051))
            )
        )
        #expect(named.path("static_resources", "clusters", 0, "type") as? String == "STRICT_DNS")
    }

    @Test func xdsModeReadsRoutesAndClustersFromFiles() throws {
        let bootstrap = try Self.render(xds: "/var/lib/tollgate/xds")
        let clusters = try #require(bootstrap.path("static_resources", "clusters") as? [[String: Any]])
        #expect(clusters.map { $0["name"] as? String } == ["tollgate"])
        #expect(
            bootstrap.path("dynamic_resources", "cds_config", "path_config_source", "path") as? String
                == "/var/lib/tollgate/xds/clusters.yaml"
        )
        let hcm = try #require(
            bootstrap.path("static_resources", "listeners", 0, "filter_chains", 0, "filters", 0, "typed_config")
                as? [String: Any]
        )
        #expect(hcm["route_config"] == nil)
        #expect(hcm.path("rds", "route_config_name") as? String == "tollgate_routes")
        #expect(
            hcm.path("rds", "config_source", "path_config_source", "path") as? String
                == "/var/lib/tollgate/xds/routes.yaml"
        )

        let files = try EnvoyXDSFiles(config: Self.config)
        let clusterFile = try Self.parse(files.clusters)
        let resources = try #require(clusterFile["resources"] as? [[String: Any]])
        #expect(
            resources.map { $0["@type"] as? String }
                == Array(repeating: "type.googleapis.com/envoy.config.cluster.v3.Cluster", count: 3)
        )
        #expect(
            resources.map { $0["name"] as? String } == [
                "tollgate_model_gpt-4o-mini", EnvoyNames.clusterName(model: "llama-3.1"),
                EnvoyNames.directClusterName(model: "llama-3.1"),
            ]
        )
        let routeFile = try Self.parse(files.routes)
        #expect(routeFile.path("resources", 0, "name") as? String == "tollgate_routes")
        #expect(routeFile["version_info"] as? String != nil)
        // The same config renders the same bytes (so an unchanged file is not rewritten) ...
        #expect(try EnvoyXDSFiles(config: Self.config) == files)
        // ... and a new model changes both files and their versions.
        var bigger = Self.config
        bigger.models.append(
            ModelConfig(name: "new", backends: [BackendConfig(id: "new/0", provider: "local", upstreamModel: "n")])
        )
        let grown = try EnvoyXDSFiles(config: bigger)
        #expect(try Self.parse(grown.clusters)["version_info"] as? String != clusterFile["version_info"] as? String)
        #expect(
            try Self.parse(grown.routes).path("resources", 0, "virtual_hosts", 0, "routes", 4, "route", "cluster")
                as? String == "tollgate_model_new"
        )
    }

    @Test func unknownProviderIsAnError() {
        let config = GatewayConfig(
            models: [ModelConfig(name: "m", backends: [BackendConfig(id: "m/0", provider: "nope", upstreamModel: "m")])]
        )
        #expect(throws: EnvoyBootstrapError.unknownProvider(backend: "m/0", provider: "nope")) {
            try EnvoyResources(config: config)
        }
    }

    @Test func clusterNamesAreStableAndDistinct() {
        #expect(EnvoyNames.clusterName(model: "gpt-4o") == "tollgate_model_gpt-4o")
        let dotted = EnvoyNames.clusterName(model: "a.b")
        let underscored = EnvoyNames.clusterName(model: "a_b")
        #expect(dotted != underscored)
        #expect(dotted.hasPrefix("tollgate_model_a_b_"))
        #expect(dotted == EnvoyNames.clusterName(model: "a.b"))
        #expect(EnvoyNames.clusterName(model: "meta/llama 3:é").allSatisfy { $0.isASCII && !"/ :.".contains($0) })
    }
}

@Suite struct EnvoyYAMLTextTests {
    @Test(arguments: [
        "", "plain", "true", "False", "null", "~", "yes", "123", "1.5", "-1", "0x1F", "1s", "a: b", "a #b", "#x",
        "%DYNAMIC_METADATA(a:b)%", "@type", "*", "&a", "!tag", "|", ">", "[x]", "{x}", "'q'", "\"dq\"", "back\\slash",
        "line\nbreak", "tab\there", "é ünïcode", "trailing ", " leading", "-", "- item", "?", "a,b", "\u{7}bell",
        "/path/to/x", "api.openai.com", "model:gpt",
    ])
    func stringsReadBackUnchanged(_ text: String) throws {
        let node: YAMLNode = ["k": .string(text), "list": [.string(text)]]
        let parsed = try #require(try Yams.load(yaml: node.yamlText()) as? [String: Any])
        #expect(parsed["k"] as? String == text)
        #expect((parsed["list"] as? [String])?.first == text)
    }

    @Test func nestedShapesAndComments() throws {
        let node: YAMLNode = .map([
            YAMLEntry("a", 1, comment: "first\nsecond"),
            YAMLEntry("b", [["x": 1, "y": [true, false]], [], [:], [[1, 2]], .null]),
            YAMLEntry("c", .map([YAMLEntry("d", "e", comment: "on d")])),
            YAMLEntry("f", .list([.map([YAMLEntry("g", 2, comment: "on g"), YAMLEntry("h", 3, comment: "on h")])])),
        ])
        let text = node.yamlText(header: "header")
        #expect(text.hasPrefix("# header\n# first\n# second\na: 1\n"))
        let parsed = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(parsed["a"] as? Int == 1)
        let b = try #require(parsed["b"] as? [Any])
        #expect((b[0] as? [String: Any])?["x"] as? Int == 1)
        #expect((b[0] as? [String: Any])?["y"] as? [Bool] == [true, false])
        #expect((b[1] as? [Any])?.isEmpty == true)
        #expect((b[2] as? [String: Any])?.isEmpty == true)
        #expect(b[3] as? [[Int]] == [[1, 2]])
        #expect(b.count == 5 && b[4] is NSNull)
        #expect((parsed["c"] as? [String: String]) == ["d": "e"])
        #expect((parsed["f"] as? [[String: Int]]) == [["g": 2, "h": 3]])
    }
}

extension Dictionary where Key == String, Value == Any {
    /// Walks maps by key and lists by index: `path("a", 0, "b")`.
    func path(_ steps: Any...) -> Any? {
        var current: Any? = self
        for step in steps {
            switch (current, step) {
            case (let map as [String: Any], let key as String): current = map[key]
            case (let list as [Any], let index as Int): current = index < list.count ? list[index] : nil
            default: return nil
            }
        }
        return current
    }
}
