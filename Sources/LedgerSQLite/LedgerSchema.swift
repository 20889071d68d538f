/// The ledger's tables, as the ordered migrations `SQLiteConnection.migrate` applies.
///
/// Append-only: a released entry is never edited; a schema change is a new entry at the end.
///
/// One row per request in `usage`; `id` is the rowid (no extra index). Times are Unix milliseconds,
/// durations microseconds, cost micro-dollars, booleans 0/1, and absent values NULL, which SQLite
/// stores in no bytes beyond the row header. There is no UNIQUE index on `request_id`: it would cost
/// about as much again per row as all the other indexes, and a batch is retried only after its
/// transaction rolled back, so the writer does not write a row twice.
enum LedgerSchema {
    static let component = "ledger"

    static let migrations = [
        // 1: the table, and the time index that retention and every report range use.
        """
        CREATE TABLE usage (
            id INTEGER PRIMARY KEY,
            time_ms INTEGER NOT NULL,
            request_id TEXT NOT NULL,
            key_name TEXT,
            tenant TEXT,
            endpoint TEXT,
            requested_model TEXT,
            served_model TEXT,
            provider TEXT,
            backend TEXT,
            attempts INTEGER NOT NULL,
            status INTEGER NOT NULL,
            rejection_reason TEXT,
            stream INTEGER NOT NULL,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cached_input_tokens INTEGER NOT NULL,
            cache_creation_tokens INTEGER NOT NULL,
            reasoning_tokens INTEGER NOT NULL,
            cost_micros INTEGER,
            ttft_us INTEGER,
            duration_us INTEGER NOT NULL,
            estimated INTEGER NOT NULL
        );
        CREATE INDEX usage_time ON usage (time_ms);
        """,
        // 2: reports for one key or one model over a range, without scanning the whole range.
        """
        CREATE INDEX usage_key_time ON usage (key_name, time_ms);
        CREATE INDEX usage_model_time ON usage (requested_model, time_ms);
        """,
    ]

    /// The schema this build writes.
    static var currentVersion: Int {
        migrations.count
    }
}
