/// One item of the `limits:` section: a scope and the limits set on it.
///
/// Amounts are in the kind's unit: tokens, requests, concurrent requests, or micro-dollars for
/// budgets (`budget_usd_per_day: 2.5` is 2 500 000, parsed by `MicroDollars.parse`). Every amount
/// is between 1 and `maximumAmount`.
public struct RateLimitRule: Sendable, Hashable {
    public var scope: RateLimitScope
    /// Each kind at most once.
    public var limits: [RateLimitKind: Int]

    public init(scope: RateLimitScope, limits: [RateLimitKind: Int]) {
        self.scope = scope
        self.limits = limits
    }

    /// 10¹⁵ tokens, requests or micro-dollars (a billion dollars): far above any real limit, and
    /// low enough that sums of reservations never approach `Int.max`.
    public static let maximumAmount = 1_000_000_000_000_000
}
