/// One counter: a limit kind within one scope. Counters are found, carried over a config reload
/// and persisted by this identity; the limit's value is not part of it, so changing
/// `tokens_per_day` from 1M to 2M keeps the day's usage.
public struct RateLimitCounterID: Sendable, Hashable, CustomStringConvertible {
    public var scope: RateLimitScope
    public var kind: RateLimitKind

    public init(scope: RateLimitScope, kind: RateLimitKind) {
        self.scope = scope
        self.kind = kind
    }

    public var description: String {
        "\(kind.configKey) of \(scope)"
    }
}
