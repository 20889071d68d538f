extension UsageRecord {
    /// The ledger's row for a request the router phase saw end.
    ///
    /// - `requestID` is Envoy's `x-request-id` (what its access log and traces show), else Tollgate's
    ///   own id, else empty (a request refused before either was known);
    /// - `requestedModel` is the model's public name once resolved (aliases folded, so reports group
    ///   by model), else the name the client sent; `servedModel` the name sent to the provider;
    /// - the counts are estimated when the provider's usage was incomplete, or when the exchange
    ///   was cut after reaching a provider without any usage seen;
    /// - the cost comes from `prices` (nil when the model has none).
    ///
    /// - Parameter time: when the request arrived: the wall clock at completion minus `duration`.
    public init(_ completion: RequestCompletion, time: UnixTime, prices: PriceTable) {
        self.init(
            time: time,
            requestID: completion.envoyRequestID ?? completion.requestID?.description ?? "",
            keyName: completion.keyName,
            tenant: completion.tenant,
            endpoint: completion.endpoint?.path,
            requestedModel: completion.model ?? completion.clientModel,
            servedModel: completion.upstreamModel,
            provider: completion.provider,
            backend: completion.backendID,
            attempts: completion.attempts,
            status: completion.status ?? 0,
            rejectionReason: completion.rejection,
            isStream: completion.stream,
            timeToFirstToken: completion.timeToFirstToken,
            duration: completion.duration
        )
        if let usage = completion.usage {
            self.usage = usage
        } else {
            isEstimated = completion.interrupted && completion.attempts > 0
        }
        costMicros = prices.cost(of: self)
    }
}
