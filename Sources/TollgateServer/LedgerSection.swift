import Gateway
import Yams

/// The `ledger:` section: how usage records are batched into `storage.path` and how long they are
/// kept. The ledger runs when `storage.path` is set and `enabled` is not false.
///
/// ```yaml
/// ledger:
///   enabled: true            # default true (with storage.path)
///   batch_window_ms: 200     # a record is committed at most this long after its request ends;
///                            # also what a SIGKILL can lose
///   batch_max: 512           # ... or as soon as this many wait
///   retention_days: 90       # older rows are deleted hourly; 0 keeps everything
///   queue_max: 100000        # records waiting beyond this (database locked or full) are dropped, counted
/// ```
public struct LedgerSection: ConfigSection {
    static let key = "ledger"

    public var enabled = true
    public var settings = LedgerSettings()

    static let batchWindowRange = 1...60_000
    static let batchMaxRange = 1...100_000
    static let retentionDaysRange = 0...36_500
    static let queueMaxRange = 1...10_000_000

    public init() {}

    init(from mapping: inout ConfigMapping) throws(ConfigError) {
        enabled =
            try mapping.scalar("enabled", expected: "true or false") { scalar, type in
                type == .bool ? Bool.construct(from: scalar) : nil
            } ?? enabled
        if let window = try mapping.integer("batch_window_ms", in: Self.batchWindowRange) {
            settings.batchWindow = .milliseconds(window)
        }
        settings.batchMax = try mapping.integer("batch_max", in: Self.batchMaxRange) ?? settings.batchMax
        settings.retentionDays =
            try mapping.integer("retention_days", in: Self.retentionDaysRange) ?? settings.retentionDays
        settings.queueMax = try mapping.integer("queue_max", in: Self.queueMaxRange) ?? settings.queueMax
    }
}
