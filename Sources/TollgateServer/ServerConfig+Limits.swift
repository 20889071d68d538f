import Gateway
import LedgerSQLite
import Logging
import Telemetry

extension ServerConfig {
    /// The limiter `serve` enforces `limits:` with, its counters restored from the `storage.path`
    /// database and saved there on a timer (`RateLimitRuntime`); in memory only without
    /// `storage.path`. The rules themselves come from each config snapshot, so they reload; the
    /// counters live here for the life of the process.
    ///
    /// Throws when the database cannot be opened, migrated or read, so `serve` fails at startup
    /// rather than forgetting a day's usage.
    public func makeRateLimits(
        registry: MetricsRegistry,
        logger: Logger,
        wallClock: @escaping @Sendable () -> UnixTime = { UnixTime.now() }
    ) throws -> RateLimitRuntime {
        let counters = LocalRateLimitStore()
        guard let path = storage.path else {
            return RateLimitRuntime(limiter: RateLimiter(store: counters), snapshotWriter: nil)
        }
        let snapshots = try LimiterSnapshotStore(path: path, busyTimeout: storage.busyTimeout)
        let restored = try counters.restore(from: snapshots, now: wallClock())
        if restored > 0 {
            logger.info("rate limits: \(restored) counter buckets restored from \(path)")
        }
        let writer = LimiterSnapshotWriter(
            counters: counters,
            store: snapshots,
            registry: registry,
            logger: logger,
            wallClock: wallClock
        )
        return RateLimitRuntime(limiter: RateLimiter(store: counters), snapshotWriter: writer)
    }
}
