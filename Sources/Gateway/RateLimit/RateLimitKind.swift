/// One kind of limit a rule can set, named as in the config file.
///
/// Token limits count a request's input plus output tokens (`TokenUsage.totalTokens`); request
/// limits count requests admitted; `concurrentRequests` counts reservations not yet settled;
/// budgets count money in micro-dollars (10⁻⁶ USD, `MicroDollars`), priced by the `PriceTable` the
/// usage ledger uses, so a budget and the ledger's cost agree.
public enum RateLimitKind: String, Sendable, Hashable, CaseIterable, Comparable {
    case tokensPerMinute = "tokens_per_minute"
    case tokensPerHour = "tokens_per_hour"
    case tokensPerDay = "tokens_per_day"
    case tokensPerMonth = "tokens_per_month"
    case requestsPerMinute = "requests_per_minute"
    case concurrentRequests = "concurrent_requests"
    case budgetUSDPerDay = "budget_usd_per_day"
    case budgetUSDPerMonth = "budget_usd_per_month"

    /// What one unit of the limit is.
    public enum Unit: Sendable, Hashable {
        case tokens
        case requests
        case concurrentRequests
        case microUSD
    }

    public var unit: Unit {
        switch self {
        case .tokensPerMinute, .tokensPerHour, .tokensPerDay, .tokensPerMonth: .tokens
        case .requestsPerMinute: .requests
        case .concurrentRequests: .concurrentRequests
        case .budgetUSDPerDay, .budgetUSDPerMonth: .microUSD
        }
    }

    /// The window the limit counts over; nil for `concurrentRequests`, which counts what is in flight.
    public var window: RateLimitWindow? {
        switch self {
        case .tokensPerMinute, .requestsPerMinute: .minute
        case .tokensPerHour: .hour
        case .tokensPerDay, .budgetUSDPerDay: .utcDay
        case .tokensPerMonth, .budgetUSDPerMonth: .utcMonth
        case .concurrentRequests: nil
        }
    }

    /// The config key, which is also how errors and logs name the limit.
    public var configKey: String { rawValue }

    /// Words for messages: "tokens per minute".
    public var words: String {
        switch self {
        case .tokensPerMinute: "tokens per minute"
        case .tokensPerHour: "tokens per hour"
        case .tokensPerDay: "tokens per day (UTC)"
        case .tokensPerMonth: "tokens per month (UTC)"
        case .requestsPerMinute: "requests per minute"
        case .concurrentRequests: "concurrent requests"
        case .budgetUSDPerDay: "USD budget per day (UTC)"
        case .budgetUSDPerMonth: "USD budget per month (UTC)"
        }
    }

    /// Order of checks and of counters in a reservation: the order of `allCases`.
    public static func < (lhs: RateLimitKind, rhs: RateLimitKind) -> Bool {
        lhs.order < rhs.order
    }

    private var order: Int {
        switch self {
        case .tokensPerMinute: 0
        case .tokensPerHour: 1
        case .tokensPerDay: 2
        case .tokensPerMonth: 3
        case .requestsPerMinute: 4
        case .concurrentRequests: 5
        case .budgetUSDPerDay: 6
        case .budgetUSDPerMonth: 7
        }
    }
}
