/// `usage` of an OpenAI Responses API response (`POST /v1/responses`, and `response.usage` in the
/// stream's `response.completed`, `response.incomplete` and `response.failed` events).
///
/// The counts use the Responses API's names: `input_tokens` is the whole prompt, cached tokens
/// included (`input_tokens_details.cached_tokens` is a part of it), and `output_tokens` includes
/// the reasoning tokens (`output_tokens_details.reasoning_tokens`). Only read, never written: the
/// gateway passes Responses API bodies through as the provider wrote them.
public struct OpenAIResponsesUsage: Sendable, Hashable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var cachedTokens: Int?
    public var reasoningTokens: Int?

    public init(inputTokens: Int, outputTokens: Int, cachedTokens: Int? = nil, reasoningTokens: Int? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedTokens = cachedTokens
        self.reasoningTokens = reasoningTokens
    }

    /// `total_tokens` is not read: it is input plus output, which `TokenUsage` computes.
    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        self.init(inputTokens: 0, outputTokens: 0)
        for member in object {
            let key = member.key
            let value = member.value
            switch key {
            case "input_tokens": inputTokens = try value.optionalInt(at: key) ?? 0
            case "output_tokens": outputTokens = try value.optionalInt(at: key) ?? 0
            case "input_tokens_details":
                guard case .object(let details) = value else { break }
                cachedTokens = try decoding(key) { () throws(WireDecodingError) in
                    try details["cached_tokens"]?.optionalInt(at: "cached_tokens")
                }
            case "output_tokens_details":
                guard case .object(let details) = value else { break }
                reasoningTokens = try decoding(key) { () throws(WireDecodingError) in
                    try details["reasoning_tokens"]?.optionalInt(at: "reasoning_tokens")
                }
            default: break
            }
        }
    }
}
