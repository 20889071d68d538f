import Foundation
import Gateway
import Logging
import Telemetry

/// Saves the limiter's counters on a timer and once more at shutdown, on its own thread, so the
/// request path never waits for the database: `LocalRateLimitStore.save(to:now:)` copies the changed
/// counters under the store's lock and writes them outside it.
///
/// A failed save (a locked or full database) keeps the counters marked as changed, so the next one
/// writes them; it is logged (once, then at most every minute, and on recovery) and counted in
/// `tollgate_ratelimit_snapshot_errors_total`. `tollgate_ratelimit_snapshot_counters_total` counts
/// counters written. A SIGKILL loses what changed since the last save: at most `interval` of usage.
public final class LimiterSnapshotWriter: Sendable {
    public static let defaultInterval: Duration = .seconds(1)

    private let counters: LocalRateLimitStore
    private let store: any RateLimitSnapshotStore
    private let interval: Duration
    private let wallClock: @Sendable () -> UnixTime
    private let logger: Logger
    private let written: Telemetry.Counter
    private let errors: Telemetry.Counter
    /// `NSCondition` is thread-safe; `State` is only read or written while it is locked.
    private let condition: SendableCondition

    private final class SendableCondition: @unchecked Sendable {
        // Safe: every access to `state` happens between `lock()` and `unlock()` of `condition`.
        let condition = NSCondition()
        var state = State()
    }

    private struct State {
        var stopping = false
        var finished = false
        var lastError: Date?
        var failing = false
        var finalSaveSucceeded = true
    }

    /// Starts the thread. `wallClock` stamps saves (which buckets are live).
    public init(
        counters: LocalRateLimitStore,
        store: any RateLimitSnapshotStore,
        interval: Duration = LimiterSnapshotWriter.defaultInterval,
        registry: MetricsRegistry,
        logger: Logger,
        wallClock: @escaping @Sendable () -> UnixTime = { UnixTime.now() }
    ) {
        self.counters = counters
        self.store = store
        self.interval = interval
        self.wallClock = wallClock
        self.logger = logger
        written = registry.counter(
            "tollgate_ratelimit_snapshot_counters_total",
            help: "Rate-limit counters written to the database."
        )
        errors = registry.counter(
            "tollgate_ratelimit_snapshot_errors_total",
            help: "Failed saves of rate-limit counters (retried at the next save)."
        )
        condition = SendableCondition()
        let thread = Thread { [self] in
            run()
        }
        thread.name = "tollgate-ratelimit-snapshot"
        thread.start()
    }

    /// Writes the counters changed since the last save now; true when it succeeded.
    @discardableResult
    public func saveNow() -> Bool {
        do {
            let count = try counters.save(to: store, now: wallClock())
            written.increment(by: count)
            noteSuccess()
            return true
        } catch {
            errors.increment()
            noteFailure(error)
            return false
        }
    }

    /// Stops the timer and saves once more; true when that last save succeeded. Call it after the
    /// server's drain, so that the last settlements are in it. Later calls return the same result.
    @discardableResult
    public func shutdown() -> Bool {
        let box = condition
        box.condition.lock()
        if !box.state.stopping {
            box.state.stopping = true
            box.condition.broadcast()
        }
        while !box.state.finished {
            box.condition.wait()
        }
        let result = box.state.finalSaveSucceeded
        box.condition.unlock()
        return result
    }

    private func run() {
        let box = condition
        while true {
            box.condition.lock()
            let deadline = Date(
                timeIntervalSinceNow: Double(interval.components.seconds)
                    + Double(interval.components.attoseconds) / 1e18
            )
            while !box.state.stopping {
                if !box.condition.wait(until: deadline) { break }
            }
            let stopping = box.state.stopping
            box.condition.unlock()
            let saved = saveNow()
            if stopping {
                box.condition.lock()
                box.state.finalSaveSucceeded = saved
                box.state.finished = true
                box.condition.broadcast()
                box.condition.unlock()
                return
            }
        }
    }

    private func noteFailure(_ error: RateLimitStoreError) {
        let box = condition
        box.condition.lock()
        let now = Date()
        let log = box.state.lastError.map { now.timeIntervalSince($0) >= 60 } ?? true
        if log { box.state.lastError = now }
        box.state.failing = true
        box.condition.unlock()
        if log {
            logger.error("rate limits: cannot save counters (retrying at the next save): \(error)")
        }
    }

    private func noteSuccess() {
        let box = condition
        box.condition.lock()
        let recovered = box.state.failing
        box.state.failing = false
        box.state.lastError = nil
        box.condition.unlock()
        if recovered {
            logger.info("rate limits: counters saved again")
        }
    }
}
