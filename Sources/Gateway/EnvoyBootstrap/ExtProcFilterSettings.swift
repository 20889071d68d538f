/// The two ext_proc filters Tollgate runs in, as docs/architecture.md ("Envoy's side") fixes them.
///
/// - `router`: in the listener's HTTP filter chain, once per request (key check, model, routing
///   header, response reading; for a one-backend model also the provider's path, authority,
///   credential and body, so it may set `:authority` like the upstream one). Every round trip before the response's first byte that can be
///   saved is: the request body is FULL_DUPLEX_STREAMED, so Envoy sends it right behind the
///   headers and Tollgate answers both together (one round trip, not two; this mode requires
///   trailers SEND); the response body is STREAMED with `send_body_without_waiting_for_header_response`,
///   so its first chunk travels with the response headers and both are answered together (a
///   `mode_override` at the response headers would cost a second round trip before the first
///   byte, and Envoy 1.40 ignores one given earlier). A response body Tollgate reads whole is
///   held in Envoy's queue of unanswered chunks, which must fit the listener's
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
                    "send_body_without_waiting_for_header_response",
                    true,
                    comment: "The response's first chunk goes out with its headers: one round trip for both."
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
        }
        entries.append(YAMLEntry("mutation_rules", mutationRules, comment: mutationRulesComment))
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

    /// Both phases set `:authority` (the router phase for a one-backend model's request); the router
    /// phase also removes Envoy's `x-envoy-attempt-count` from responses.
    private var mutationRules: YAMLNode {
        switch self {
        case .router: ["allow_all_routing": true, "allow_envoy": true]
        case .upstream: ["allow_all_routing": true]
        }
    }

    private var mutationRulesComment: String {
        switch self {
        case .router: ":authority for a one-backend model's request; x-envoy-attempt-count removed from responses."
        case .upstream: ":path, :authority and host for the attempt's backend."
        }
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
                "request_body_mode": "FULL_DUPLEX_STREAMED",
                "request_trailer_mode": "SEND",
                "response_header_mode": "SEND",
                "response_body_mode": "STREAMED",
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
