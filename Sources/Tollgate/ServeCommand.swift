import ArgumentParser
import ExtProc
import Foundation
import Gateway
import LedgerSQLite
import Logging
import Telemetry
import TollgateServer

/// `tollgate serve --config FILE [overrides]`: runs the ext_proc server until SIGTERM or SIGINT.
///
/// Every ext_proc stream goes to the gateway (`GatewayHandlerFactory`, router and upstream phases
/// alike), whatever the config holds: it fails closed. A config without keys refuses every request
/// with 401 (and an unknown path with 404) in the client's dialect; there is no pass-through mode.
/// With `--config` the file is watched for hot reload, and with `--envoy-xds-dir` Envoy's routes and
/// clusters are kept in step with it. `limits:` are enforced from the first request; their counters
/// are restored from and saved to `storage.path` when it is set.
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

        let gateway = config.gatewayConfig
        let store = GatewaySnapshotStore(
            try config.makeGatewaySnapshot(file: options.configFile, environment: ProcessInfo.processInfo.environment)
        )
        let xds = envoyXDS.makeWriter()
        try xds?.write(gateway)
        let reloader = options.configFile.map { file in
            ConfigReloader(
                configFile: file,
                store: store,
                loaded: config,
                registry: registry,
                logger: logger,
                beforeSwap: { try xds?.write($0) }
            )
        }
        logger.info(
            "gateway: \(gateway.providers.count) providers, \(gateway.models.count) models, \(gateway.keys.count) keys"
        )
        if gateway.keys.isEmpty {
            logger.warning("no keys in the config: every request is refused with 401 until keys are added")
        }

        // The ledger's and the request log's writer threads outlive the drain, so records of
        // requests finishing then are kept. Prices are the running snapshot's: a reload reprices.
        let ledger = try config.makeUsageLedger(registry: registry, logger: logger)
        let requestLog = config.makeRequestLogWriter(registry: registry)
        let prices: @Sendable () -> PriceTable = { store.current().prices }
        var observers: [any RequestObserver] = [
            GenAIMetricsObserver(registry: registry), RequestMetricsObserver(registry: registry, prices: prices),
        ]
        if let ledger { observers.append(UsageLedgerObserver(ledger: ledger, prices: prices, wallClock: { .now() })) }
        if let requestLog {
            observers.append(RequestLogObserver(sink: requestLog, prices: prices, wallClock: { .now() }))
        }
        let observer = RequestObservers(observers)
        let rateLimits = try config.makeRateLimits(registry: registry, logger: logger)
        let handlerFactory = GatewayHandlerFactory(
            snapshotStore: store,
            logger: logger,
            metrics: registry,
            observer: observer,
            limiter: rateLimits.limiter,
            wallClock: { UnixTime.now() }
        )
        let service = ExtProcService(handlerFactory: handlerFactory, metrics: registry, logger: logger)
        reloader?.start()
        defer { reloader?.stop() }
        let status = try ServerRunner(endpoints: config.endpoints, registry: registry, logger: logger)
            .run(service: service)
        if !rateLimits.shutdown() {
            logger.error("rate limits: the counters could not be saved before exit")
        }
        if let unwritten = ledger?.shutdown(), unwritten > 0 {
            logger.error("usage ledger: \(unwritten) records could not be written before exit")
        }
        requestLog?.shutdown()
        throw ExitCode(status)
    }
}
