import Gateway
import LedgerSQLite

/// The rate limiter of a running server and what keeps its counters: `limiter` goes to the gateway,
/// `shutdown()` saves the counters one last time after the drain (their settlements included).
public struct RateLimitRuntime: Sendable {
    public let limiter: RateLimiter
    let snapshotWriter: LimiterSnapshotWriter?

    init(limiter: RateLimiter, snapshotWriter: LimiterSnapshotWriter?) {
        self.limiter = limiter
        self.snapshotWriter = snapshotWriter
    }

    /// Stops the periodic save and saves once more; false when that save failed (the usage since
    /// the previous save would be lost on restart).
    @discardableResult
    public func shutdown() -> Bool {
        snapshotWriter?.shutdown() ?? true
    }
}
