/// One public model from the `models:` section: the name clients send, its aliases, and where it is served.
public struct ModelConfig: Sendable, Hashable {
    /// Unique among every model name and alias.
    public var name: String
    /// Other names clients may send for this model; each unique among every name and alias.
    public var aliases: [String]
    /// Where the model is served; ids are `<name>/<index>`.
    public var backends: [BackendConfig]

    public init(name: String, aliases: [String] = [], backends: [BackendConfig]) {
        self.name = name
        self.aliases = aliases
        self.backends = backends
    }
}
