import ArgumentParser
import ExtProc
import Logging
import Telemetry
import TollgateServer

/// `tollgate serve --config FILE [overrides]`: runs the ext_proc server until SIGTERM or SIGINT.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve ext_proc until SIGTERM or SIGINT, then drain."
    )

    @OptionGroup var options: ServerOptions

    func run() throws {
        let config = try options.makeConfig()
        config.bootstrapLogging()
        let logger = Logger(label: "tollgate")
        let registry = MetricsRegistry()
        let service = ExtProcService(handlerFactory: PassThroughHandlerFactory(), metrics: registry, logger: logger)
        let status = try ServerRunner(endpoints: config.endpoints, registry: registry, logger: logger)
            .run(service: service)
        throw ExitCode(status)
    }
}
