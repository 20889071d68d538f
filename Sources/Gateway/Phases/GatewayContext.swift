import ExtProc
import Logging

/// What every stream handler of one gateway shares: the running configuration, the request store,
/// the clock, logging and metrics. Immutable; shared across event loops.
public struct GatewayContext: Sendable {
    public let snapshots: GatewaySnapshotStore
    public let requests: RequestStore
    public let logger: Logger
    public let metrics: GatewayMetrics
    /// Read once per message that needs time; tests pass a hand-moved clock.
    public let now: @Sendable () -> ContinuousClock.Instant

    public init(
        snapshots: GatewaySnapshotStore,
        requests: RequestStore,
        logger: Logger,
        metrics: GatewayMetrics,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.snapshots = snapshots
        self.requests = requests
        self.logger = logger
        self.metrics = metrics
        self.now = now
    }

    /// Ends the exchange with `error` in `dialect`, counted, and logged at a level that matches
    /// whose fault it is: client errors at debug, the gateway's own (5xx) at error.
    func reject(_ error: GatewayError, dialect: APIDialect) -> ProcessingResponse {
        metrics.rejected(error)
        if error.status >= 500 {
            logger.error("gateway refused a request: \(error)")
        } else {
            logger.debug("gateway refused a request: \(error)")
        }
        return ProcessingResponse(.immediate(error.immediateResponse(in: dialect)))
    }
}
