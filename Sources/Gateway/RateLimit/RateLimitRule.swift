/// One item of the `limits:` section: a scope and the limits set on it.
///
/// Amounts are in the kind's unit: tokens, requests, concurrent requests, or nano-dollars for
/// budgets (`budget_usd_per_day: 2.5` is 2 500 000 000). Every amount is at least 1.
public struct RateLimitRule: Sendable, Hashable {
    public var scope: RateLimitScope
    /// Each kind at most once.
    public var limits: [RateLimitKind: Int]

    public init(scope: RateLimitScope, limits: [RateLimitKind: Int]) {
        self.scope = scope
        self.limits = limits
    }

    /// Nano-dollars per dollar.
    public static let nanoUSDPerUSD = 1_000_000_000

    /// A budget in dollars as nano-dollars, rounded to the nearest; nil when negative, not finite
    /// or above `maximumBudgetUSD`.
    public static func nanoUSD(fromUSD dollars: Double) -> Int? {
        guard dollars.isFinite, dollars >= 0, dollars <= Double(maximumBudgetUSD) else { return nil }
        return Int((dollars * Double(nanoUSDPerUSD)).rounded())
    }

    /// Budgets up to one billion dollars fit a 64-bit count of nano-dollars many times over.
    public static let maximumBudgetUSD = 1_000_000_000

    /// Token and request limits up to 10¹⁵ leave room in 64 bits for any sum of reservations.
    public static let maximumAmount = 1_000_000_000_000_000
}
