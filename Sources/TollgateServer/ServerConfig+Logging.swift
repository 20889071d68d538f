import Logging
import Telemetry

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

    /// The request log's writer on standard output when `log.requests` is on (the default), else
    /// nil. The caller shuts it down after the server has drained, so no line is lost.
    public func makeRequestLogWriter(registry: MetricsRegistry) -> RequestLogWriter? {
        log.requests ? RequestLogWriter(registry: registry) : nil
    }
}
