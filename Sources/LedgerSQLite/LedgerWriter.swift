import Foundation
import Gateway
import Logging
import Telemetry

/// The usage ledger: request threads hand records to `record(_:)`, and one writer thread commits
/// them to SQLite in batches.
///
/// **Never blocking the request path.** `record(_:)` appends to an in-memory queue under a lock held
/// for one append (and signals the writer when a batch is full); it never waits for SQLite. A thread
/// of its own, not an actor, does the writing: every SQLite call blocks (on disk, on the busy
/// timeout, on retry backoff), which on an actor would hold one of the few threads of Swift's
/// cooperative pool, and the event loops that call `record(_:)` are plain threads that cannot await.
///
/// **Batching.** The writer wakes every `batchWindow`, or as soon as `batchMax` records wait, and
/// commits everything waiting with one prepared INSERT, `batchMax` rows per transaction.
///
/// **Failures.** A write that fails (`SQLITE_BUSY` or `SQLITE_LOCKED` past the busy timeout,
/// `SQLITE_FULL`, `SQLITE_IOERR`, anything) rolls back; the writer keeps the batch, counts the error in
/// `tollgate_ledger_errors_total{kind}`, logs it (at most every 10 s while it lasts, and once when
/// writes recover; SQLite's message, never a record's content), and retries after a backoff doubling
/// from 50 ms to 5 s. Records recorded meanwhile wait behind it. Only when more than `queueMax`
/// records wait is a new one dropped, counted in `tollgate_ledger_dropped_total{reason="queue_full"}`
/// and logged: memory stays bounded, and no record is lost without a trace.
///
/// **Durability.** `shutdown(timeout:)` (the SIGTERM path, after the server has drained) writes
/// every record recorded before it, retrying failures until the timeout, and returns how many could
/// not be written (0 unless the database stayed unwritable). After a SIGKILL, the records lost are
/// those recorded within the last `batchWindow` before the kill, plus the batch whose commit was in
/// flight: a committed transaction survives the process in WAL mode with `synchronous=NORMAL`. That
/// bound holds while the database accepts writes; while it refuses them (locked, full), everything
/// waiting is in memory only, up to `queueMax` records.
///
/// **Retention.** With `retentionDays` > 0 the writer deletes older rows at start and every hour,
/// at most 2 000 rows per transaction, continuing at its next wake while more remain, so a backlog
/// never holds the write lock (shared with the limiter) for long.
public final class LedgerWriter: UsageLedger {
    public let settings: LedgerSettings
    private let mailbox = Mailbox()
    private let metrics: LedgerMetrics
    private let logger: Logger
    private let wallClock: @Sendable () -> UnixTime
    private let tuning: Tuning

    /// Timings a test may shorten.
    struct Tuning: Sendable {
        var retentionInterval = Duration.seconds(3600)
        var retentionChunk = 2000
        var initialBackoff = Duration.milliseconds(50)
        var maximumBackoff = Duration.seconds(5)
        var logInterval = Duration.seconds(10)
    }

    /// Opens (creating if needed) the database at `path`, applies the ledger's migrations, and starts
    /// the writer thread. Throws when the file cannot be opened or migrated, so a broken path fails
    /// at startup rather than at the first request.
    ///
    /// - Parameters:
    ///   - busyTimeout: how long one SQLite call waits for a lock held by another connection (the
    ///     limiter, a report) before it fails and is retried.
    ///   - wallClock: the time retention counts days from.
    public convenience init(
        path: String,
        settings: LedgerSettings = LedgerSettings(),
        busyTimeout: Duration = .seconds(5),
        registry: MetricsRegistry,
        logger: Logger,
        wallClock: @escaping @Sendable () -> UnixTime = { UnixTime.now() }
    ) throws(SQLiteError) {
        let store = try LedgerStore(path: path, busyTimeout: busyTimeout)
        self.init(store: store, settings: settings, registry: registry, logger: logger, wallClock: wallClock)
    }

