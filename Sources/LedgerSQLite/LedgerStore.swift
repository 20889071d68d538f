import Gateway

/// The ledger's SQL: writing batches of records, deleting old ones, reading them back and reporting
/// (`LedgerStore+Report.swift`). Nothing outside `LedgerSQLite` writes SQL for the `usage` table.
///
/// A store is one connection, used by one thread: `LedgerWriter` owns one on its thread, and
/// `tollgate usage` opens one to read.
public struct LedgerStore {
    public let connection: SQLiteConnection

    /// Opens `path` for writing, creating the file if needed (not its directory), in WAL mode with
    /// `synchronous=NORMAL`, and applies the ledger's missing migrations.
    public init(path: String, busyTimeout: Duration = .seconds(5)) throws(SQLiteError) {
        let connection = try SQLiteConnection(path: path, mode: .readWriteCreate, busyTimeout: busyTimeout)
        try connection.enableWriteAheadLog()
        try connection.migrate(LedgerSchema.component, LedgerSchema.migrations)
        self.connection = connection
    }

    /// Opens an existing ledger to read it; never creates or migrates anything.
    public init(readingFrom path: String, busyTimeout: Duration = .seconds(5)) throws(SQLiteError) {
        let connection = try SQLiteConnection(path: path, mode: .readOnly, busyTimeout: busyTimeout)
        let version = try connection.schemaVersion(LedgerSchema.component)
        if version == 0 {
            throw SQLiteError.schemaMissing(component: LedgerSchema.component)
        }
        if version > LedgerSchema.currentVersion {
            throw SQLiteError.schemaTooNew(
                component: LedgerSchema.component,
                version: version,
                known: LedgerSchema.currentVersion
            )
        }
        self.connection = connection
    }

    /// Wraps an open connection whose ledger tables are up to date (tests use this to reach the
    /// connection the writer uses).
    init(connection: SQLiteConnection) {
        self.connection = connection
    }

    private static let insertSQL = """
        INSERT INTO usage (
            time_ms, request_id, key_name, tenant, endpoint, requested_model, served_model, provider, backend,
            attempts, status, rejection_reason, stream, input_tokens, output_tokens, cached_input_tokens,
            cache_creation_tokens, reasoning_tokens, cost_micros, ttft_us, duration_us, estimated
        ) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)
        """

    /// Writes `records` in one transaction with one prepared INSERT: all of them, or (on error)
    /// none.
    public func insert(_ records: some Collection<UsageRecord>) throws(SQLiteError) {
        guard !records.isEmpty else {
            return
        }
        let insert = try connection.statement(Self.insertSQL)
        try connection.transaction { () throws(SQLiteError) in
            // Reset before a rollback, too: a statement stopped by an error still holds its step.
            defer { insert.reset() }
            for record in records {
                try Self.bind(record, to: insert)
                while try insert.step() {}
                insert.reset()
            }
        }
    }

    private static func bind(_ record: UsageRecord, to insert: SQLiteStatement) throws(SQLiteError) {
        try insert.bind(record.time.milliseconds, at: 1)
        try insert.bind(record.requestID, at: 2)
        try insert.bind(record.keyName, at: 3)
        try insert.bind(record.tenant, at: 4)
        try insert.bind(record.endpoint, at: 5)
        try insert.bind(record.requestedModel, at: 6)
        try insert.bind(record.servedModel, at: 7)
        try insert.bind(record.provider, at: 8)
        try insert.bind(record.backend, at: 9)
        try insert.bind(record.attempts, at: 10)
        try insert.bind(record.status, at: 11)
        try insert.bind(record.rejectionReason, at: 12)
        try insert.bind(record.isStream, at: 13)
        try insert.bind(record.inputTokens, at: 14)
        try insert.bind(record.outputTokens, at: 15)
        try insert.bind(record.cachedInputTokens, at: 16)
        try insert.bind(record.cacheCreationInputTokens, at: 17)
        try insert.bind(record.reasoningTokens, at: 18)
        try insert.bind(record.costMicros, at: 19)
        try insert.bind(record.timeToFirstToken.map(Self.microseconds), at: 20)
        try insert.bind(Self.microseconds(record.duration), at: 21)
        try insert.bind(record.isEstimated, at: 22)
    }

    /// Deletes up to `limit` rows older than `cutoff`, oldest first, in one short transaction, and
    /// returns how many. Callers loop until it returns less than `limit`, so the write lock is never
    /// held for long (the limiter shares the file).
    public func deleteRecords(before cutoff: UnixTime, limit: Int = 10_000) throws(SQLiteError) -> Int {
        let delete = try connection.statement(
            "DELETE FROM usage WHERE id IN (SELECT id FROM usage WHERE time_ms < ?1 ORDER BY time_ms LIMIT ?2)"
        )
        return try connection.transaction { () throws(SQLiteError) in
            try delete.run([.integer(cutoff.milliseconds), .integer(Int64(limit))])
            return connection.changes
        }
    }

    /// The records in `[since, until)` in the order they were written.
    public func records(since: UnixTime? = nil, until: UnixTime? = nil) throws(SQLiteError) -> [UsageRecord] {
        let select = try connection.prepare(
            """
            SELECT time_ms, request_id, key_name, tenant, endpoint, requested_model, served_model, provider, backend,
                attempts, status, rejection_reason, stream, input_tokens, output_tokens, cached_input_tokens,
                cache_creation_tokens, reasoning_tokens, cost_micros, ttft_us, duration_us, estimated
            FROM usage WHERE time_ms >= ?1 AND time_ms < ?2 ORDER BY id
            """
        )
        return try select.query(Self.range(since, until)) { row in
            UsageRecord(
                time: UnixTime(milliseconds: row.int64(at: 0)),
                requestID: row.text(at: 1) ?? "",
                keyName: row.text(at: 2),
                tenant: row.text(at: 3),
                endpoint: row.text(at: 4),
                requestedModel: row.text(at: 5),
                servedModel: row.text(at: 6),
                provider: row.text(at: 7),
                backend: row.text(at: 8),
                attempts: Int(row.int64(at: 9)),
                status: Int(row.int64(at: 10)),
                rejectionReason: row.text(at: 11),
                isStream: row.int64(at: 12) != 0,
                inputTokens: Int(row.int64(at: 13)),
                outputTokens: Int(row.int64(at: 14)),
                cachedInputTokens: Int(row.int64(at: 15)),
                cacheCreationInputTokens: Int(row.int64(at: 16)),
                reasoningTokens: Int(row.int64(at: 17)),
                costMicros: row.optionalInt64(at: 18),
                timeToFirstToken: row.optionalInt64(at: 19).map { .microseconds($0) },
                duration: .microseconds(row.int64(at: 20)),
                isEstimated: row.int64(at: 21) != 0
            )
        }
    }

    /// How many rows the ledger holds.
    public func count() throws(SQLiteError) -> Int {
        try connection.prepare("SELECT COUNT(*) FROM usage").query { Int($0.int64(at: 0)) }.first ?? 0
    }

    /// `since` and `until` as the bounds of `time_ms >= ?1 AND time_ms < ?2`.
    static func range(_ since: UnixTime?, _ until: UnixTime?) -> [SQLiteValue] {
        [.integer(since?.milliseconds ?? Int64.min), .integer(until?.milliseconds ?? Int64.max)]
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
