/// The gateway's config compiled for the request path: immutable, shared by every stream, replaced
/// whole on reload (see `GatewaySnapshotStore`).
///
/// Built from a validated `GatewayConfig` plus the secrets its credential sources held when the
/// snapshot was built. Copies are cheap (one reference): the tables live in a shared class.
///
/// Invariants the loader guarantees and the lookups rely on: provider names, model names and aliases
/// (together), key names and key digests are unique. Should they not be (a hand-built config), the
/// first one in file order wins.
public struct GatewaySnapshot: Sendable {
    private let storage: Storage

    public init(config: GatewayConfig, credentials: [String: String] = [:]) {
        storage = Storage(config: config, credentials: credentials)
    }

    /// No providers, no models, no keys: every request is refused until a config is loaded.
    public static let empty = GatewaySnapshot(config: GatewayConfig())

    public var config: GatewayConfig { storage.config }
    public var settings: GatewaySettings { storage.config.settings }
    public var providers: [ProviderConfig] { storage.config.providers }
    /// In file order.
    public var models: [ModelConfig] { storage.config.models }
    public var keys: GatewayKeyTable { storage.keys }
    /// The `limits:` rules compiled for lookup, priced by `prices:`.
    public var rateLimits: RateLimitPolicy { storage.rateLimits }
    public var prices: PriceTable { storage.config.prices }
    /// Secret values by provider name, for providers that have a credential. Never log these.
    public var credentials: [String: String] { storage.credentials }

    /// The model whose name or one of whose aliases is `name` (exact, case-sensitive).
    public func model(named name: String) -> ModelConfig? {
        storage.modelIndex[name].map { storage.config.models[$0] }
    }

    public func provider(named name: String) -> ProviderConfig? {
        storage.providerIndex[name].map { storage.config.providers[$0] }
    }

    /// The secret for provider `name`, or nil when it has no credential.
    public func credential(forProvider name: String) -> String? {
        storage.credentials[name]
    }

    /// The backend with id `<model>/<index>`, with its model, provider and credential.
    public func backend(id: String) -> ResolvedBackend? {
        storage.backendIndex[id]
    }

    /// The key whose SHA-256 is that of `presented`, compared in constant time.
    public func key(presented: some Collection<UInt8>) -> GatewayKeyConfig? {
        storage.keys.key(presented: presented)
    }

    public func key(presented: String) -> GatewayKeyConfig? {
        storage.keys.key(presented: presented)
    }

    /// Whether `key` may use `model`: one of its patterns matches the model's name or an alias.
    public func isAllowed(_ model: ModelConfig, for key: GatewayKeyConfig) -> Bool {
        if let allowed = storage.allowedModels[key.name], storage.keyIndex[key.name] == key {
            return allowed.contains(model.name)
        }
        return key.allows(model)
    }

    /// The models `key` may use, in file order (what `/v1/models` lists).
    public func models(allowedFor key: GatewayKeyConfig) -> [ModelConfig] {
        storage.config.models.filter { isAllowed($0, for: key) }
    }
}

/// A backend with everything the upstream phase needs to rewrite one attempt.
public struct ResolvedBackend: Sendable, Hashable {
    public var model: ModelConfig
    public var backend: BackendConfig
    public var provider: ProviderConfig
    /// The provider's secret, or nil when it has no credential.
    public var credential: String?

    public init(model: ModelConfig, backend: BackendConfig, provider: ProviderConfig, credential: String?) {
        self.model = model
        self.backend = backend
        self.provider = provider
        self.credential = credential
    }
}

extension GatewaySnapshot {
    /// The compiled tables. Every property is a `let` of Sendable values, so sharing is safe.
    private final class Storage: Sendable {
        let config: GatewayConfig
        let credentials: [String: String]
        let keys: GatewayKeyTable
        /// Model name or alias -> index in `config.models`.
        let modelIndex: [String: Int]
        let providerIndex: [String: Int]
        let backendIndex: [String: ResolvedBackend]
        /// Key name -> names of the models it may use.
        let allowedModels: [String: Set<String>]
        /// Key name -> the key, to check that a key passed in is this snapshot's.
        let keyIndex: [String: GatewayKeyConfig]
        let rateLimits: RateLimitPolicy

        init(config: GatewayConfig, credentials: [String: String]) {
            self.config = config
            self.credentials = credentials
            keys = GatewayKeyTable(config.keys)
            rateLimits = RateLimitPolicy(rules: config.limits, prices: config.prices)

            var providerIndex: [String: Int] = [:]
            for (index, provider) in config.providers.enumerated() where providerIndex[provider.name] == nil {
                providerIndex[provider.name] = index
            }
            self.providerIndex = providerIndex

            var modelIndex: [String: Int] = [:]
            for (index, model) in config.models.enumerated() where modelIndex[model.name] == nil {
                modelIndex[model.name] = index
            }
            // Names first, then aliases, so an alias can never shadow a model's own name.
            for (index, model) in config.models.enumerated() {
                for alias in model.aliases where modelIndex[alias] == nil {
                    modelIndex[alias] = index
                }
            }
            self.modelIndex = modelIndex

            var backendIndex: [String: ResolvedBackend] = [:]
            for model in config.models {
                for backend in model.backends where backendIndex[backend.id] == nil {
                    guard let providerPosition = providerIndex[backend.provider] else {
                        continue
                    }
                    backendIndex[backend.id] = ResolvedBackend(
                        model: model,
                        backend: backend,
                        provider: config.providers[providerPosition],
                        credential: credentials[backend.provider]
                    )
                }
            }
            self.backendIndex = backendIndex

            var allowedModels: [String: Set<String>] = [:]
            var keyIndex: [String: GatewayKeyConfig] = [:]
            for key in config.keys where keyIndex[key.name] == nil {
                keyIndex[key.name] = key
                allowedModels[key.name] = Set(config.models.filter { key.allows($0) }.map(\.name))
            }
            self.allowedModels = allowedModels
            self.keyIndex = keyIndex
        }
    }
}
