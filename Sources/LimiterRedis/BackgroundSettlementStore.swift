import Foundation
import Gateway
import Telemetry

/// Settles reservations on a thread of its own, so a response does not wait for Redis: with the
/// Redis store every request made two round trips on its event-loop thread (reserve, settle), and
/// only the reservation has to be answered before the request goes on.
///
/// Reservations pass straight through. A settlement is queued and applied in order by one thread;
/// until it is, the counters still hold the reservation, which can only refuse more than the exact
/// usage would, never admit more. When the queue holds `maximumQueued` settlements (Redis slower
/// than the traffic), `settle` applies its own at once on the caller's thread, so the queue is
/// bounded and nothing is dropped. `shutdown()` applies what is queued, for the drain.
/// `tollgate_ratelimit_settlements_queued` is the queue's length. A store that keeps the
/// settlements it could not apply (`UnsettledRetrying`: Redis unreachable) is asked to apply them
/// after every batch and every `retryInterval` while idle.
public final class BackgroundSettlementStore: RateLimitCounterStore {
    public static let maximumQueued = 10_000
    public static let retryInterval: Duration = .seconds(1)

    private struct Settlement {
        var ticket: RateLimitTicket
        var finalAmounts: [Int]
        var now: UnixTime
    }

    /// The queue and the thread's state, only touched with `condition` locked.
    private final class Queue: @unchecked Sendable {
        // Safe: every access to the vars happens between `lock()` and `unlock()` of `condition`.
        let condition = NSCondition()
        var pending: [Settlement] = []
        var stopping = false
        var finished = false
    }

    private let store: any RateLimitCounterStore
    /// `store`, when it keeps settlements for later.
    private let retrying: (any UnsettledRetrying)?
    private let queue = Queue()
    private let queued: Gauge

    /// Starts the settling thread.
    public init(store: any RateLimitCounterStore, registry: MetricsRegistry) {
        self.store = store
        retrying = store as? any UnsettledRetrying
        queued = registry.gauge(
            "tollgate_ratelimit_settlements_queued",
            help: "Rate-limit settlements waiting for the shared counter store."
        )
        let thread = Thread { [self] in run() }
        thread.name = "tollgate-ratelimit-settle"
        thread.start()
    }

    public func reserve(_ charges: [RateLimitCharge], now: UnixTime) -> RateLimitStoreOutcome {
        store.reserve(charges, now: now)
    }

    public func settle(_ ticket: RateLimitTicket, finalAmounts: [Int], now: UnixTime) {
        queue.condition.lock()
        guard !queue.stopping, queue.pending.count < Self.maximumQueued else {
            queue.condition.unlock()
            store.settle(ticket, finalAmounts: finalAmounts, now: now)
            return
        }
        queue.pending.append(Settlement(ticket: ticket, finalAmounts: finalAmounts, now: now))
        queued.set(queue.pending.count)
        queue.condition.signal()
        queue.condition.unlock()
    }

    /// Applies every queued settlement and stops the thread; later settlements are applied at once.
    public func shutdown() {
        queue.condition.lock()
        queue.stopping = true
        queue.condition.broadcast()
        while !queue.finished {
            queue.condition.wait()
        }
        queue.condition.unlock()
    }

    private func run() {
        while true {
            queue.condition.lock()
            while queue.pending.isEmpty && !queue.stopping {
                guard let retrying else {
                    queue.condition.wait()
                    continue
                }
                let seconds = Double(Self.retryInterval.components.seconds)
                if !queue.condition.wait(until: Date(timeIntervalSinceNow: seconds)) {
                    queue.condition.unlock()
                    retrying.retryUnsettled()
                    queue.condition.lock()
                }
            }
            let batch = queue.pending
            queue.pending.removeAll(keepingCapacity: true)
            let stopping = queue.stopping
            queue.condition.unlock()

            for settlement in batch {
                store.settle(settlement.ticket, finalAmounts: settlement.finalAmounts, now: settlement.now)
            }
            retrying?.retryUnsettled()
            queue.condition.lock()
            queued.set(queue.pending.count)
            if stopping && queue.pending.isEmpty {
                queue.finished = true
                queue.condition.broadcast()
                queue.condition.unlock()
                return
            }
            queue.condition.unlock()
        }
    }
}
