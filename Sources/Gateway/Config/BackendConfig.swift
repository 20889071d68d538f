/// One place a model can be served from: a provider and the model's name there.
///
/// Envoy balances a model's backends by `weight` within a `priority` level and fails over to the
/// next level (0 first); Tollgate learns which backend an attempt went to from the upstream host's
/// metadata, which carries `id`.
public struct BackendConfig: Sendable, Hashable {
    /// `<model name>/<index in the model's backends>`: stable for a given file.
    public var id: String
    /// The name of a provider in the `providers:` section.
    public var provider: String
    /// The model name sent upstream; for Azure OpenAI, the deployment name.
    public var upstreamModel: String
    /// At least 1.
    public var weight: Int
    /// 0 (tried first) to 5, Envoy's priority levels.
    public var priority: Int

    public static let defaultWeight = 1
    public static let defaultPriority = 0
    public static let weightRange = 1...1_000_000
    public static let priorityRange = 0...5

    public init(
        id: String,
        provider: String,
        upstreamModel: String,
        weight: Int = BackendConfig.defaultWeight,
        priority: Int = BackendConfig.defaultPriority
    ) {
        self.id = id
        self.provider = provider
        self.upstreamModel = upstreamModel
        self.weight = weight
        self.priority = priority
    }

    /// The id of the backend at `index` in the backends of model `model`.
    public static func id(model: String, index: Int) -> String {
        "\(model)/\(index)"
    }
}