    /// Starts the writer thread on an open, migrated store, which the thread owns from here on.
    init(
        store: LedgerStore,
        settings: LedgerSettings,
        registry: MetricsRegistry,
        logger: Logger,
        wallClock: @escaping @Sendable () -> UnixTime,
        tuning: Tuning = Tuning()
    ) {
        precondition(settings.batchMax > 0 && settings.queueMax > 0, "batch_max and queue_max must be positive")
        self.settings = settings
        self.metrics = LedgerMetrics(registry: registry)
        self.logger = logger
        self.wallClock = wallClock
        self.tuning = tuning
        let handover = StoreHandover(store)
        let thread = Thread { [self] in
            run(handover.take())
        }
        thread.name = "tollgate-ledger"
        thread.start()
    }

    /// Queues `record` for the next batch. O(1): one append under a lock no one holds for longer;
    /// never waits for the database. Dropped (counted in `tollgate_ledger_dropped_total`) when
    /// `queueMax` records already wait, or after `shutdown`.
    public func record(_ record: UsageRecord) {
        let condition = mailbox.condition
        condition.lock()
        if mailbox.stopping {
            mailbox.droppedAfterShutdown += 1
            let first = mailbox.droppedAfterShutdown == 1
            condition.unlock()
            metrics.droppedShutDown.increment()
            if first {
                logger.error("ledger: a usage record arrived after shutdown and was dropped")
            }
            return
        }
        if mailbox.queue.count + mailbox.held >= settings.queueMax {
            mailbox.droppedSinceLog += 1
            condition.unlock()
            metrics.droppedQueueFull.increment()
            return
        }
        mailbox.queue.append(record)
        // Counted before the writer can take it, so the gauge never dips below zero.
        metrics.queueDepth.increment()
        if mailbox.queue.count == settings.batchMax {
            condition.signal()
        }
        condition.unlock()
    }

    /// Records recorded and not yet committed.
    public var waiting: Int {
        mailbox.condition.lock()
        defer { mailbox.condition.unlock() }
        return mailbox.queue.count + mailbox.held
    }

    /// Asks the writer to commit everything recorded so far now, and waits until it has, at most
    /// `timeout`; false when it has not (the database refuses writes). Blocks the caller: for tests
    /// and tools, never the request path.
    @discardableResult
    public func flush(timeout: Duration = .seconds(30)) -> Bool {
        let condition = mailbox.condition
        condition.lock()
        defer { condition.unlock() }
        mailbox.flushRequested += 1
        let target = mailbox.flushRequested
        condition.signal()
        let deadline = Date(timeIntervalSinceNow: timeout.seconds)
        while mailbox.flushed < target && !mailbox.finished {
            if !condition.wait(until: deadline) {
                break
            }
        }
        return mailbox.flushed >= target
    }

    /// Stops taking records, commits every record already recorded, and stops the writer thread;
    /// returns how many records could not be written (0 unless the database refused writes until
    /// `timeout`, each counted in `tollgate_ledger_dropped_total{reason="shutdown_timeout"}` and
    /// logged). Call it once the request path has stopped recording (after the server's drain): a
    /// record arriving later is dropped. Blocks until the writer is done: at most `timeout` plus one
    /// busy timeout (an attempt in progress at the deadline finishes); calling it again returns the
    /// same count.
    @discardableResult
    public func shutdown(timeout: Duration = .seconds(10)) -> Int {
        let condition = mailbox.condition
        condition.lock()
        defer { condition.unlock() }
        if !mailbox.stopping {
            mailbox.stopping = true
            mailbox.deadline = ContinuousClock.now.advanced(by: timeout)
            condition.broadcast()
        }
        while !mailbox.finished {
            condition.wait()
        }
        return mailbox.lost
    }

    // MARK: - The writer thread

