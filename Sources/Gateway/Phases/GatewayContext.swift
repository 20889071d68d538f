import ExtProc
import Logging

/// What every stream handler of one gateway shares: the running configuration, the request store,
/// the rate limiter, the clocks, logging, metrics and the request observer. Immutable; shared
/// across event loops.
public struct GatewayContext: Sendable {
    public let snapshots: GatewaySnapshotStore
    public let requests: RequestStore
    public let logger: Logger
    public let metrics: GatewayMetrics
    /// Told how every request ended (the ledger, metrics, logs).
    public let observer: any RequestObserver
    /// Holds each request's tokens, requests and money against the snapshot's `limits:` from its
    /// body to its end; its counters outlive reloads.
    public let limiter: RateLimiter
    /// Read once per message that needs time; tests pass a hand-moved clock.
    public let now: @Sendable () -> ContinuousClock.Instant
    /// The wall clock: rate-limit windows (UTC minutes, days, months) and `created` in OpenAI
    /// bodies translated from a response without a `date` header. The gateway has none of its own
    /// (no Foundation), so the server passes one in.
    public let wallClock: @Sendable () -> UnixTime

    public init(
        snapshots: GatewaySnapshotStore,
        requests: RequestStore,
        logger: Logger,
        metrics: GatewayMetrics,
        observer: any RequestObserver = NoRequestObserver(),
        limiter: RateLimiter = RateLimiter(),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        wallClock: @escaping @Sendable () -> UnixTime
    ) {
        self.snapshots = snapshots
        self.requests = requests
        self.logger = logger
        self.metrics = metrics
        self.observer = observer
        self.limiter = limiter
        self.now = now
        self.wallClock = wallClock
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

    /// Ends the exchange with a rate-limit refusal in `dialect` (429 naming the limit, or 503 when
    /// the counters cannot be reached), counted and logged at debug (error for the gateway's own).
    func reject(_ error: RateLimitError, dialect: APIDialect) -> ProcessingResponse {
        metrics.rejected(kind: error.kind)
        if error.status >= 500 {
            logger.error("gateway could not check a request's rate limits: \(error)")
        } else {
            logger.debug("gateway refused a request over its limits: \(error.kind)")
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
