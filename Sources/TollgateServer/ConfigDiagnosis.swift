/// What reading a config file found: the config as far as it could be read, and every error.
public struct ConfigDiagnosis: Sendable {
    /// Items and sections with errors are left out or keep their defaults.
    public var config: ServerConfig
    /// Sorted by line; empty when the file is valid.
    public var errors: [ConfigError]

    public init(config: ServerConfig, errors: [ConfigError]) {
        self.config = config
        self.errors = errors
    }
}
