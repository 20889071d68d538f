import Gateway
import LedgerSQLite
import LimiterRedis

/// The rate limiter of a running server and what keeps its counters: `limiter` goes to the gateway,
/// `shutdown()` after the drain applies the settlements still queued for Redis, or saves the local
/// counters one last time (their settlements included).
public struct RateLimitRuntime: Sendable {
    public let limiter: RateLimiter
    let snapshotWriter: LimiterSnapshotWriter?
    let settlement: BackgroundSettlementStore?

    init(
        limiter: RateLimiter,
        snapshotWriter: LimiterSnapshotWriter? = nil,
        settlement: BackgroundSettlementStore? = nil
    ) {
        self.limiter = limiter
        self.snapshotWriter = snapshotWriter
        self.settlement = settlement
    }

    /// Applies queued settlements, stops the periodic save and saves once more; false when that save
    /// failed (the usage since the previous save would be lost on restart).
    @discardableResult
    public func shutdown() -> Bool {
        settlement?.shutdown()
        return snapshotWriter?.shutdown() ?? true
    }
}
