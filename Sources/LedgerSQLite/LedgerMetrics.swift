import Telemetry

/// The ledger writer's instruments, registered once:
///
/// - `tollgate_ledger_records_total`: records committed to the database;
/// - `tollgate_ledger_dropped_total{reason}`: records that were never written, `queue_full` (more than
///   `queue_max` waiting), `shut_down` (recorded after shutdown) or `shutdown_timeout` (still failing
///   when shutdown gave up);
/// - `tollgate_ledger_errors_total{kind}`: failed writes and retention passes, by `SQLiteError.kind`;
///   a failed write is retried, so an error here is not a lost record;
/// - `tollgate_ledger_queue_depth`: records recorded and not yet committed;
/// - `tollgate_ledger_flush_seconds`: time to commit one batch;
/// - `tollgate_ledger_retention_deleted_total`: rows deleted for being older than `retention_days`.
struct LedgerMetrics: Sendable {
    let committed: Counter
    let droppedQueueFull: Counter
    let droppedShutDown: Counter
    let droppedShutdownTimeout: Counter
    let queueDepth: Gauge
    let flushSeconds: Histogram
    let retentionDeleted: Counter
    private let errors: [String: Counter]

    init(registry: MetricsRegistry) {
        committed = registry.counter(
            "tollgate_ledger_records_total",
            help: "Usage records committed to the ledger database."
        )
        func dropped(_ reason: String) -> Counter {
            registry.counter(
                "tollgate_ledger_dropped_total",
                help: "Usage records never written to the ledger, by reason.",
                labels: [("reason", reason)]
            )
        }
        droppedQueueFull = dropped("queue_full")
        droppedShutDown = dropped("shut_down")
        droppedShutdownTimeout = dropped("shutdown_timeout")
        queueDepth = registry.gauge(
            "tollgate_ledger_queue_depth",
            help: "Usage records recorded and not yet committed to the ledger database."
        )
        flushSeconds = registry.histogram(
            "tollgate_ledger_flush_seconds",
            help: "Time to commit one batch of usage records.",
            buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
        )
        retentionDeleted = registry.counter(
            "tollgate_ledger_retention_deleted_total",
            help: "Ledger rows deleted for being older than ledger.retention_days."
        )
        var errors: [String: Counter] = [:]
        for kind in SQLiteError.allKinds {
            errors[kind] = registry.counter(
                "tollgate_ledger_errors_total",
                help: "Failed ledger database writes and retention passes, by kind; failed writes are retried.",
                labels: [("kind", kind)]
            )
        }
        self.errors = errors
    }

    func error(_ error: SQLiteError) {
        errors[error.kind]?.increment()
    }
}
