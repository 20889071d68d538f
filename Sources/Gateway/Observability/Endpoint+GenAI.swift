extension Endpoint {
    /// The OpenTelemetry GenAI `gen_ai.operation.name` of a request to this endpoint, one of the
    /// convention's well-known values; nil for `/v1/models`, which Tollgate answers itself and which
    /// is no model operation.
    ///
    /// OpenAI's Responses API and Anthropic's Messages API are conversations with a model, which
    /// the convention calls `chat`.
    public var genAIOperationName: String? {
        switch self {
        case .chatCompletions, .responses, .messages: "chat"
        case .completions: "text_completion"
        case .embeddings: "embeddings"
        case .models: nil
        }
    }
}
