extension TokenUsage {
    /// The usage of a buffered OpenAI-shaped response (chat completion, completion, embeddings,
    /// OpenAI-compatible servers; not the Responses API, whose counts have other names), read without parsing the rest of the body: the scanner finds
    /// the top-level `usage` and only that value is parsed. nil when the body has no usage object
    /// or is not JSON.
    public static func fromOpenAIResponse(_ body: [UInt8]) -> TokenUsage? {
        guard let value = topLevelValue("usage", in: body), let usage = try? OpenAIUsage(json: value) else {
            return nil
        }
        return TokenUsage(openAI: usage)
    }

    /// The usage of a buffered Anthropic message, read the same way.
    public static func fromAnthropicResponse(_ body: [UInt8]) -> TokenUsage? {
        guard let value = topLevelValue("usage", in: body), let usage = try? AnthropicUsage(json: value) else {
            return nil
        }
        return TokenUsage(anthropic: usage)
    }

    /// The usage of a buffered Responses API response (`/v1/responses`), read the same way.
    public static func fromResponsesAPIResponse(_ body: [UInt8]) -> TokenUsage? {
        guard let value = topLevelValue("usage", in: body), let usage = try? OpenAIResponsesUsage(json: value) else {
            return nil
        }
        return TokenUsage(openAIResponses: usage)
    }

    /// The usage of a buffered 2xx body the provider wrote for `endpoint`, in that endpoint's
    /// own shape (the body passed through untranslated).
    public static func fromResponse(_ body: [UInt8], endpoint: Endpoint) -> TokenUsage? {
        switch endpoint {
        case .chatCompletions, .completions, .embeddings: fromOpenAIResponse(body)
        case .responses: fromResponsesAPIResponse(body)
        case .messages: fromAnthropicResponse(body)
        case .models: nil
        }
    }

    /// The usage of a buffered response in `dialect`'s shape.
    public static func fromResponse(_ body: [UInt8], dialect: APIDialect) -> TokenUsage? {
        switch dialect {
        case .openAI: fromOpenAIResponse(body)
        case .anthropic: fromAnthropicResponse(body)
        }
    }
}

/// The parsed value of the root object's member `key` when it is an object; nil if absent, of
/// another type, or if the body is not one JSON object.
func topLevelValue(_ key: String, in body: [UInt8]) -> JSONValue? {
    var range: Range<Int>?
    do {
        try JSONScanner.forEachRootMember(in: body) { member in
            if member.valueKind == .object, member.key(in: body, equals: key) { range = member.valueRange }
        }
    } catch {
        return nil
    }
    guard let range else { return nil }
    return try? JSONValue(parsing: Array(body[range]))
}
