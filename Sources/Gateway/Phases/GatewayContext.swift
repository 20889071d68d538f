import ExtProc
import Logging

/// What every stream handler of one gateway shares: the running configuration, the request store,
/// the clocks, logging, metrics and the request observer. Immutable; shared across event loops.
public struct GatewayContext: Sendable {
    public let snapshots: GatewaySnapshotStore
    public let requests: RequestStore
    public let logger: Logger
    public let metrics: GatewayMetrics
    /// Told how every request ended (ledger, rate limits).
    public let observer: any RequestObserver
    /// Read once per message that needs time; tests pass a hand-moved clock.
    public let now: @Sendable () -> ContinuousClock.Instant
    /// Unix seconds, for `created` in OpenAI bodies translated from a response without a `date`
    /// header; nil writes 0 there. The gateway has no wall clock of its own (no Foundation).
    public let unixTime: (@Sendable () -> Int)?

    public init(
        snapshots: GatewaySnapshotStore,
        requests: RequestStore,
        logger: Logger,
        metrics: GatewayMetrics,
        observer: any RequestObserver = NoRequestObserver(),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        unixTime: (@Sendable () -> Int)? = nil
    ) {
        self.snapshots = snapshots
        self.requests = requests
        self.logger = logger
        self.metrics = metrics
        self.observer = observer
        self.now = now
        self.unixTime = unixTime
    }

    /// Ends the exchange with `error` in `dialect`, counted, and logged at a level that matches
    /// whose fault it is: client errors at debug, the gateway's own (5xx) at error.
    func reject(_ error: GatewayError, dialect: APIDialect) -> ProcessingResponse {
        metrics.rejected(kind: error.kind)
        if error.status >= 500 {
            logger.error("gateway refused a request: \(error)")
        } else {
            logger.debug("gateway refused a request: \(error)")
        }
        return ProcessingResponse(.immediate(error.immediateResponse(in: dialect)))
    }

    /// Ends the exchange with a translation error in `dialect`: the client's request cannot be
    /// said in the backend's API (400), logged at debug.
    func reject(_ error: TranslationError, dialect: APIDialect) -> ProcessingResponse {
        metrics.rejected(kind: error.kind)
        logger.debug("gateway could not translate a request: \(error)")
        return ProcessingResponse(.immediate(error.immediateResponse(in: dialect)))
    }
}
