/// The HTTP connection manager's access log: one JSON line per request on Envoy's stdout, with
/// what Envoy knows (method, path, status, response flags and details, timings) and what the
/// router phase put in the `tollgate` dynamic metadata at the response's end
/// (`GatewayMetadata.completion`): tokens, backend, provider, attempts, time to first token.
///
/// `json_format` keeps a value's type when the value is a single command, so token counts are
/// JSON numbers; a key whose metadata is absent (a request Tollgate refused has no usage) is
/// `null`.
enum EnvoyAccessLog {
    /// The keys of `GatewayMetadata.completion` that the log shows, in this order.
    static let metadataKeys = [
        "request", "endpoint", "model", "backend", "provider", "upstream_model", "attempts", "input_tokens",
        "output_tokens", "cached_input_tokens", "cache_creation_input_tokens", "reasoning_tokens",
        "usage_complete", "ttft_ms", "duration_ms", "stream_outcome", "rejection",
    ]

    static var config: YAMLNode {
        var format: [YAMLEntry] = [
            YAMLEntry("start_time", "%START_TIME%"),
            YAMLEntry("request_id", "%REQ(X-REQUEST-ID)%"),
            YAMLEntry("method", "%REQ(:METHOD)%"),
            // The upstream phase rewrites `:path` in place: for a routed request this is the
            // provider's path, and `endpoint` (from the metadata) the client's.
            YAMLEntry("path", "%REQ(:PATH)%"),
            YAMLEntry("status", "%RESPONSE_CODE%"),
            YAMLEntry("response_flags", "%RESPONSE_FLAGS%"),
            YAMLEntry("details", "%RESPONSE_CODE_DETAILS%"),
            YAMLEntry("envoy_duration_ms", "%DURATION%"),
            YAMLEntry("upstream_host", "%UPSTREAM_HOST%"),
        ]
        for key in metadataKeys {
            format.append(YAMLEntry(key, .string("%DYNAMIC_METADATA(\(EnvoyNames.metadataNamespace):\(key))%")))
        }
        return [
            [
                "name": "envoy.access_loggers.stdout",
                "typed_config": [
                    "@type": "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog",
                    "log_format": ["json_format": .map(format)],
                ],
            ]
        ]
    }
}
