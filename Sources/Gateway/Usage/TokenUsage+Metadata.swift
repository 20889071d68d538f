import ExtProc

extension TokenUsage {
    /// Adds the counts as fields for Envoy's dynamic metadata (namespace `tollgate`), which the access
    /// log reads as `%DYNAMIC_METADATA(tollgate:output_tokens)%` and a rate-limit filter can use
    /// as a hits addend. Numbers are protobuf `Value` numbers (doubles, exact below 2^53).
    public func addMetadataFields(to fields: inout [String: ProtoValue]) {
        fields["input_tokens"] = .number(Double(inputTokens))
        fields["output_tokens"] = .number(Double(outputTokens))
        fields["total_tokens"] = .number(Double(totalTokens))
        fields["cached_input_tokens"] = .number(Double(cachedInputTokens))
        fields["cache_creation_input_tokens"] = .number(Double(cacheCreationInputTokens))
        fields["reasoning_tokens"] = .number(Double(reasoningTokens))
        fields["usage_complete"] = .bool(isComplete)
    }
}
