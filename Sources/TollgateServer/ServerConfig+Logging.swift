import Logging

extension ServerConfig {
    /// Installs swift-log's process-wide handler: `StreamLogHandler` on stderr at `log.level`.
    /// Only an executable's main may call this, once; libraries take the `Logger` they are given.
    public func bootstrapLogging() {
        let level = log.level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
