import ExtProc

extension TokenUsage {
    /// The counts as fields for Envoy's dynamic metadata (namespace `tollgate`), which the access
    /// log reads as `%DYNAMIC_METADATA(tollgate:output_tokens)%` and a rate-limit filter can use
    /// as a hits addend. Numbers are protobuf `Value` numbers (doubles, exact below 2^53).
    public var metadataFields: [String: ProtoValue] {
        [
            "input_tokens": .number(Double(inputTokens)),
            "output_tokens": .number(Double(outputTokens)),
            "total_tokens": .number(Double(totalTokens)),
            "cached_input_tokens": .number(Double(cachedInputTokens)),
            "cache_creation_input_tokens": .number(Double(cacheCreationInputTokens)),
            "reasoning_tokens": .number(Double(reasoningTokens)),
            "usage_complete": .bool(isComplete),
        ]
    }
}