    private func run(_ store: LedgerStore) {
        let clock = ContinuousClock()
        var pending: [UsageRecord] = []
        pending.reserveCapacity(settings.batchMax)
        var nextFlush = clock.now.advanced(by: settings.batchWindow)
        var nextRetention = clock.now
        var backoff = tuning.initialBackoff
        var retryAt: ContinuousClock.Instant?
        var failure = FailureStreak()
        var lastDropLog: ContinuousClock.Instant?

        while true {
            let condition = mailbox.condition
            condition.lock()
            waitForWork(clock: clock, nextFlush: nextFlush, retryAt: retryAt)
            if !mailbox.queue.isEmpty {
                if pending.isEmpty {
                    swap(&pending, &mailbox.queue)
                } else {
                    pending.append(contentsOf: mailbox.queue)
                    mailbox.queue.removeAll(keepingCapacity: true)
                }
                mailbox.held = pending.count
            }
            let stopping = mailbox.stopping
            let deadline = mailbox.deadline
            let flushTarget = mailbox.flushRequested
            condition.unlock()

            nextFlush = clock.now.advanced(by: settings.batchWindow)
            if !pending.isEmpty {
                do {
                    try write(&pending, to: store, clock: clock)
                    if failure.attempts > 0 {
                        logger.notice(
                            "ledger writes recovered",
                            metadata: ["failed_attempts": "\(failure.attempts)"]
                        )
                    }
                    failure = FailureStreak()
                    retryAt = nil
                    backoff = tuning.initialBackoff
                } catch {
                    metrics.error(error)
                    failure.attempts += 1
                    let now = clock.now
                    if failure.attempts == 1 || failure.lastLog.map({ now - $0 >= tuning.logInterval }) ?? true {
                        failure.lastLog = now
                        logger.error(
                            "ledger write failed; keeping the records and retrying",
                            metadata: [
                                "error": "\(error)",
                                "kind": "\(error.kind)",
                                "failed_attempts": "\(failure.attempts)",
                                "waiting": "\(pending.count)",
                                "retry_in_ms": "\(backoff.wholeMilliseconds)",
                            ]
                        )
                    }
                    retryAt = now.advanced(by: backoff)
                    backoff = min(backoff * 2, tuning.maximumBackoff)
                }
            }

            condition.lock()
            mailbox.held = pending.count
            if pending.isEmpty && mailbox.flushed < flushTarget {
                mailbox.flushed = flushTarget
                condition.broadcast()
            }
            var dropped = 0
            if mailbox.droppedSinceLog > 0, lastDropLog.map({ clock.now - $0 >= tuning.logInterval }) ?? true {
                dropped = mailbox.droppedSinceLog
                mailbox.droppedSinceLog = 0
            }
            condition.unlock()
            if dropped > 0 {
                lastDropLog = clock.now
                logger.error(
                    "ledger queue full: usage records dropped",
                    metadata: ["dropped": "\(dropped)", "queue_max": "\(settings.queueMax)"]
                )
            }

            if settings.retentionDays > 0, retryAt == nil, !stopping, clock.now >= nextRetention {
                let more = applyRetention(store)
                nextRetention = more ? clock.now : clock.now.advanced(by: tuning.retentionInterval)
            }

            if stopping {
                if pending.isEmpty {
                    finish(lost: 0)
                    return
                }
                if let deadline, clock.now >= deadline, retryAt != nil {
                    let lost = pending.count
                    metrics.droppedShutdownTimeout.increment(by: lost)
                    metrics.queueDepth.decrement(by: lost)
                    logger.critical(
                        "ledger shutdown: usage records could not be written before the timeout",
                        metadata: ["lost": "\(lost)", "failed_attempts": "\(failure.attempts)"]
                    )
                    finish(lost: lost)
                    return
                }
            }
        }
    }

