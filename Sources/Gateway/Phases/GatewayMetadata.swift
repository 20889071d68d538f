import ExtProc

/// The dynamic metadata Tollgate exchanges with Envoy, all in one namespace.
///
/// - `request`: set by the router phase's body reply to the request's id. Envoy keeps dynamic
///   metadata on the downstream stream, and upstream filters share it, so the upstream ext_proc
///   filter forwards it (`metadata_options.forwarding_namespaces.untyped: [tollgate]`) to every
///   attempt. Headers are no substitute on retries: upstream filters edit the request's one header
///   map in place, so an attempt sees what the previous attempt's reply did to it (observed with
///   Envoy 1.40), including the removal of `x-tollgate-request`. The router-level filter must
///   accept the namespace (`metadata_options.receiving_namespaces.untyped: [tollgate]`).
/// - `content_length`: set to the rewritten body's length (a string) by the reply that rewrote it
///   (the upstream phase's, or the router phase's for a direct request), for the header-mutation
///   filter that restores `content-length`.
/// - `dialect`: set by the router phase's reply for a direct request to the client's dialect
///   (`openai`, `anthropic`): Envoy's local replies pick their shape by it, since such a request's
///   `:path` is already the provider's when Envoy answers.
/// - The outcome, set by the router phase's reply to the response's last message (`completion`),
///   for Envoy's access log (`%DYNAMIC_METADATA(tollgate:output_tokens)%`) and later filters:
///   the usage (`TokenUsage.addMetadataFields`: `input_tokens`, `output_tokens`, `total_tokens`,
///   `cached_input_tokens`, `cache_creation_input_tokens`, `reasoning_tokens`, `usage_complete`)
///   when the response had any; `endpoint` (the client's path; Envoy's `:path` is the provider's
///   by then), `model`, `backend`, `provider`, `upstream_model`, `attempts`,
///   `duration_ms`, and `ttft_ms` when content came; `rejection` when no provider's answer
///   reached the client; `stream_outcome` for streams; `settled_tokens`, the input plus output
///   tokens the rate limiter charged (0 when there were none), for Envoy's own rate-limit filter
///   (`hits_addend` from metadata) to charge the same.
public enum GatewayMetadata {
    public static let namespace = "tollgate"
    public static let requestKey = "request"
    public static let contentLengthKey = "content_length"
    public static let dialectKey = "dialect"

    /// `{"tollgate": {"request": "<id>"}}`.
    public static func request(_ id: RequestID) -> ProtoStruct {
        [namespace: [requestKey: .string(id.description)]]
    }

    /// `{"tollgate": {"request": "<id>", "content_length": "<length>", "dialect": "<client's>"}}`:
    /// a direct request's.
    public static func request(_ id: RequestID, contentLength: Int, dialect: APIDialect) -> ProtoStruct {
        [
            namespace: [
                requestKey: .string(id.description),
                contentLengthKey: .string(String(contentLength)),
                dialectKey: .string(dialect.rawValue),
            ]
        ]
    }

    /// `{"tollgate": {"content_length": "<length>"}}`.
    public static func contentLength(_ length: Int) -> ProtoStruct {
        [namespace: [contentLengthKey: .string(String(length))]]
    }

    /// The request id forwarded in a message's metadata context, if any.
    public static func requestID(in metadataContext: [String: ProtoStruct]) -> RequestID? {
        guard case .string(let text) = metadataContext[namespace]?[requestKey] else { return nil }
        return RequestID(header: Array(text.utf8))
    }

    /// `{"tollgate": {...}}` with what `completion` says (see the type's comment for the keys).
    public static func completion(_ completion: RequestCompletion) -> ProtoStruct {
        // Sized for every key at once: no rehashing as the ~18 fields go in.
        var fields = [String: ProtoValue](minimumCapacity: 24)
        completion.usage?.addMetadataFields(to: &fields)
        fields["settled_tokens"] = .number(Double(completion.usage?.totalTokens ?? 0))
        fields["attempts"] = .number(Double(completion.attempts))
        fields["duration_ms"] = .number(completion.duration.milliseconds.rounded(toPlaces: 3))
        if let ttft = completion.timeToFirstToken {
            fields["ttft_ms"] = .number(ttft.milliseconds.rounded(toPlaces: 3))
        }
        if let endpoint = completion.endpoint { fields["endpoint"] = .string(endpoint.path) }
        if let model = completion.model { fields["model"] = .string(model) }
        if let backend = completion.backendID { fields["backend"] = .string(backend) }
        if let provider = completion.provider { fields["provider"] = .string(provider) }
        if let upstreamModel = completion.upstreamModel { fields["upstream_model"] = .string(upstreamModel) }
        if let rejection = completion.rejection { fields["rejection"] = .string(rejection) }
        if let outcome = completion.streamOutcome { fields["stream_outcome"] = .string(outcome.metadataValue) }
        return [namespace: .structure(ProtoStruct(fields: fields))]
    }
}

extension StreamOutcome {
    /// `completed`, `in_progress`, or the failure: `upstream_error`, `truncated`, `malformed`,
    /// `event_too_large`.
    var metadataValue: String {
        switch self {
        case .inProgress: "in_progress"
        case .completed: "completed"
        case .failed(.upstreamError): "upstream_error"
        case .failed(.truncated): "truncated"
        case .failed(.malformed): "malformed"
        case .failed(.eventTooLarge): "event_too_large"
        }
    }
}

extension Double {
    /// Rounded to `places` decimal places, so the access log shows `12.345`, not 15 digits.
    func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
