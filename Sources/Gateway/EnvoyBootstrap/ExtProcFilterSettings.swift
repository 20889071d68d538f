/// The two ext_proc filters Tollgate runs in, as docs/architecture.md ("Envoy's side") fixes them.
///
/// - `router`: in the listener's HTTP filter chain, once per request: request headers and the buffered
///   body (key check, model, routing header), response headers. The response body is off by
///   default; the reply to the response headers turns it on per response (`allow_mode_override`):
///   BUFFERED for a JSON body to read or translate, STREAMED for SSE, so a response that needs
///   nothing costs no body round trip. A buffered response must fit the listener's
///   `per_connection_buffer_limit_bytes` (`EnvoyLimits.bodyBufferBytes`).
/// - `upstream`: in each model cluster's upstream filter chain, once per attempt (retries included):
///   request headers only, with the chosen host's metadata as an attribute; allowed to set `:authority`
///   and `host`; its `tollgate` dynamic metadata carries the replaced body's length.
enum ExtProcFilterSettings: Sendable {
    case router
    case upstream

    func typedConfig(limits: EnvoyLimits, options: EnvoyClusterOptions) -> [YAMLEntry] {
        var entries: [YAMLEntry] = [
            YAMLEntry("@type", "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor"),
            YAMLEntry(
                "grpc_service",
                [
                    "envoy_grpc": [
                        "cluster_name": .string(EnvoyNames.tollgateCluster),
                        "max_receive_message_length": .int(limits.grpcMessageBytes),
                    ]
                ]
            ),
            YAMLEntry("stat_prefix", .string(statPrefix)),
            YAMLEntry(
                "failure_mode_allow",
                false,
                comment: "Tollgate unreachable or failing: the request fails rather than bypassing it."
            ),
            YAMLEntry("message_timeout", .string(EnvoyDuration.text(milliseconds: options.messageTimeoutMilliseconds))),
            YAMLEntry("processing_mode", processingMode),
        ]
        switch self {
        case .router:
            entries.append(
                YAMLEntry(
                    "allow_mode_override",
                    true,
                    comment:
                        "The response headers' reply asks for the body only when it must be read (BUFFERED or STREAMED)."
                )
            )
        case .upstream:
            entries.append(
                YAMLEntry(
                    "request_attributes",
                    [.string(EnvoyNames.hostMetadataAttribute)],
                    comment: "Which backend this attempt goes to: filter_metadata.tollgate.backend of the chosen host."
                )
            )
            entries.append(YAMLEntry("mutation_rules", ["allow_all_routing": true]))
        }
        switch self {
        case .router:
            entries.append(
                YAMLEntry(
                    "metadata_options",
                    ["receiving_namespaces": ["untyped": [.string(EnvoyNames.metadataNamespace)]]],
                    comment: "Tollgate sets tollgate.request (the request's id), which every upstream attempt is sent."
                )
            )
        case .upstream:
            entries.append(
                YAMLEntry(
                    "metadata_options",
                    [
                        "forwarding_namespaces": ["untyped": [.string(EnvoyNames.metadataNamespace)]],
                        "receiving_namespaces": ["untyped": [.string(EnvoyNames.metadataNamespace)]],
                    ],
                    comment:
                        "Forwarded: tollgate.request, so a retry finds the request (headers are edited in place across attempts).\nReceived: tollgate.content_length, for the header_mutation filter below."
                )
            )
        }
        return entries
    }

    private var statPrefix: String {
        switch self {
        case .router: "router"
        case .upstream: "upstream"
        }
    }

    private var processingMode: YAMLNode {
        switch self {
        case .router:
            [
                "request_header_mode": "SEND",
                "request_body_mode": "BUFFERED",
                "request_trailer_mode": "SKIP",
                "response_header_mode": "SEND",
                "response_body_mode": "NONE",
                "response_trailer_mode": "SKIP",
            ]
        case .upstream:
            [
                "request_header_mode": "SEND",
                "request_body_mode": "NONE",
                "request_trailer_mode": "SKIP",
                "response_header_mode": "SKIP",
                "response_body_mode": "NONE",
                "response_trailer_mode": "SKIP",
            ]
        }
    }
}
