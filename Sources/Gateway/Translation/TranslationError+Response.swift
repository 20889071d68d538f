import ExtProc

/// How each `TranslationError` appears to the client, in the same shapes as `GatewayError`:
/// OpenAI's `{"error":{"message","type","param","code"}}` and Anthropic's
/// `{"type":"error","error":{"type","message"}}`.
extension TranslationError {
    public var status: Int {
        switch self {
        case .invalidRequest, .unsupported: 400
        case .invalidUpstreamResponse: 502
        }
    }

    /// `error.type` in OpenAI's shape.
    public var openAIType: String {
        switch self {
        case .invalidRequest, .unsupported: "invalid_request_error"
        case .invalidUpstreamResponse: "server_error"
        }
    }

    /// `error.type` in Anthropic's shape.
    public var anthropicType: String {
        switch self {
        case .invalidRequest, .unsupported: "invalid_request_error"
        case .invalidUpstreamResponse: "api_error"
        }
    }

    /// The client-facing message: the request's own fault for the client cases, nothing about
    /// the provider's answer for the upstream one.
    public var message: String {
        switch self {
        case .invalidRequest(let message), .unsupported(let message): message
        case .invalidUpstreamResponse: "The upstream provider returned a response the gateway could not translate."
        }
    }

    /// A token for Envoy's access log and the `reason` metric label.
    public var kind: String {
        switch self {
        case .invalidRequest: "translation_invalid_request"
        case .unsupported: "translation_unsupported"
        case .invalidUpstreamResponse: "translation_invalid_upstream_response"
        }
    }

    /// The error body in `dialect`'s shape.
    public func body(in dialect: APIDialect) -> [UInt8] {
        ErrorBodies.body(in: dialect, type: dialect == .openAI ? openAIType : anthropicType, message: message)
    }

    /// The reply that ends the exchange with this error.
    public func immediateResponse(in dialect: APIDialect) -> ImmediateResponse {
        ErrorBodies.immediateResponse(status: status, body: body(in: dialect), details: "tollgate_" + kind)
    }
}
