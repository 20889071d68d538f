/// The parts of Envoy's config that follow from the gateway config: one cluster per model, the
/// route configuration, and the two ext_proc filters' settings.
///
/// These are plain `YAMLNode` trees, put inline into a bootstrap by `EnvoyBootstrapRenderer`, or
/// written as xDS files by `EnvoyXDSWriter` for hot reload. docs/architecture.md ("Envoy's
/// side", "The gateway") is the specification; `EnvoyNames` holds the shared names.
public struct EnvoyResources: Sendable, Hashable {
    /// One `envoy.config.cluster.v3.Cluster` per model with at least one backend, in config order.
    public var clusters: [YAMLNode]
    /// The `envoy.config.route.v3.RouteConfiguration` named `EnvoyNames.routeConfigName`.
    public var routeConfiguration: YAMLNode

    public static let clusterType = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
    public static let routeConfigurationType = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"

    public init(config: GatewayConfig, options: EnvoyClusterOptions = EnvoyClusterOptions()) throws(EnvoyBootstrapError)
    {
        let providers = Dictionary(config.providers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let limits = EnvoyLimits(settings: config.settings)
        var clusters: [YAMLNode] = []
        var routes: [YAMLNode] = []
        var clusterNames: Set<String> = []
        for model in config.models where !model.backends.isEmpty {
            let name = EnvoyNames.clusterName(model: model.name)
            guard clusterNames.insert(name).inserted else {
                throw .duplicateCluster(name: name)
            }
            clusters.append(
                try Self.cluster(
                    name: name,
                    model: model,
                    providers: providers,
                    limits: limits,
                    options: options,
                    upstreamPhase: true
                )
            )
            if model.backends.count == 1 {
                // Tollgate's router phase prepares these requests itself: no upstream phase.
                let direct = EnvoyNames.directClusterName(model: model.name)
                clusters.append(
                    try Self.cluster(
                        name: direct,
                        model: model,
                        providers: providers,
                        limits: limits,
                        options: options,
                        upstreamPhase: false
                    )
                )
                routes.append(Self.directRoute(model: model, cluster: direct))
            }
            routes.append(Self.route(model: model, cluster: name))
        }
        routes.append(Self.notFoundRoute)
        self.clusters = clusters
        self.routeConfiguration = [
            "name": .string(EnvoyNames.routeConfigName),
            "virtual_hosts": [
                .map([
                    YAMLEntry("name", "tollgate"),
                    YAMLEntry("domains", ["*"]),
                    YAMLEntry(
                        "include_attempt_count_in_response",
                        true,
                        comment:
                            "x-envoy-attempt-count: how Tollgate counts a direct request's retries (it removes the header)."
                    ),
                    YAMLEntry("routes", .list(routes)),
                ])
            ],
        ]
    }

    // MARK: Routes

    private static func route(model: ModelConfig, cluster: String) -> YAMLNode {
        [
            "name": .string(EnvoyNames.routeName(model: model.name)),
            "match": ["prefix": "/", "headers": [exactHeader(EnvoyNames.modelHeader, model.name)]],
            "route": forward(model: model, to: cluster),
        ]
    }

    /// A one-backend model's requests that the router phase prepared itself (`x-tollgate-route:
    /// direct`): to the cluster without the upstream phase, with the model's timeout and retries,
    /// Tollgate's routing headers removed before the provider. Requests without the header (or an
    /// Envoy that has not read this route yet, during a reload) take the model's normal route, whose
    /// upstream phase prepares them again.
    private static func directRoute(model: ModelConfig, cluster: String) -> YAMLNode {
        [
            "name": .string(EnvoyNames.directRouteName(model: model.name)),
            "match": [
                "prefix": "/",
                "headers": [
                    exactHeader(EnvoyNames.modelHeader, model.name),
                    exactHeader(EnvoyNames.routeHeader, EnvoyNames.directRoute),
                ],
            ],
            "route": forward(model: model, to: cluster),
            "request_headers_to_remove": [.string(EnvoyNames.modelHeader), .string(EnvoyNames.routeHeader)],
        ]
    }

    private static func exactHeader(_ name: String, _ value: String) -> YAMLNode {
        ["name": .string(name), "string_match": ["exact": .string(value)]]
    }

    /// The route action of `model`'s routes: its cluster, timeout and retries.
    private static func forward(model: ModelConfig, to cluster: String) -> YAMLNode {
        .map([
            YAMLEntry("cluster", .string(cluster)),
            YAMLEntry("timeout", .string(EnvoyDuration.text(model.timeout))),
            YAMLEntry("retry_policy", EnvoyRetryPolicy.node(model: model)),
        ])
    }

    /// Tollgate answers unknown paths and models itself, so this route is reached only when a request
    /// got past the router-level phase without a model header (or during a reload, before Envoy has
    /// read the new routes).
    private static let notFoundRoute: YAMLNode = [
        "name": "not_found",
        "match": ["prefix": "/"],
        "direct_response": [
            "status": 404,
            "body": [
                "inline_string":
                    #"{"error":{"message":"No route for this request.","type":"invalid_request_error","param":null,"code":"not_found"}}"#
            ],
        ],
        "response_headers_to_add": [
            [
                "header": ["key": "content-type", "value": "application/json"],
                "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
            ]
        ],
    ]

    // MARK: Clusters

    private static func cluster(
        name: String,
        model: ModelConfig,
        providers: [String: ProviderConfig],
        limits: EnvoyLimits,
        options: EnvoyClusterOptions,
        upstreamPhase: Bool
    ) throws(EnvoyBootstrapError) -> YAMLNode {
        var backendProviders: [(BackendConfig, ProviderConfig)] = []
        for backend in model.backends {
            guard let provider = providers[backend.provider] else {
                throw .unknownProvider(backend: backend.id, provider: backend.provider)
            }
            backendProviders.append((backend, provider))
        }
        // Envoy's priority levels must run 0, 1, 2... without gaps; the config's may skip some.
        let levels = Array(Set(model.backends.map(\.priority))).sorted()
        let endpoints: [YAMLNode] = backendProviders.map { backend, provider in
            let level = levels.firstIndex(of: backend.priority) ?? 0
            return [
                // A locality per backend: the weight splits traffic between backends, however many
                // addresses each name resolves to.
                "locality": ["sub_zone": .string(backend.id)],
                "priority": .int(level),
                "load_balancing_weight": .int(backend.weight),
                "lb_endpoints": [
                    [
                        "endpoint": [
                            "address": [
                                "socket_address": [
                                    "address": .string(provider.baseURL.host),
                                    "port_value": .int(provider.baseURL.port),
                                ]
                            ],
                            "hostname": .string(provider.baseURL.host),
                        ],
                        "metadata": [
                            "filter_metadata": [
                                EnvoyNames.metadataNamespace: [EnvoyNames.backendMetadataKey: .string(backend.id)],
                                EnvoyNames.transportSocketMatchNamespace: [
                                    EnvoyNames.transportSocketMatchKey: .string(provider.name)
                                ],
                            ]
                        ],
                    ]
                ],
            ]
        }
        let allAddresses = backendProviders.allSatisfy { isIPAddress($0.1.baseURL.host) }
        var entries: [YAMLEntry] = [
            YAMLEntry("name", .string(name)),
            YAMLEntry("type", allAddresses ? "STATIC" : "STRICT_DNS"),
        ]
        if !allAddresses {
            entries.append(YAMLEntry("dns_lookup_family", "V4_PREFERRED"))
        }
        entries += [
            YAMLEntry("connect_timeout", .string("\(options.connectTimeoutSeconds)s")),
            YAMLEntry("per_connection_buffer_limit_bytes", .int(limits.bodyBufferBytes)),
            YAMLEntry("common_lb_config", ["locality_weighted_lb_config": [:]]),
            YAMLEntry("circuit_breakers", circuitBreakers),
        ]
        if let outlierDetection = EnvoyOutlierDetection.node(model.outlierDetection) {
            entries.append(YAMLEntry("outlier_detection", outlierDetection))
        }
        entries += [
            YAMLEntry("load_assignment", ["cluster_name": .string(name), "endpoints": .list(endpoints)])
        ]
        var seen: Set<String> = []
        let tlsProviders = backendProviders.map(\.1).filter { $0.baseURL.isTLS && seen.insert($0.name).inserted }
        if !tlsProviders.isEmpty {
            entries.append(
                YAMLEntry(
                    "transport_socket_matches",
                    .list(tlsProviders.map { transportSocketMatch(provider: $0, options: options) }),
                    comment: "TLS per provider: Envoy picks the SNI by the endpoint's metadata, before any filter runs."
                )
            )
        }
        entries.append(
            YAMLEntry(
                "typed_extension_protocol_options",
                [
                    "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": [
                        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                        "explicit_http_config": ["http_protocol_options": [:]],
                        "http_filters": .list(
                            upstreamFilters(limits: limits, options: options, upstreamPhase: upstreamPhase)
                        ),
                    ]
                ]
            )
        )
        return .map(entries)
    }

    private static func transportSocketMatch(provider: ProviderConfig, options: EnvoyClusterOptions) -> YAMLNode {
        let host = provider.baseURL.host
        let isAddress = isIPAddress(host)
        var tls: [YAMLEntry] = [
            YAMLEntry("@type", "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext")
        ]
        if !isAddress {
            tls.append(YAMLEntry("sni", .string(host)))
        }
        tls.append(
            YAMLEntry(
                "common_tls_context",
                [
                    "alpn_protocols": ["http/1.1"],
                    "validation_context": [
                        "trusted_ca": ["filename": .string(options.caFile)],
                        "match_typed_subject_alt_names": [
                            [
                                "san_type": isAddress ? "IP_ADDRESS" : "DNS",
                                "matcher": ["exact": .string(host)],
                            ]
                        ],
                    ],
                ]
            )
        )
        return [
            "name": .string("provider:\(provider.name)"),
            "match": [EnvoyNames.transportSocketMatchKey: .string(provider.name)],
            "transport_socket": ["name": "envoy.transport_sockets.tls", "typed_config": .map(tls)],
        ]
    }

    /// Per attempt, before the codec: Tollgate's upstream phase (path, authority, credential, body;
    /// not in a direct cluster, whose requests the router phase prepared), then the restoration of
    /// `content-length`, which Envoy drops when ext_proc replaces the body.
    private static func upstreamFilters(
        limits: EnvoyLimits,
        options: EnvoyClusterOptions,
        upstreamPhase: Bool
    ) -> [YAMLNode] {
        let phase: [YAMLNode] = [
            [
                "name": "envoy.filters.http.ext_proc",
                "typed_config": .map(
                    ExtProcFilterSettings.upstream.typedConfig(limits: limits, options: options)
                ),
            ]
        ]
        return (upstreamPhase ? phase : []) + [
            [
                "name": "envoy.filters.http.header_mutation",
                "typed_config": [
                    "@type": "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation",
                    "mutations": [
                        "request_mutations": [
                            [
                                "append": [
                                    "header": [
                                        "key": "content-length",
                                        "value": .string(
                                            "%DYNAMIC_METADATA(\(EnvoyNames.metadataNamespace):\(EnvoyNames.contentLengthMetadataKey))%"
                                        ),
                                    ],
                                    "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
                                ]
                            ]
                        ]
                    ],
                ],
            ],
            [
                "name": "envoy.filters.http.upstream_codec",
                "typed_config": [
                    "@type": "type.googleapis.com/envoy.extensions.filters.http.upstream_codec.v3.UpstreamCodec"
                ],
            ],
        ]
    }

    /// Envoy's defaults (1024 requests per cluster) would cap concurrent LLM calls far too low.
    static let circuitBreakers: YAMLNode = [
        "thresholds": [
            [
                "max_connections": 100_000,
                "max_pending_requests": 100_000,
                "max_requests": 100_000,
                "max_retries": 1000,
            ]
        ]
    ]

    /// Whether `host` is an IPv4 or IPv6 literal rather than a name to resolve.
    public static func isIPAddress(_ host: String) -> Bool {
        if host.contains(":") {
            return true
        }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                    && Int(part).map { $0 <= 255 } == true
            }
    }
}

/// Buffer and message sizes that follow from `gateway.max_body_bytes`.
struct EnvoyLimits: Sendable, Hashable {
    /// Envoy's per-connection (and so per-request) buffer: a little over the body cap, so a body just
    /// over the cap still reaches Tollgate, which answers 413 in the client's dialect.
    var bodyBufferBytes: Int
    /// The largest gRPC message Envoy accepts from Tollgate: a replaced body may grow.
    var grpcMessageBytes: Int

    static let mebibyte = 1024 * 1024

    init(settings: GatewaySettings) {
        let cap = max(settings.maxBodyBytes, 0)
        bodyBufferBytes = max(cap + Self.mebibyte, 2 * Self.mebibyte)
        grpcMessageBytes = max(2 * cap + Self.mebibyte, 64 * Self.mebibyte)
    }
}
