/// One public model from the `models:` section: the name clients send, its aliases, where it is
/// served, and how Envoy retries and fails over between those backends.
public struct ModelConfig: Sendable, Hashable {
    /// Unique among every model name and alias.
    public var name: String
    /// Other names clients may send for this model; each unique among every name and alias.
    public var aliases: [String]
    /// Where the model is served; ids are `<name>/<index>`.
    public var backends: [BackendConfig]
    /// The whole request as Envoy's route `timeout`: every attempt, the back-offs between them, and
    /// a streamed response to its end. Zero turns it off. Longer than `retry.perTryTimeout`.
    public var timeout: Duration
    public var retry: RetryConfig
    public var outlierDetection: OutlierDetectionConfig

    public static let defaultTimeout = Duration.seconds(300)
    public static let timeoutRange = Duration.zero...Duration.seconds(86400)

    public init(
        name: String,
        aliases: [String] = [],
        backends: [BackendConfig],
        timeout: Duration = ModelConfig.defaultTimeout,
        retry: RetryConfig = RetryConfig(),
        outlierDetection: OutlierDetectionConfig = OutlierDetectionConfig()
    ) {
        self.name = name
        self.aliases = aliases
        self.backends = backends
        self.timeout = timeout
        self.retry = retry
        self.outlierDetection = outlierDetection
    }
}
