import ExtProc

/// How each `GatewayError` appears to the client: status, error type and code in both dialects,
/// and a message with no internal detail. Statuses and types follow docs/architecture.md ("Where errors come from")
/// and the providers' own errors (OpenAI's `invalid_request_error` + `code`; Anthropic's
/// `authentication_error`, `permission_error`, `not_found_error`, `request_too_large`, `api_error`).
extension GatewayError {
    public var status: Int {
        switch self {
        case .missingKey, .invalidKey: 401
        case .modelNotAllowed: 403
        case .modelNotFound, .unknownPath: 404
        case .malformedBody, .missingModel, .modelNotAString, .endpointNotSupported: 400
        case .bodyTooLarge: 413
        case .methodNotAllowed: 405
        case .upstreamCredentialMissing, .requestStateMissing, .backendUnresolved: 500
        }
    }

    /// `error.type` in OpenAI's shape.
    public var openAIType: String {
        switch self {
        case .missingKey, .invalidKey, .modelNotAllowed, .modelNotFound, .malformedBody, .missingModel,
            .modelNotAString, .bodyTooLarge, .unknownPath, .methodNotAllowed, .endpointNotSupported:
            "invalid_request_error"
        case .upstreamCredentialMissing, .requestStateMissing, .backendUnresolved:
            "server_error"
        }
    }

    /// `error.code` in OpenAI's shape; nil is written as `null`.
    public var openAICode: String? {
        switch self {
        case .missingKey, .invalidKey: "invalid_api_key"
        case .modelNotAllowed: "model_not_allowed"
        case .modelNotFound: "model_not_found"
        case .malformedBody, .modelNotAString, .endpointNotSupported: nil
        case .missingModel: "missing_required_parameter"
        case .bodyTooLarge: "request_too_large"
        case .unknownPath: "unknown_url"
        case .methodNotAllowed: "method_not_allowed"
        case .upstreamCredentialMissing, .requestStateMissing, .backendUnresolved: nil
        }
    }

    /// `error.param` in OpenAI's shape: the request field at fault, if any.
    public var openAIParam: String? {
        switch self {
        case .modelNotAllowed, .modelNotFound, .missingModel, .modelNotAString, .endpointNotSupported: "model"
        case .missingKey, .invalidKey, .malformedBody, .bodyTooLarge, .unknownPath, .methodNotAllowed,
            .upstreamCredentialMissing, .requestStateMissing, .backendUnresolved:
            nil
        }
    }

    /// `error.type` in Anthropic's shape.
    public var anthropicType: String {
        switch self {
        case .missingKey, .invalidKey: "authentication_error"
        case .modelNotAllowed: "permission_error"
        case .modelNotFound, .unknownPath: "not_found_error"
        case .malformedBody, .missingModel, .modelNotAString, .methodNotAllowed, .endpointNotSupported:
            "invalid_request_error"
        case .bodyTooLarge: "request_too_large"
        case .upstreamCredentialMissing, .requestStateMissing, .backendUnresolved: "api_error"
        }
    }

    /// The human-readable message, the same in both dialects. Values the client sent are
    /// echoed, shortened; nothing from the configuration or the gateway's state is.
    public var message: String {
        switch self {
        case .missingKey:
            "Missing API key. Send your gateway key as 'Authorization: Bearer <key>' or 'x-api-key: <key>'."
        case .invalidKey:
            "Invalid API key."
        case .modelNotAllowed(let model):
            "This key is not allowed to use the model '\(clipped(model))'."
        case .modelNotFound(let model):
            "The model '\(clipped(model))' does not exist."
        case .malformedBody(let reason):
            "The request body is not valid JSON: \(reason)."
        case .missingModel:
            "The request body must include 'model'."
        case .modelNotAString:
            "'model' must be a string."
        case .bodyTooLarge(let limit):
            "The request body is larger than the gateway's limit of \(limit) bytes."
        case .unknownPath(let path):
            "Unknown path '\(clipped(path))'."
        case .methodNotAllowed(let method, let allowed):
            "Method \(clipped(method)) is not allowed here; use \(allowed)."
        case .endpointNotSupported(let model, let path):
            "The model '\(clipped(model))' cannot serve '\(clipped(path))'."
        case .upstreamCredentialMissing, .requestStateMissing, .backendUnresolved:
            "The gateway could not route this request."
        }
    }

    /// A token for Envoy's access log (`%RESPONSE_CODE_DETAILS%`) and the `reason` metric label.
    public var kind: String {
        switch self {
        case .missingKey: "missing_key"
        case .invalidKey: "invalid_key"
        case .modelNotAllowed: "model_not_allowed"
        case .modelNotFound: "model_not_found"
        case .malformedBody: "malformed_body"
        case .missingModel: "missing_model"
        case .modelNotAString: "model_not_a_string"
        case .bodyTooLarge: "body_too_large"
        case .unknownPath: "unknown_path"
        case .methodNotAllowed: "method_not_allowed"
        case .endpointNotSupported: "endpoint_not_supported"
        case .upstreamCredentialMissing: "upstream_credential_missing"
        case .requestStateMissing: "request_state_missing"
        case .backendUnresolved: "backend_unresolved"
        }
    }

    /// Every kind, for registering metrics up front.
    public static let allKinds = [
        "missing_key", "invalid_key", "model_not_allowed", "model_not_found", "malformed_body", "missing_model",
        "model_not_a_string", "body_too_large", "unknown_path", "method_not_allowed", "endpoint_not_supported",
        "upstream_credential_missing", "request_state_missing", "backend_unresolved",
    ]

    /// The error body in `dialect`'s shape.
    public func body(in dialect: APIDialect) -> [UInt8] {
        switch dialect {
        case .openAI:
            ErrorBodies.body(in: .openAI, type: openAIType, message: message, param: openAIParam, code: openAICode)
        case .anthropic:
            ErrorBodies.body(in: .anthropic, type: anthropicType, message: message)
        }
    }

    /// The reply that ends the exchange with this error: status, JSON content type, the body in
    /// `dialect`, and `allow` for a 405.
    public func immediateResponse(in dialect: APIDialect) -> ImmediateResponse {
        var headers: [HeaderValueOption] = []
        if case .methodNotAllowed(_, let allowed) = self {
            headers.append(
                HeaderValueOption(HeaderField(name: "allow", value: allowed), appendAction: .overwriteIfExistsOrAdd)
            )
        }
        return ErrorBodies.immediateResponse(
            status: status,
            body: body(in: dialect),
            headers: headers,
            details: "tollgate_" + kind
        )
    }
}

/// Client-sent text echoed in a message, cut so that a huge value cannot inflate the error.
private func clipped(_ text: String) -> String {
    text.utf8.count <= 200 ? text : String(text.prefix(200)) + "…"
}
