/// Renders a complete Envoy bootstrap for a gateway config: what `tollgate envoy-config` prints.
///
/// Listener → HTTP connection manager → router-level ext_proc → router; one cluster per model (see
/// `EnvoyResources`), and the `tollgate` cluster over HTTP/2 to Tollgate's socket. With an xDS
/// directory, routes and model clusters are read from files Tollgate rewrites on reload; without,
/// they are inline.
public enum EnvoyBootstrapRenderer {
    /// The bootstrap as YAML text, with a header comment saying how it was made.
    public static func render(
        config: GatewayConfig,
        options: EnvoyBootstrapOptions
    ) throws(EnvoyBootstrapError)
        -> String
    {
        var lines = [
            "Envoy bootstrap rendered by `tollgate envoy-config`: do not edit, render again.",
            "",
            "  client --HTTP--> Envoy \(options.listenHost):\(options.listenPort)"
                + " --ext_proc (gRPC over h2c)--> Tollgate \(options.tollgate)",
            "                     +--> one cluster per model, one endpoint per backend (priority, weight)",
            "",
        ]
        if let directory = options.xdsDirectory {
            lines.append("Routes and model clusters: \(directory)/{routes,clusters}.yaml, rewritten by")
            lines.append("`tollgate serve --envoy-xds-dir \(directory)` on every accepted config reload.")
        } else {
            lines.append(
                "Routes and model clusters are inline: a model change needs a new render and an Envoy restart."
            )
        }
        lines.append("Check with: envoy --mode validate -c FILE")
        let header = lines.joined(separator: "\n")
        return try bootstrap(config: config, options: options).yamlText(header: header)
    }

    public static func bootstrap(
        config: GatewayConfig,
        options: EnvoyBootstrapOptions
    ) throws(EnvoyBootstrapError)
        -> YAMLNode
    {
        let resources = try EnvoyResources(config: config, options: options.cluster)
        let limits = EnvoyLimits(settings: config.settings)
        var clusters: [YAMLNode] = [tollgateCluster(options.tollgate, limits: limits)]
        let routes: YAMLEntry
        var entries: [YAMLEntry] = [
            YAMLEntry("node", ["id": .string(options.nodeName), "cluster": .string(options.nodeName)]),
            YAMLEntry("admin", ["address": socketAddress(host: options.adminHost, port: options.adminPort)]),
        ]
        if let directory = options.xdsDirectory {
            routes = YAMLEntry(
                "rds",
                [
                    "route_config_name": .string(EnvoyNames.routeConfigName),
                    "config_source": fileConfigSource(EnvoyXDSFiles.routesPath(in: directory)),
                ],
                comment: "Rewritten by `tollgate serve --envoy-xds-dir` on every accepted config reload."
            )
        } else {
            clusters += resources.clusters
            routes = YAMLEntry("route_config", resources.routeConfiguration)
        }
        entries.append(
            YAMLEntry(
                "static_resources",
                [
                    "listeners": [listener(options: options, routes: routes, limits: limits)],
                    "clusters": .list(clusters),
                ]
            )
        )
        if let directory = options.xdsDirectory {
            entries.append(
                YAMLEntry(
                    "dynamic_resources",
                    ["cds_config": fileConfigSource(EnvoyXDSFiles.clustersPath(in: directory))],
                    comment: "One cluster per model, rewritten by `tollgate serve --envoy-xds-dir`."
                )
            )
        }
        return .map(entries)
    }

