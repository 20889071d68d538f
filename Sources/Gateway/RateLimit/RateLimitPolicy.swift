/// The `limits:` rules compiled for lookup, with the price table budgets are counted in: an
/// immutable value, rebuilt on each config reload and read by every request (it belongs in the
/// gateway's config snapshot). Counters are not here: they outlive reloads in the counter store,
/// found by `RateLimitCounterID`, so a changed limit applies to the usage already counted.
public struct RateLimitPolicy: Sendable {
    public let rules: [RateLimitRule]
    /// The ledger's prices (`prices:`), so that a budget and the ledger count the same cost.
    public let prices: PriceTable
    /// Each scope's counters and limits, in `RateLimitKind` order.
    private let limitsByScope: [RateLimitScope: [(counter: RateLimitCounterID, limit: Int)]]
    /// Which scope shapes any rule uses, to skip lookups that cannot match.
    private let hasKeyModel: Bool
    private let hasKey: Bool
    private let hasModel: Bool
    private let hasTenant: Bool

    /// Rules with the same scope are merged; a kind set twice keeps the lower limit.
    public init(rules: [RateLimitRule], prices: PriceTable = .empty) {
        self.rules = rules
        self.prices = prices
        var merged: [RateLimitScope: [RateLimitKind: Int]] = [:]
        for rule in rules {
            merged[rule.scope, default: [:]].merge(rule.limits.filter { $0.value > 0 }) { min($0, $1) }
        }
        var limitsByScope: [RateLimitScope: [(counter: RateLimitCounterID, limit: Int)]] = [:]
        for (scope, limits) in merged where !limits.isEmpty {
            limitsByScope[scope] = limits.sorted { $0.key < $1.key }.map {
                (counter: RateLimitCounterID(scope: scope, kind: $0.key), limit: $0.value)
            }
        }
        self.limitsByScope = limitsByScope
        let kinds = Set(limitsByScope.keys.map(\.kind))
        hasKeyModel = kinds.contains(.keyModel)
        hasKey = kinds.contains(.key)
        hasModel = kinds.contains(.model)
        hasTenant = kinds.contains(.tenant)
    }

    /// No rules: every reservation is empty and costs nothing.
    public static let unlimited = RateLimitPolicy(rules: [])

    public var isEmpty: Bool { limitsByScope.isEmpty }

    /// The limits that apply to `subject`, most specific scope first (key with model, key,
    /// model, tenant), each scope's in `RateLimitKind` order: the order they are checked in.
    public func limits(for subject: RateLimitSubject) -> [(counter: RateLimitCounterID, limit: Int)] {
        guard !limitsByScope.isEmpty else { return [] }
        var result: [(counter: RateLimitCounterID, limit: Int)] = []
        func append(_ scope: RateLimitScope) {
            if let limits = limitsByScope[scope] { result += limits }
        }
        if hasKeyModel { append(.keyModel(key: subject.keyName, model: subject.model)) }
        if hasKey { append(.key(subject.keyName)) }
        if hasModel { append(.model(subject.model)) }
        if hasTenant { append(.tenant(subject.tenant)) }
        return result
    }
}
