/// The `limits:` rules compiled for lookup, with the price table budgets are counted in: an
/// immutable value, rebuilt on each config reload and read by every request (it belongs in the
/// gateway's config snapshot). Counters are not here: they outlive reloads in the counter store,
/// found by `RateLimitCounterID`, so a changed limit applies to the usage already counted.
public struct RateLimitPolicy: Sendable {
    public let rules: [RateLimitRule]
    /// The ledger's prices (`prices:`), so that a budget and the ledger count the same cost.
    public let prices: PriceTable
    /// Each scope's limits, in `RateLimitKind` order.
    private let limitsByScope: [RateLimitScope: [(kind: RateLimitKind, limit: Int)]]
    /// Which scope shapes any rule uses, to skip lookups that cannot match.
    private let scopeKinds: Set<RateLimitScope.Kind>

    /// Rules with the same scope are merged; a kind set twice keeps the lower limit.
    public init(rules: [RateLimitRule], prices: PriceTable = .empty) {
        self.rules = rules
        self.prices = prices
        var merged: [RateLimitScope: [RateLimitKind: Int]] = [:]
        for rule in rules {
            merged[rule.scope, default: [:]].merge(rule.limits.filter { $0.value > 0 }) { min($0, $1) }
        }
        limitsByScope = merged.filter { !$0.value.isEmpty }.mapValues { limits in
            limits.sorted { $0.key < $1.key }.map { (kind: $0.key, limit: $0.value) }
        }
        scopeKinds = Set(limitsByScope.keys.map(\.kind))
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
            guard let limits = limitsByScope[scope] else { return }
            for (kind, limit) in limits {
                result.append((RateLimitCounterID(scope: scope, kind: kind), limit))
            }
        }
        if scopeKinds.contains(.keyModel) { append(.keyModel(key: subject.keyName, model: subject.model)) }
        if scopeKinds.contains(.key) { append(.key(subject.keyName)) }
        if scopeKinds.contains(.model) { append(.model(subject.model)) }
        if scopeKinds.contains(.tenant) { append(.tenant(subject.tenant)) }
        return result
    }
}
