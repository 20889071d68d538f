/// One gateway key from the `keys:` section. Only the SHA-256 of the key is stored, never the key.
public struct GatewayKeyConfig: Sendable, Hashable {
    /// Unique among keys; appears in logs and usage records.
    public var name: String
    public var tenant: String
    /// SHA-256 of the key's bytes: 32 bytes.
    public var sha256: [UInt8]
    /// Model names or globs this key may use; a pattern may name a model or one of its aliases.
    public var models: [ModelPattern]

    public static let defaultTenant = "default"
    public static let defaultModels = [ModelPattern("*")]

    public init(
        name: String,
        tenant: String = GatewayKeyConfig.defaultTenant,
        sha256: [UInt8],
        models: [ModelPattern] = GatewayKeyConfig.defaultModels
    ) {
        self.name = name
        self.tenant = tenant
        self.sha256 = sha256
        self.models = models
    }

    /// Whether any of the key's patterns matches `model`'s name or one of its aliases.
    public func allows(_ model: ModelConfig) -> Bool {
        models.contains { pattern in
            pattern.matches(model.name) || model.aliases.contains { pattern.matches($0) }
        }
    }
}
