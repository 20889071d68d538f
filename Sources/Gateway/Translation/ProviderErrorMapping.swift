/// How a provider's error is named in the other API: Anthropic's `error.type` by HTTP status
/// (as Anthropic's errors page lists them), and OpenAI's `type` and `code` for each Anthropic
/// type (as OpenAI's SDKs and docs use them).
///
/// Statuses are kept, so clients' retry logic sees what the provider meant, with two exceptions:
/// Anthropic's 529 (overloaded) becomes 503 for OpenAI clients, which know no 529; and OpenAI's
/// `insufficient_quota` (sent as 429) becomes Anthropic's `billing_error` 402, which clients do
/// not retry, as they would a 429.
enum ProviderErrorMapping {
    /// Anthropic's error type for a status, when the body does not say.
    static func anthropicType(forStatus status: Int) -> String {
        switch status {
        case 400: "invalid_request_error"
        case 401: "authentication_error"
        case 402: "billing_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 503, 529: "overloaded_error"
        case 504: "timeout_error"
        case 400..<500: "invalid_request_error"
        default: "api_error"
        }
    }

    /// OpenAI's `type`, `code` and the status for an Anthropic error.
    static func openAIError(anthropicType: String, status: Int) -> (type: String, code: String?, status: Int) {
        switch anthropicType {
        case "invalid_request_error": ("invalid_request_error", nil, status)
        case "authentication_error": ("invalid_request_error", "invalid_api_key", status)
        case "permission_error": ("invalid_request_error", nil, status)
        case "not_found_error": ("invalid_request_error", nil, status)
        case "request_too_large": ("invalid_request_error", "request_too_large", status)
        case "rate_limit_error": ("rate_limit_error", "rate_limit_exceeded", status)
        case "billing_error": ("insufficient_quota", "insufficient_quota", status)
        case "overloaded_error": ("server_error", nil, status == 529 ? 503 : status)
        case "timeout_error": ("server_error", "timeout", status)
        case "api_error": ("server_error", nil, status)
        default: (status < 500 ? "invalid_request_error" : "server_error", nil, status == 529 ? 503 : status)
        }
    }

    /// Anthropic's type and the status for an OpenAI error.
    static func anthropicError(openAIType: String?, code: String?, status: Int) -> (type: String, status: Int) {
        if code == "insufficient_quota" || openAIType == "insufficient_quota" {
            return ("billing_error", 402)
        }
        return (anthropicType(forStatus: status), status)
    }

    /// The message the client sees for a provider error: the provider's own, except for a 401,
    /// which is about the gateway's credential for the provider (and providers echo part of the
    /// key), not the client's.
    static func clientMessage(status: Int, upstreamMessage: String?) -> String {
        if status == 401 { return upstreamCredentialMessage }
        guard let upstreamMessage, !upstreamMessage.isEmpty else { return fallbackMessage(status: status) }
        return upstreamMessage
    }

    static let upstreamCredentialMessage = "The upstream provider rejected the gateway's credential for this model."

    /// A message for a provider error whose body said nothing usable.
    static func fallbackMessage(status: Int) -> String {
        "The upstream provider returned HTTP \(status)."
    }
}
