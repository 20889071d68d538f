/// Who a limit applies to: one gateway key, every key of a tenant, every request for a model, or
/// one key's requests for one model.
///
/// Names are the config's: a key's `name`, a key's `tenant`, a model's public `name` (aliases are
/// resolved before limits apply). A request is subject to every rule whose scope matches it; each
/// rule has its own counters, so a tenant's limit is shared by all of its keys.
public enum RateLimitScope: Sendable, Hashable, CustomStringConvertible {
    case key(String)
    case tenant(String)
    case model(String)
    case keyModel(key: String, model: String)

    /// Which of the four shapes, as stored with persisted counters.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case key
        case tenant
        case model
        case keyModel = "key_model"
    }

    public var kind: Kind {
        switch self {
        case .key: .key
        case .tenant: .tenant
        case .model: .model
        case .keyModel: .keyModel
        }
    }

    /// The key, tenant or model name; for `keyModel`, the key name.
    public var name: String {
        switch self {
        case .key(let name), .tenant(let name), .model(let name): name
        case .keyModel(let key, _): key
        }
    }

    /// The model of a `keyModel` scope.
    public var model: String? {
        if case .keyModel(_, let model) = self { model } else { nil }
    }

    /// Rebuilds a scope from its stored parts; nil when they do not fit together.
    public init?(kind: Kind, name: String, model: String?) {
        switch (kind, model) {
        case (.key, nil): self = .key(name)
        case (.tenant, nil): self = .tenant(name)
        case (.model, nil): self = .model(name)
        case (.keyModel, let model?): self = .keyModel(key: name, model: model)
        case (.key, _?), (.tenant, _?), (.model, _?), (.keyModel, nil): return nil
        }
    }

    /// As messages name it: `key 'team-a'`, `key 'team-a' with model 'gpt-4o'`.
    public var description: String {
        switch self {
        case .key(let name): "key '\(name)'"
        case .tenant(let name): "tenant '\(name)'"
        case .model(let name): "model '\(name)'"
        case .keyModel(let key, let model): "key '\(key)' with model '\(model)'"
        }
    }
}