    /// Waits, with the mailbox locked, until there is something to do: a full batch, the end of the
    /// window, a flush request, shutdown, or, while writes fail, the next retry.
    private func waitForWork(
        clock: ContinuousClock,
        nextFlush: ContinuousClock.Instant,
        retryAt: ContinuousClock.Instant?
    ) {
        while true {
            let now = clock.now
            let wakeAt: ContinuousClock.Instant
            if let retryAt {
                if now >= retryAt {
                    return
                }
                // While writes fail, only the backoff (or the shutdown deadline) wakes the writer.
                if mailbox.stopping, let deadline = mailbox.deadline, now >= deadline {
                    return
                }
                wakeAt = min(retryAt, mailbox.stopping ? (mailbox.deadline ?? retryAt) : retryAt)
            } else {
                if mailbox.stopping || mailbox.flushRequested > mailbox.flushed
                    || mailbox.queue.count >= settings.batchMax || now >= nextFlush
                {
                    return
                }
                wakeAt = nextFlush
            }
            _ = mailbox.condition.wait(until: Date(timeIntervalSinceNow: (wakeAt - now).seconds))
        }
    }

    /// Commits `pending` in transactions of `batchMax` rows, removing what was committed; on an
    /// error the rest stays in `pending`.
    private func write(
        _ pending: inout [UsageRecord],
        to store: LedgerStore,
        clock: ContinuousClock
    ) throws(SQLiteError) {
        var committed = 0
        defer { pending.removeFirst(committed) }
        while committed < pending.count {
            let end = min(pending.count, committed + settings.batchMax)
            let start = clock.now
            try store.insert(pending[committed..<end])
            metrics.flushSeconds.observe((clock.now - start).seconds)
            metrics.committed.increment(by: end - committed)
            metrics.queueDepth.decrement(by: end - committed)
            committed = end
        }
    }

    /// Deletes one chunk of rows past retention; true when there may be more.
    private func applyRetention(_ store: LedgerStore) -> Bool {
        let cutoff = wallClock() - .seconds(Int64(settings.retentionDays) * 86_400)
        do {
            let deleted = try store.deleteRecords(before: cutoff, limit: tuning.retentionChunk)
            metrics.retentionDeleted.increment(by: deleted)
            if deleted > 0 {
                logger.info(
                    "ledger retention: deleted rows",
                    metadata: ["deleted": "\(deleted)", "older_than": "\(cutoff)"]
                )
            }
            return deleted == tuning.retentionChunk
        } catch {
            metrics.error(error)
            logger.warning(
                "ledger retention failed; trying again later",
                metadata: ["error": "\(error)", "kind": "\(error.kind)"]
            )
            return false
        }
    }

    private func finish(lost: Int) {
        mailbox.condition.lock()
        mailbox.finished = true
        mailbox.lost = lost
        mailbox.held = 0
        if lost == 0 {
            mailbox.flushed = mailbox.flushRequested
        }
        mailbox.condition.broadcast()
        mailbox.condition.unlock()
    }
}

extension LedgerWriter {
    /// What request threads, `flush`, `shutdown` and the writer share.
    private final class Mailbox: @unchecked Sendable {
        // @unchecked: every property but `condition` is read and written only while `condition` is
        // locked.
        let condition = NSCondition()
        /// Recorded, not yet taken by the writer.
        var queue: [UsageRecord] = []
        /// Taken by the writer and not yet committed (being written, or kept for a retry).
        var held = 0
        var stopping = false
        var deadline: ContinuousClock.Instant?
        var finished = false
        var lost = 0
        var flushRequested = 0
        var flushed = 0
        var droppedSinceLog = 0
        var droppedAfterShutdown = 0
    }

    /// The store, handed from `init` to the writer thread, which alone uses it from then on.
    private final class StoreHandover: @unchecked Sendable {
        // @unchecked: `init` stores the value before the thread starts, and only the thread reads
        // it, once; SQLite connections are not shared between threads.
        private var store: LedgerStore?

        init(_ store: LedgerStore) {
            self.store = store
        }

        func take() -> LedgerStore {
            defer { store = nil }
            return store!
        }
    }

    /// Consecutive failed writes, for logging a failure once and then at most every `logInterval`.
    private struct FailureStreak {
        var attempts = 0
        var lastLog: ContinuousClock.Instant?
    }
}

extension Duration {
    /// In seconds, as a `Double`, for timeouts and histograms.
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    fileprivate var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
