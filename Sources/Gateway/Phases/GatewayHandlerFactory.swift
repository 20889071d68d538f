import ExtProc
import Logging
import Telemetry

/// Makes a `GatewayStreamHandler` for each ext_proc stream, router-level and upstream-level alike,
/// all sharing one `GatewayContext` (configuration store, request store, metrics).
public struct GatewayHandlerFactory: ExtProcHandlerFactory {
    public let context: GatewayContext

    public init(
        snapshotStore: GatewaySnapshotStore,
        logger: Logger,
        metrics: MetricsRegistry,
        requestStore: RequestStore = RequestStore(),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        context = GatewayContext(
            snapshots: snapshotStore,
            requests: requestStore,
            logger: logger,
            metrics: GatewayMetrics(registry: metrics),
            now: now
        )
    }

    public func makeStreamHandler() -> any ExtProcStreamHandler {
        GatewayStreamHandler(context: context)
    }
}
