import Synchronization

/// Per-request state handed from the router phase to the upstream phase, which run on different
/// ext_proc streams (and possibly different event loops).
///
/// Sharded by id, each shard a dictionary behind its own `Mutex`, held only for one dictionary
/// operation, so event loops rarely meet on a lock. An entry is put by the router phase, read (not
/// removed) by every upstream attempt, since Envoy retries run the upstream filter again, and
/// removed when the router phase's stream ends. Each attempt also records itself
/// (`recordAttempt`), and the router phase reads that back when the response arrives: the lock
/// orders the upstream stream's write before the router stream's read, whichever loops they run on.
/// Entries whose stream end never came (a lost reset)
/// expire after `lifetime`: `take` ignores them and inserts sweep a shard every `lifetime / 10`.
///
/// Time is passed in, so tests move it by hand.
public final class RequestStore: Sendable {
    public static let defaultLifetime: Duration = .seconds(300)

    private struct Entry {
        var state: RequestState
        var expires: ContinuousClock.Instant
    }

    private struct Shard {
        var entries: [UInt64: Entry] = [:]
        var nextSweep: ContinuousClock.Instant?
    }

    /// A `Mutex` cannot live in an array; a class per shard can.
    private final class ShardBox: Sendable {
        let shard = Mutex(Shard())
    }

    public let lifetime: Duration
    private let shards: [ShardBox]
    private let shardMask: UInt64
    private let nextID: Atomic<UInt64>

    /// `shardCount` is rounded up to a power of two.
    public init(shardCount: Int = 16, lifetime: Duration = RequestStore.defaultLifetime) {
        var count = 1
        while count < max(1, shardCount) { count <<= 1 }
        shards = (0..<count).map { _ in ShardBox() }
        shardMask = UInt64(count - 1)
        self.lifetime = lifetime
        nextID = Atomic(UInt64.random(in: .min ... .max))
    }

    /// A fresh id, unique in this process for 2^64 requests.
    public func makeID() -> RequestID {
        RequestID(nextID.wrappingAdd(1, ordering: .relaxed).oldValue)
    }

    public func insert(_ state: RequestState, id: RequestID, now: ContinuousClock.Instant) {
        let lifetime = lifetime
        shard(id).shard.withLock { shard in
            shard.entries[id.value] = Entry(state: state, expires: now + lifetime)
            guard let nextSweep = shard.nextSweep else {
                shard.nextSweep = now + lifetime / 10
                return
            }
            if now >= nextSweep {
                shard.entries = shard.entries.filter { $0.value.expires > now }
                shard.nextSweep = now + lifetime / 10
            }
        }
    }

    /// The state stored under `id`, left in place for later attempts; nil when absent or expired.
    public func take(_ id: RequestID, now: ContinuousClock.Instant) -> RequestState? {
        shard(id).shard.withLock { shard in
            guard let entry = shard.entries[id.value] else { return nil }
            guard entry.expires > now else {
                shard.entries[id.value] = nil
                return nil
            }
            return entry.state
        }
    }

    /// Counts one more attempt for the live state under `id` and makes `attempt` its last, under
    /// the shard's lock (the body is not copied); returns the attempt's number (1 for the first),
    /// or nil when no live state exists.
    @discardableResult
    public func recordAttempt(_ attempt: UpstreamAttempt, for id: RequestID, now: ContinuousClock.Instant) -> Int? {
        shard(id).shard.withLock { shard -> Int? in
            guard let entry = shard.entries[id.value], entry.expires > now else { return nil }
            shard.entries[id.value]!.state.attempts += 1
            shard.entries[id.value]!.state.lastAttempt = attempt
            return shard.entries[id.value]!.state.attempts
        }
    }

    /// Whether a live entry exists under `id`.
    public func contains(_ id: RequestID, now: ContinuousClock.Instant) -> Bool {
        shard(id).shard.withLock { shard in
            shard.entries[id.value].map { $0.expires > now } ?? false
        }
    }

    public func remove(_ id: RequestID) {
        _ = shard(id).shard.withLock { $0.entries.removeValue(forKey: id.value) }
    }

    /// Entries held, expired ones not yet swept included.
    public var count: Int {
        shards.reduce(0) { total, box in total + box.shard.withLock { $0.entries.count } }
    }

    private func shard(_ id: RequestID) -> ShardBox {
        shards[Int(id.value & shardMask)]
    }
}
