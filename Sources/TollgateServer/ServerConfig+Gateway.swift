import Gateway

extension ServerConfig {
    /// The gateway's sections as the plain values `GatewaySnapshot` compiles.
    public var gatewayConfig: GatewayConfig {
        GatewayConfig(
            providers: providers.providers,
            models: models.models,
            keys: keys.keys,
            settings: gateway.settings,
            limits: limits.rules,
            prices: prices.table
        )
    }
}
