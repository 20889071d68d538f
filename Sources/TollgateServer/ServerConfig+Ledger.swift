import Gateway
import LedgerSQLite
import Logging
import Telemetry

extension ServerConfig {
    /// Whether this config records usage: `storage.path` is set and `ledger.enabled` is not false.
    public var recordsUsage: Bool {
        storage.path != nil && ledger.enabled
    }

    /// The usage ledger this config asks for, its writer thread started; nil when it records no
    /// usage. Throws when the database cannot be opened or migrated, so `serve` fails at startup
    /// rather than at the first request. The caller calls `shutdown()` on SIGTERM, after the drain.
    public func makeUsageLedger(registry: MetricsRegistry, logger: Logger) throws(SQLiteError) -> LedgerWriter? {
        guard recordsUsage, let path = storage.path else {
            return nil
        }
        return try LedgerWriter(
            path: path,
            settings: ledger.settings,
            busyTimeout: storage.busyTimeout,
            registry: registry,
            logger: logger
        )
    }
}
