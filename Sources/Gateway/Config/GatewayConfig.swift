/// The gateway's part of the config file (`providers:`, `models:`, `keys:`, `gateway:`), as plain values.
///
/// Values here have been validated by the loader (unique names, known providers, well-formed URLs);
/// `GatewaySnapshot` compiles them into lookups. No secret is held here: credentials are sources.
public struct GatewayConfig: Sendable, Hashable {
    public var providers: [ProviderConfig]
    public var models: [ModelConfig]
    public var keys: [GatewayKeyConfig]
    public var settings: GatewaySettings

    public init(
        providers: [ProviderConfig] = [],
        models: [ModelConfig] = [],
        keys: [GatewayKeyConfig] = [],
        settings: GatewaySettings = GatewaySettings()
    ) {
        self.providers = providers
        self.models = models
        self.keys = keys
        self.settings = settings
    }
}
