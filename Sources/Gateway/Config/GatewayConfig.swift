/// The gateway's part of the config file (`providers:`, `models:`, `keys:`, `gateway:`, `limits:`,
/// `prices:`), as plain values: what hot reload replaces.
///
/// Values here have been validated by the loader (unique names, known providers, well-formed URLs);
/// `GatewaySnapshot` compiles them into lookups. No secret is held here: credentials are sources.
public struct GatewayConfig: Sendable, Hashable {
    public var providers: [ProviderConfig]
    public var models: [ModelConfig]
    public var keys: [GatewayKeyConfig]
    public var settings: GatewaySettings
    /// Rate limits and budgets; counters outlive a reload in the limiter's store.
    public var limits: [RateLimitRule]
    /// Model prices, for budgets (and the ledger's cost).
    public var prices: PriceTable

    public init(
        providers: [ProviderConfig] = [],
        models: [ModelConfig] = [],
        keys: [GatewayKeyConfig] = [],
        settings: GatewaySettings = GatewaySettings(),
        limits: [RateLimitRule] = [],
        prices: PriceTable = .empty
    ) {
        self.providers = providers
        self.models = models
        self.keys = keys
        self.settings = settings
        self.limits = limits
        self.prices = prices
    }
}
