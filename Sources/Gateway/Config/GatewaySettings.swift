/// The `gateway:` section: limits and timings of the gateway itself.
public struct GatewaySettings: Sendable, Hashable {
    /// Request bodies above this many bytes are answered 413.
    public var maxBodyBytes: Int
    /// `max_tokens` sent to providers that require it when the client gave none (translation).
    public var defaultMaxTokens: Int
    /// How often the config file and credential files are checked for changes; 0 turns polling off.
    public var reloadIntervalSeconds: Double

    public static let defaultMaxBodyBytes = 10 * 1024 * 1024
    public static let defaultDefaultMaxTokens = 4096
    public static let defaultReloadIntervalSeconds: Double = 1

    public init(
        maxBodyBytes: Int = GatewaySettings.defaultMaxBodyBytes,
        defaultMaxTokens: Int = GatewaySettings.defaultDefaultMaxTokens,
        reloadIntervalSeconds: Double = GatewaySettings.defaultReloadIntervalSeconds
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.defaultMaxTokens = defaultMaxTokens
        self.reloadIntervalSeconds = reloadIntervalSeconds
    }
}
