/// How the ledger writer batches and keeps records: the `ledger:` config section.
///
/// ```yaml
/// ledger:
///   batch_window_ms: 200     # a record is committed at most this long after it is recorded
///   batch_max: 512           # ... or as soon as this many are waiting
///   retention_days: 90       # rows older than this are deleted, hourly; 0 keeps everything
///   queue_max: 100000        # records waiting beyond this are dropped (counted and logged)
/// ```
///
/// `batchWindow` is also what a SIGKILL can lose: records recorded in the last window before the
/// kill (plus the commit in flight), while the database accepts writes. SIGTERM loses nothing.
public struct LedgerSettings: Sendable, Hashable {
    public var batchWindow: Duration
    public var batchMax: Int
    /// 0 keeps every row.
    public var retentionDays: Int
    /// Records waiting (queued or being retried) beyond which new ones are dropped, so a database
    /// that stays locked or full for long costs bounded memory (about 300 bytes per record).
    public var queueMax: Int

    public static let defaultBatchWindow = Duration.milliseconds(200)
    public static let defaultBatchMax = 512
    public static let defaultRetentionDays = 90
    public static let defaultQueueMax = 100_000

    public init(
        batchWindow: Duration = LedgerSettings.defaultBatchWindow,
        batchMax: Int = LedgerSettings.defaultBatchMax,
        retentionDays: Int = LedgerSettings.defaultRetentionDays,
        queueMax: Int = LedgerSettings.defaultQueueMax
    ) {
        self.batchWindow = batchWindow
        self.batchMax = batchMax
        self.retentionDays = retentionDays
        self.queueMax = queueMax
    }
}
