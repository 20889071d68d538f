/// Everything `tollgate serve` is configured with: the YAML file's sections, after flag overrides.
///
/// Each top-level key of the file is one section property. Defaults come from the sections'
/// `init()`, so an empty file plus `--listen` is a complete config.
public struct ServerConfig: Sendable, Equatable {
    public var server = ServerSection()
    public var log = LogSection()
    // The gateway's sections; `gatewayConfig` gathers them. Hot reload re-reads only these.
    public var providers = ProvidersSection()
    public var models = ModelsSection()
    public var keys = KeysSection()
    public var gateway = GatewaySection()
    public var prices = PricesSection()
    public var limits = LimitsSection()
    // Storage and the usage ledger: read at startup only.
    public var storage = StorageSection()
    public var ledger = LedgerSection()

    public init() {}

    /// Checks that span several keys, run once the file and the flags are merged.
    public func validate() throws(ConfigError) {
        if server.listen == nil && server.socket == nil {
            throw ConfigError(
                file: nil,
                line: nil,
                message: "no ext_proc listener: set server.listen or server.socket, or pass --listen or --socket"
            )
        }
        if let listen = server.listen, listen == server.admin, listen.port != 0 {
            throw ConfigError(
                file: nil,
                line: nil,
                message: "server.listen and server.admin are both \(listen); they need different ports"
            )
        }
    }
}
