import ExtProc
import Logging
import Telemetry

/// Makes a `GatewayStreamHandler` for each ext_proc stream, router-level and upstream-level alike,
/// all sharing one `GatewayContext` (configuration store, request store, metrics, observer).
public struct GatewayHandlerFactory: ExtProcHandlerFactory {
    public let context: GatewayContext

    /// `observer` is told how every request ended (`RequestCompletion`); `now` is the monotonic
    /// clock, injected so tests can move it; `unixTime` a wall clock, read only when a response to
    /// translate has no `date` header (see `GatewayContext.unixTime`).
    public init(
        snapshotStore: GatewaySnapshotStore,
        logger: Logger,
        metrics: MetricsRegistry,
        requestStore: RequestStore = RequestStore(),
        observer: any RequestObserver = NoRequestObserver(),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        unixTime: (@Sendable () -> Int)? = nil
    ) {
        context = GatewayContext(
            snapshots: snapshotStore,
            requests: requestStore,
            logger: logger,
            metrics: GatewayMetrics(registry: metrics),
            observer: observer,
            now: now,
            unixTime: unixTime
        )
    }

    public func makeStreamHandler() -> any ExtProcStreamHandler {
        GatewayStreamHandler(context: context)
    }
}
