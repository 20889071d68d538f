import ExtProc
import Logging
import Telemetry

/// Makes a `GatewayStreamHandler` for each ext_proc stream, router-level and upstream-level alike,
/// all sharing one `GatewayContext` (configuration store, request store, limiter, metrics, observer).
public struct GatewayHandlerFactory: ExtProcHandlerFactory {
    public let context: GatewayContext

    /// `observer` is told how every request ended (`RequestCompletion`); `limiter` enforces the
    /// snapshot's `limits:`; `now` is the monotonic clock, injected so tests can move it;
    /// `wallClock` the calendar time of rate-limit windows (see `GatewayContext.wallClock`).
    public init(
        snapshotStore: GatewaySnapshotStore,
        logger: Logger,
        metrics: MetricsRegistry,
        requestStore: RequestStore = RequestStore(),
        observer: any RequestObserver = NoRequestObserver(),
        limiter: RateLimiter = RateLimiter(),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        wallClock: @escaping @Sendable () -> UnixTime
    ) {
        context = GatewayContext(
            snapshots: snapshotStore,
            requests: requestStore,
            logger: logger,
            metrics: GatewayMetrics(registry: metrics),
            observer: observer,
            limiter: limiter,
            now: now,
            wallClock: wallClock
        )
    }

    public func makeStreamHandler() -> any ExtProcStreamHandler {
        GatewayStreamHandler(context: context)
    }
}
