/// The HTTP connection manager's `local_reply_config`: the errors Envoy answers by itself, rewritten
/// into the client's dialect (Anthropic's shape on `/v1/messages` or for a direct request whose
/// metadata says `tollgate.dialect: anthropic`, OpenAI's elsewhere), so a client
/// never gets Envoy's plain text, which names socket errors.
///
/// - Upstream failures (response flags UF, UH, UT, URX, UO, UC, UR: refused or reset connection, no
///   healthy host, timeout, overflow) become 503/504 `upstream_unavailable`.
/// - A body past Envoy's buffer is answered 413 by Envoy before Tollgate sees it. Tollgate answers
///   413 itself at the request headers when `content-length` is over the cap, so only requests
///   without `content-length` (chunked) are rewritten here; Tollgate's own 413s keep their message.
///
/// Each mapper matches on response flags or request headers, never on Tollgate's immediate
/// responses (which carry no flag), so those bodies pass untouched. The first matching mapper wins.
///
/// Each also adds `x-tollgate-local-reply: <reason>` (`GatewayHeaders.localReply`): the router
/// phase then knows the response is Envoy's, not the last attempt's provider's, leaves its body
/// alone, reports the reason, and removes the header.
enum EnvoyLocalReplies {
    static let upstreamFailureFlags: [String] = ["UF", "UH", "UT", "URX", "UO", "UC", "UR"]

    static var config: YAMLNode {
        let upstreamFailure: YAMLNode = [
            "response_flag_filter": ["flags": .list(upstreamFailureFlags.map(YAMLNode.string))]
        ]
        let tooLarge: YAMLNode = [
            "and_filter": [
                "filters": [
                    [
                        "status_code_filter": [
                            "comparison": [
                                "op": "EQ", "value": ["default_value": 413, "runtime_key": "tollgate.local_reply.413"],
                            ]
                        ]
                    ],
                    [
                        "header_filter": [
                            "header": ["name": "content-length", "present_match": true, "invert_match": true]
                        ]
                    ],
                ]
            ]
        ]
        return [
            "mappers": .list(
                mappers(
                    when: tooLarge,
                    reason: "request_too_large",
                    message: "The request body is larger than the gateway's limit.",
                    openAI: (type: "invalid_request_error", code: "request_too_large"),
                    anthropicType: "request_too_large"
                )
                    + mappers(
                        when: upstreamFailure,
                        reason: "upstream_unavailable",
                        message: "The provider could not be reached or did not answer in time.",
                        openAI: (type: "server_error", code: "upstream_unavailable"),
                        anthropicType: "api_error"
                    )
            )
        ]
    }

    /// Two mappers for one kind of reply: Anthropic clients first, then every other.
    private static func mappers(
        when filter: YAMLNode,
        reason: String,
        message: String,
        openAI: (type: String, code: String),
        anthropicType: String
    ) -> [YAMLNode] {
        // A direct request's `:path` is already the provider's, so its client's dialect also comes
        // from the router phase's metadata (`tollgate.dialect`).
        let messagesClient: YAMLNode = [
            "or_filter": [
                "filters": [
                    ["header_filter": ["header": ["name": ":path", "string_match": ["prefix": "/v1/messages"]]]],
                    [
                        "metadata_filter": [
                            "matcher": [
                                "filter": .string(EnvoyNames.metadataNamespace),
                                "path": [["key": .string(EnvoyNames.dialectMetadataKey)]],
                                "value": ["string_match": ["exact": "anthropic"]],
                            ],
                            // Envoy's default counts a request without the key as a match.
                            "match_if_key_not_found": false,
                        ]
                    ],
                ]
            ]
        ]
        let marker: YAMLNode = [
            [
                "header": ["key": .string(GatewayHeaders.localReply), "value": .string(reason)],
                "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
            ]
        ]
        return [
            [
                "filter": ["and_filter": ["filters": [filter, messagesClient]]],
                "headers_to_add": marker,
                "body_format_override": [
                    "json_format": [
                        "type": "error",
                        "error": ["type": .string(anthropicType), "message": .string(message)],
                    ],
                    "content_type": "application/json",
                ],
            ],
            [
                "filter": filter,
                "headers_to_add": marker,
                "body_format_override": [
                    "json_format": [
                        "error": [
                            "message": .string(message),
                            "type": .string(openAI.type),
                            "param": .null,
                            "code": .string(openAI.code),
                        ]
                    ],
                    "content_type": "application/json",
                ],
            ],
        ]
    }
}
