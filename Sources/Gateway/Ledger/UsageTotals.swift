/// Sums over a set of ledger rows: one group of a usage report, or all of it.
public struct UsageTotals: Sendable, Hashable {
    public var requests = 0
    /// Rows whose status is 400 or more, Tollgate's own refusals included.
    public var errors = 0
    /// Rows Tollgate refused itself (a rejection reason is set).
    public var rejected = 0
    /// Rows whose token counts are not the provider's final ones.
    public var estimated = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var cachedInputTokens = 0
    public var cacheCreationInputTokens = 0
    public var reasoningTokens = 0
    /// The sum of the priced rows' costs, in micro-dollars.
    public var costMicros: Int64 = 0
    /// Rows with tokens but no price: their cost is unknown and not in `costMicros`.
    public var unpriced = 0
    /// The median (lower middle) of the rows' durations; nil when there are no rows.
    public var medianDuration: Duration?

    public init() {}
}
