import Gateway

/// The `gateway:` section: the gateway's own limits and timings.
///
/// ```yaml
/// gateway:
///   max_body_bytes: 10485760     # larger request bodies: 413
///   default_max_tokens: 4096     # for providers that require max_tokens
///   reload_interval_seconds: 1   # config and credential file polling; 0 turns it off
/// ```
public struct GatewaySection: ConfigSection {
    static let key = "gateway"

    public var settings = GatewaySettings()

    static let maxBodyBytesRange = 1...Int(UInt32.max)
    static let defaultMaxTokensRange = 1...10_000_000
    static let reloadIntervalRange = 0...3600

    public init() {}

    init(from mapping: inout ConfigMapping) throws(ConfigError) {
        settings.maxBodyBytes =
            try mapping.integer("max_body_bytes", in: Self.maxBodyBytesRange) ?? settings.maxBodyBytes
        settings.defaultMaxTokens =
            try mapping.integer("default_max_tokens", in: Self.defaultMaxTokensRange) ?? settings.defaultMaxTokens
        settings.reloadIntervalSeconds =
            try mapping.number("reload_interval_seconds", in: Self.reloadIntervalRange)
            ?? settings.reloadIntervalSeconds
    }
}
