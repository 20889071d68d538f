import Gateway

/// The live buckets of one windowed counter as a script returned them, and the waits they imply:
/// `RateLimitBuckets.delay(untilFreed:at:)` and `delayUntilEmpty(at:)` over a list instead of a
/// ring, so a refusal's `Retry-After` and `x-ratelimit-reset-*` are the local store's to the millisecond.
struct RedisCounterBuckets: Sendable {
    let window: RateLimitWindow
    /// Oldest first.
    let buckets: [RateLimitBucket]

    init(window: RateLimitWindow, buckets: [RateLimitBucket]) {
        self.window = window
        self.buckets = buckets.sorted { $0.period < $1.period }
    }

    /// How long from `instant` until at least `needed` has left the window, oldest buckets first;
    /// nil when even an empty window would not free that much.
    func delay(untilFreed needed: Int, at instant: UnixTime) -> Int64? {
        guard needed > 0 else { return 0 }
        var freed = 0
        for bucket in buckets {
            freed += bucket.amount
            if freed >= needed {
                return max(1, window.expiry(of: bucket.period).milliseconds - instant.milliseconds)
            }
        }
        return nil
    }

    /// How long from `instant` until the window is empty; 0 when it is.
    func delayUntilEmpty(at instant: UnixTime) -> Int64 {
        guard let newest = buckets.last(where: { $0.amount != 0 }) else { return 0 }
        return max(0, window.expiry(of: newest.period).milliseconds - instant.milliseconds)
    }
}
