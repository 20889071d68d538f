import ArgumentParser
import ExtProc
import Foundation
import Gateway
import Logging
import Telemetry
import TollgateServer

/// `tollgate serve --config FILE [overrides]`: runs the ext_proc server until SIGTERM or SIGINT.
///
/// With gateway sections in the config (`providers:`, `models:` or `keys:`), every ext_proc stream
/// goes to the gateway (`GatewayHandlerFactory`, router and upstream phases alike), the file is
/// watched for hot reload, and with `--envoy-xds-dir` Envoy's routes and clusters are kept in step.
/// Without them, requests pass through unchanged, as before the gateway existed.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve ext_proc until SIGTERM or SIGINT, then drain."
    )

    @OptionGroup var options: ServerOptions
    @OptionGroup var envoyXDS: EnvoyXDSOptions

    func run() throws {
        let config = try options.makeConfig()
        config.bootstrapLogging()
        let logger = Logger(label: "tollgate")
        let registry = MetricsRegistry()

        let handlerFactory: any ExtProcHandlerFactory
        var reloader: ConfigReloader?
        let gateway = config.gatewayConfig
        if gateway.providers.isEmpty && gateway.models.isEmpty && gateway.keys.isEmpty {
            logger.notice("no providers, models or keys in the config: requests pass through unchanged")
            handlerFactory = PassThroughHandlerFactory()
        } else {
            let snapshot = try config.makeGatewaySnapshot(
                file: options.configFile,
                environment: ProcessInfo.processInfo.environment
            )
            let store = GatewaySnapshotStore(snapshot)
            let xds = envoyXDS.makeWriter()
            try xds?.write(gateway)
            if let file = options.configFile {
                reloader = ConfigReloader(
                    configFile: file,
                    store: store,
                    loaded: config,
                    registry: registry,
                    logger: logger,
                    beforeSwap: { try xds?.write($0) }
                )
            }
            handlerFactory = GatewayHandlerFactory(snapshotStore: store, logger: logger, metrics: registry)
            logger.info(
                "gateway: \(gateway.providers.count) providers, \(gateway.models.count) models, \(gateway.keys.count) keys"
            )
        }

        let service = ExtProcService(handlerFactory: handlerFactory, metrics: registry, logger: logger)
        reloader?.start()
        defer { reloader?.stop() }
        let status = try ServerRunner(endpoints: config.endpoints, registry: registry, logger: logger)
            .run(service: service)
        throw ExitCode(status)
    }
}
