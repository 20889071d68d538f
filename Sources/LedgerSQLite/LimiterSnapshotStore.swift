import Gateway
import Synchronization

/// The limiter's counters in Tollgate's SQLite database (`storage.path`), beside the usage ledger:
/// `LocalRateLimitStore.save(to:now:)` writes the counters changed since its last save, and a
/// restarted process `restore(from:now:)`s them, so a day's or month's budget does not start over
/// when a pod is rescheduled.
///
/// Its own connection, behind a mutex: saves come from one periodic task and at shutdown, the load
/// once at start, so the lock is never contended in practice; SQLite's WAL mode lets it write
/// while the ledger's writer does (each waits its turn up to the busy timeout).
///
/// `@unchecked Sendable`: the connection is not `Sendable`, and is touched only inside
/// `lock.withLock` (`run`), so one thread at a time uses it; `path` is an immutable copy.
public final class LimiterSnapshotStore: RateLimitSnapshotStore, @unchecked Sendable {
    private let connection: SQLiteConnection
    private let lock = Mutex(())
    /// The database file.
    public let path: String

    /// Opens `path` for writing, creating the file if needed (not its directory), in WAL mode, and
    /// applies the limiter's missing migrations.
    public init(path: String, busyTimeout: Duration = .seconds(5)) throws(SQLiteError) {
        let connection = try SQLiteConnection(path: path, mode: .readWriteCreate, busyTimeout: busyTimeout)
        try connection.enableWriteAheadLog()
        try connection.migrate(LimiterSchema.component, LimiterSchema.migrations)
        self.connection = connection
        self.path = path
    }

    private static let selectSQL = """
        SELECT scope_kind, scope_name, scope_model, limit_kind, period, amount FROM ratelimit_buckets
        ORDER BY scope_kind, scope_name, scope_model, limit_kind, period
        """
    private static let deleteCounterSQL = """
        DELETE FROM ratelimit_buckets WHERE scope_kind = ?1 AND scope_name = ?2 AND scope_model = ?3 AND limit_kind = ?4
        """
    private static let insertSQL = """
        INSERT INTO ratelimit_buckets (scope_kind, scope_name, scope_model, limit_kind, period, amount, expires_ms)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
        """
    private static let pruneSQL = "DELETE FROM ratelimit_buckets WHERE expires_ms <= ?1"

    /// Every saved counter. Rows this build cannot read (a limit kind or scope from a newer
    /// release) are skipped.
    public func loadRateLimitCounters() throws(RateLimitStoreError) -> [RateLimitCounterSnapshot] {
        try run { (connection) throws(SQLiteError) in
            let rows = try connection.statement(Self.selectSQL).query { row -> (RateLimitCounterID, RateLimitBucket)? in
                guard let kind = row.text(at: 0).flatMap(RateLimitScope.Kind.init(rawValue:)),
                    let name = row.text(at: 1), let model = row.text(at: 2),
                    let scope = RateLimitScope(kind: kind, name: name, model: kind == .keyModel ? model : nil),
                    let limit = row.text(at: 3).flatMap(RateLimitKind.init(rawValue:)), limit.window != nil
                else {
                    return nil
                }
                let bucket = RateLimitBucket(period: row.int64(at: 4), amount: Int(row.int64(at: 5)))
                return (RateLimitCounterID(scope: scope, kind: limit), bucket)
            }
            var snapshots: [RateLimitCounterSnapshot] = []
            for case let (counter, bucket)? in rows {
                if snapshots.last?.counter == counter {
                    snapshots[snapshots.count - 1].buckets.append(bucket)
                } else {
                    snapshots.append(RateLimitCounterSnapshot(counter: counter, buckets: [bucket]))
                }
            }
            return snapshots
        }
    }

    /// Replaces each counter's rows with its buckets and deletes every row expired by `now`, in
    /// one transaction: all of it, or (on error) nothing.
    public func saveRateLimitCounters(
        _ snapshots: [RateLimitCounterSnapshot],
        now: UnixTime
    ) throws(RateLimitStoreError) {
        try run { (connection) throws(SQLiteError) in
            let delete = try connection.statement(Self.deleteCounterSQL)
            let insert = try connection.statement(Self.insertSQL)
            let prune = try connection.statement(Self.pruneSQL)
            try connection.transaction { () throws(SQLiteError) in
                for snapshot in snapshots {
                    let counter = snapshot.counter
                    guard let window = counter.kind.window else { continue }
                    let key: [SQLiteValue] = [
                        .text(counter.scope.kind.rawValue), .text(counter.scope.name),
                        .text(counter.scope.model ?? ""), .text(counter.kind.rawValue),
                    ]
                    try delete.run(key)
                    for bucket in snapshot.buckets where bucket.amount != 0 {
                        let expires = window.expiry(of: bucket.period).milliseconds
                        guard expires > now.milliseconds else { continue }
                        try insert.run(
                            key + [.integer(bucket.period), .integer(Int64(bucket.amount)), .integer(expires)]
                        )
                    }
                }
                try prune.run([.integer(now.milliseconds)])
            }
        }
    }

    /// Runs `body` on the connection, mapping SQLite's error to the limiter's.
    private func run<Result>(
        _ body: (SQLiteConnection) throws(SQLiteError) -> Result
    ) throws(RateLimitStoreError) -> Result {
        do {
            return try lock.withLock { _ throws(SQLiteError) -> Result in
                try body(connection)
            }
        } catch {
            throw RateLimitStoreError("rate-limit counters in \(path): \(error)")
        }
    }
}