    private static func listener(options: EnvoyBootstrapOptions, routes: YAMLEntry, limits: EnvoyLimits) -> YAMLNode {
        .map([
            YAMLEntry("name", .string(EnvoyNames.listenerName)),
            YAMLEntry("address", socketAddress(host: options.listenHost, port: options.listenPort)),
            YAMLEntry(
                "per_connection_buffer_limit_bytes",
                .int(limits.bodyBufferBytes),
                comment: "The buffered request body must fit: gateway.max_body_bytes plus room to answer 413 in JSON."
            ),
            YAMLEntry(
                "filter_chains",
                [
                    [
                        "filters": [
                            [
                                "name": "envoy.filters.network.http_connection_manager",
                                "typed_config": .map([
                                    YAMLEntry(
                                        "@type",
                                        "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
                                    ),
                                    YAMLEntry("stat_prefix", "tollgate"),
                                    YAMLEntry("codec_type", "AUTO"),
                                    routes,
                                    YAMLEntry(
                                        "access_log",
                                        EnvoyAccessLog.config,
                                        comment:
                                            "One JSON line per request on stdout, with the tokens and backend Tollgate reports."
                                    ),
                                    YAMLEntry(
                                        "local_reply_config",
                                        EnvoyLocalReplies.config,
                                        comment:
                                            "Envoy's own answers (provider unreachable, body past the buffer): JSON in the client's dialect."
                                    ),
                                    YAMLEntry(
                                        "http_filters",
                                        [
                                            [
                                                "name": "envoy.filters.http.ext_proc",
                                                "typed_config": .map(
                                                    ExtProcFilterSettings.router.typedConfig(
                                                        limits: limits,
                                                        options: options.cluster
                                                    )
                                                ),
                                            ],
                                            [
                                                "name": "envoy.filters.http.router",
                                                "typed_config": [
                                                    "@type":
                                                        "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
                                                    "suppress_envoy_headers": true,
                                                ],
                                            ],
                                        ],
                                        comment: "Router-level ext_proc: key, model, routing header."
                                    ),
                                ]),
                            ]
                        ]
                    ]
                ]
            ),
        ])
    }

    /// Tollgate itself: gRPC needs HTTP/2; the windows let a whole buffered body travel at once.
    private static func tollgateCluster(_ endpoint: EnvoyTollgateEndpoint, limits: EnvoyLimits) -> YAMLNode {
        let address: YAMLNode
        // A STATIC cluster needs an address; a host name (`tollgate:50051` in a compose file) is resolved.
        var type = "STATIC"
        switch endpoint {
        case .unixSocket(let path):
            address = ["pipe": ["path": .string(path)]]
        case .tcp(let host, let port):
            let reachable =
                switch host {
                case "", "0.0.0.0", "localhost": "127.0.0.1"
                case "::": "::1"
                default: host
                }
            if !EnvoyResources.isIPAddress(reachable) {
                type = "STRICT_DNS"
            }
            address = socketAddress(host: reachable, port: port)
        }
        return .map([
            YAMLEntry("name", .string(EnvoyNames.tollgateCluster)),
            YAMLEntry("type", .string(type)),
            YAMLEntry("connect_timeout", "1s"),
            YAMLEntry("per_connection_buffer_limit_bytes", .int(limits.grpcMessageBytes)),
            YAMLEntry("circuit_breakers", EnvoyResources.circuitBreakers),
            YAMLEntry(
                "typed_extension_protocol_options",
                [
                    "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": [
                        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                        "explicit_http_config": [
                            "http2_protocol_options": [
                                "initial_stream_window_size": 16_777_216,
                                "initial_connection_window_size": 67_108_864,
                            ]
                        ],
                    ]
                ]
            ),
            YAMLEntry(
                "load_assignment",
                [
                    "cluster_name": .string(EnvoyNames.tollgateCluster),
                    "endpoints": [["lb_endpoints": [["endpoint": ["address": address]]]]],
                ]
            ),
        ])
    }

    private static func socketAddress(host: String, port: Int) -> YAMLNode {
        ["socket_address": ["address": .string(host), "port_value": .int(port)]]
    }

    private static func fileConfigSource(_ path: String) -> YAMLNode {
        [
            "resource_api_version": "V3",
            "path_config_source": ["path": .string(path)],
        ]
    }
}
