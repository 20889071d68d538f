/// The limiter's tables in Tollgate's database, as the ordered migrations `SQLiteConnection.migrate`
/// applies under the component name `ratelimit` (the ledger's are separate).
///
/// Append-only: a released entry is never edited; a schema change is a new entry at the end.
///
/// One row per non-empty bucket of a windowed counter (`RateLimitCounterSnapshot`): the counter's
/// scope and limit kind, the bucket's index (`RateLimitWindow.period(at:)`) and amount, and when the
/// bucket leaves its window, so expired rows are deleted by one indexed range. `scope_model` is ''
/// unless the scope is a key with a model.
enum LimiterSchema {
    static let component = "ratelimit"

    static let migrations = [
        // 1: the buckets, keyed by counter and bucket, and the expiry index pruning uses.
        """
        CREATE TABLE ratelimit_buckets (
            scope_kind TEXT NOT NULL,
            scope_name TEXT NOT NULL,
            scope_model TEXT NOT NULL,
            limit_kind TEXT NOT NULL,
            period INTEGER NOT NULL,
            amount INTEGER NOT NULL,
            expires_ms INTEGER NOT NULL,
            PRIMARY KEY (scope_kind, scope_name, scope_model, limit_kind, period)
        ) WITHOUT ROWID;
        CREATE INDEX ratelimit_buckets_expiry ON ratelimit_buckets (expires_ms);
        """
    ]

    /// The schema this build writes.
    static var currentVersion: Int {
        migrations.count
    }
}
