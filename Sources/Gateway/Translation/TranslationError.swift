/// Everything that stops a body from being translated between the OpenAI and Anthropic APIs.
///
/// The client-side cases (`invalidRequest`, `unsupported`) carry a message written for the
/// client: it names the field of their own request at fault. `invalidUpstreamResponse` carries
/// detail for logs only; the client gets a generic 502 (see `TranslationError+Response.swift`).
public enum TranslationError: Error, Sendable, Hashable {
    /// The client's body is not JSON, or not the shape its API documents.
    case invalidRequest(String)
    /// The request uses something the provider's API has no equivalent for (an audio part,
    /// `n` above 1, a server-side tool).
    case unsupported(String)
    /// The provider answered with a body its API does not document: not JSON, or the wrong shape.
    case invalidUpstreamResponse(String)

    /// A request body that failed to parse.
    static func malformedRequest(_ error: JSONScanError) -> TranslationError {
        .invalidRequest("The request body is not valid JSON: \(error).")
    }

    /// A request body of the wrong shape.
    static func invalidRequest(_ error: WireDecodingError) -> TranslationError {
        .invalidRequest("Invalid request: \(error).")
    }

    static func invalidUpstream(_ error: JSONScanError) -> TranslationError {
        .invalidUpstreamResponse("not JSON: \(error)")
    }

    static func invalidUpstream(_ error: WireDecodingError) -> TranslationError {
        .invalidUpstreamResponse(error.description)
    }
}

extension TranslationError: CustomStringConvertible {
    /// For logs.
    public var description: String {
        switch self {
        case .invalidRequest(let message): "invalid request: \(message)"
        case .unsupported(let message): "unsupported: \(message)"
        case .invalidUpstreamResponse(let detail): "invalid upstream response: \(detail)"
        }
    }
}
