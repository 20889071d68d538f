extension RequestCompletion {
    /// What the request cost in micro-dollars at `prices`, priced exactly as its ledger row is
    /// (`UsageRecord.init(_:time:prices:)`): by the model sent upstream, else the public or client
    /// model; 0 without tokens; nil when it has tokens and no price.
    ///
    /// The metrics and the request log price completions with this, so their costs add up to the
    /// ledger's.
    public func cost(at prices: PriceTable) -> Int64? {
        prices.cost(
            of: usage ?? TokenUsage(),
            servedModel: upstreamModel,
            requestedModel: model ?? clientModel
        )
    }
}
