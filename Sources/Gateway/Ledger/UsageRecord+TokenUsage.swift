extension UsageRecord {
    /// The record's token counts as the usage extraction reports them. Setting it copies every
    /// count and marks the record estimated when the usage is not complete.
    public var usage: TokenUsage {
        get {
            TokenUsage(
                inputTokens: inputTokens,
                outputTokens: outputTokens,
                cachedInputTokens: cachedInputTokens,
                cacheCreationInputTokens: cacheCreationInputTokens,
                reasoningTokens: reasoningTokens,
                isComplete: !isEstimated
            )
        }
        set {
            inputTokens = newValue.inputTokens
            outputTokens = newValue.outputTokens
            cachedInputTokens = newValue.cachedInputTokens
            cacheCreationInputTokens = newValue.cacheCreationInputTokens
            reasoningTokens = newValue.reasoningTokens
            isEstimated = !newValue.isComplete
        }
    }

    /// The record with its cost from `prices` (see `PriceTable.cost(of:)`); nil cost when the table
    /// has no price for its model.
    public func priced(by prices: PriceTable) -> UsageRecord {
        var copy = self
        copy.costMicros = prices.cost(of: self)
        return copy
    }
}
