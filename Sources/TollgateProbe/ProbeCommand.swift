import ArgumentParser
import ExtProc
import Logging
import Telemetry
import TollgateServer

/// `TollgateProbe [server flags]`: the ext_proc server with the header-driven `ProbeHandler`,
/// for end-to-end tests and the benchmark. Never shipped as a product.
@main
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "TollgateProbe",
        abstract: "Test-only ext_proc server whose replies are chosen by request headers."
    )

    @OptionGroup var options: ServerOptions

    func run() throws {
        let config = try options.makeConfig()
        config.bootstrapLogging()
        let logger = Logger(label: "tollgate-probe")
        let registry = MetricsRegistry()
        let service = ExtProcService(handlerFactory: ProbeHandlerFactory(), metrics: registry, logger: logger)
        let status = try ServerRunner(endpoints: config.endpoints, registry: registry, logger: logger)
            .run(service: service)
        throw ExitCode(status)
    }
}
