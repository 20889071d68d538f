import Gateway
import LedgerSQLite

extension ServerConfig {
    /// The `limits:` rules with the `prices:` table, as the limiter reads them: rebuilt on each
    /// reload, while counters live on in the limiter's store.
    public var rateLimitPolicy: RateLimitPolicy {
        RateLimitPolicy(rules: limits.rules, prices: prices.table)
    }

    /// Where the limiter's counters are saved: the `storage.path` database, opened and migrated now
    /// (so `serve` fails at startup rather than at the first save); nil without `storage.path`, when
    /// counters live in memory only.
    public func makeRateLimitSnapshotStore() throws(SQLiteError) -> LimiterSnapshotStore? {
        guard let path = storage.path else {
            return nil
        }
        return try LimiterSnapshotStore(path: path, busyTimeout: storage.busyTimeout)
    }
}
