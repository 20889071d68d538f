/// One request as the usage ledger keeps it: one row per request, whether it was served, failed, or
/// refused by Tollgate itself.
///
/// Invariants the ledger relies on (not enforced, so a record can be built field by field):
/// - token counts follow `TokenUsage`'s convention: `inputTokens` is the whole prompt, and
///   `cachedInputTokens` and `cacheCreationInputTokens` are parts of it; `reasoningTokens` is part of
///   `outputTokens`;
/// - `isEstimated` is true when the counts are not the provider's final ones (a client abort, a cut
///   stream, a stream without a usage chunk): they are what was seen, and may be low;
/// - `rejectionReason` is set exactly when Tollgate answered the request itself (401, 403, 404,
///   413, 429, ...), with `GatewayError.kind` or the limiter's reason; such a request has no
///   provider and no tokens;
/// - `costMicros` is in micro-dollars (10⁻⁶ USD), see `PriceTable`; nil when no price is known for
///   the model, which is not the same as free.
///
/// Why micro-dollars in an `Int64` rather than `Decimal` or `Double`: SQLite has no decimal type, and
/// `SUM` over an integer column is exact while a sum of `REAL`s drifts; an `Int64` of micro-dollars
/// holds 9.2 trillion dollars, so no ledger overflows; and it keeps `Gateway` free of Foundation. The
/// price of one request is rounded to the micro-dollar once (half up), so a total over N requests is
/// within N × 0.5 µ$ of the exact sum: a million requests, at most 50 cents.
public struct UsageRecord: Sendable, Hashable {
    /// When the request arrived at Tollgate (the router phase).
    public var time: UnixTime
    /// Envoy's `x-request-id`.
    public var requestID: String
    /// The gateway key's configured name; nil when no key was presented or it matched none.
    public var keyName: String?
    public var tenant: String?
    /// The path the client called, such as `/v1/chat/completions`; nil when it is none of the
    /// gateway's endpoints (a 404 on an unknown path).
    public var endpoint: String?
    /// The model name the client sent (a public name or alias).
    public var requestedModel: String?
    /// The model the provider served: the `model` of its response, or the backend's upstream model.
    public var servedModel: String?
    public var provider: String?
    /// The backend id, `<model>/<index>`, of the last attempt.
    public var backend: String?
    /// Upstream attempts, retries and failovers included; 0 for a request refused before any.
    public var attempts: Int
    /// The HTTP status the client received; 0 when the client went away before one was sent.
    public var status: Int
    /// Why Tollgate refused the request itself; nil for a request that reached a provider.
    public var rejectionReason: String?
    public var isStream: Bool
    public var inputTokens: Int
    public var outputTokens: Int
    public var cachedInputTokens: Int
    public var cacheCreationInputTokens: Int
    public var reasoningTokens: Int
    /// Micro-dollars; nil when the price table has no price for the model.
    public var costMicros: Int64?
    /// From the request's arrival to the first byte of the response body; nil when there was none.
    public var timeToFirstToken: Duration?
    /// From the request's arrival to the end of the response (or of the exchange, when it failed).
    public var duration: Duration
    /// The token counts are not the provider's final ones.
    public var isEstimated: Bool

    public init(
        time: UnixTime,
        requestID: String,
        keyName: String? = nil,
        tenant: String? = nil,
        endpoint: String? = nil,
        requestedModel: String? = nil,
        servedModel: String? = nil,
        provider: String? = nil,
        backend: String? = nil,
        attempts: Int = 0,
        status: Int,
        rejectionReason: String? = nil,
        isStream: Bool = false,
        inputTokens: Int = 0,
        outputTokens: Int = 0,
        cachedInputTokens: Int = 0,
        cacheCreationInputTokens: Int = 0,
        reasoningTokens: Int = 0,
        costMicros: Int64? = nil,
        timeToFirstToken: Duration? = nil,
        duration: Duration = .zero,
        isEstimated: Bool = false
    ) {
        self.time = time
        self.requestID = requestID
        self.keyName = keyName
        self.tenant = tenant
        self.endpoint = endpoint
        self.requestedModel = requestedModel
        self.servedModel = servedModel
        self.provider = provider
        self.backend = backend
        self.attempts = attempts
        self.status = status
        self.rejectionReason = rejectionReason
        self.isStream = isStream
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.cacheCreationInputTokens = cacheCreationInputTokens
        self.reasoningTokens = reasoningTokens
        self.costMicros = costMicros
        self.timeToFirstToken = timeToFirstToken
        self.duration = duration
        self.isEstimated = isEstimated
    }
}
