import Gateway
import Telemetry

/// `storage.redis.on_unavailable: local`: the Redis store while it answers, this process's own
/// counters while it does not.
///
/// A reservation Redis cannot take is made in a `LocalRateLimitStore` instead and counted in
/// `tollgate_ratelimit_store_fallbacks_total`; a ticket is settled by the store that issued it
/// (Redis's carry `RedisRateLimitStore.issuedFlag`). While Redis is down each replica limits on
/// its own, starting from what it counted locally (not what Redis held), so a fleet of N replicas
/// may admit up to N times a limit until Redis is back; the local counts are not merged into Redis.
public final class RedisFallbackRateLimitStore: RateLimitCounterStore, UnsettledRetrying {
    public let redis: RedisRateLimitStore
    public let local: LocalRateLimitStore
    private let fallbacks: Telemetry.Counter

    public init(
        redis: RedisRateLimitStore,
        local: LocalRateLimitStore = LocalRateLimitStore(),
        registry: MetricsRegistry
    ) {
        self.redis = redis
        self.local = local
        fallbacks = registry.counter(
            "tollgate_ratelimit_store_fallbacks_total",
            help: "Reservations made in this process's own counters because Redis was unreachable."
        )
    }

    public func reserve(_ charges: [RateLimitCharge], now: UnixTime) -> RateLimitStoreOutcome {
        let outcome = redis.reserve(charges, now: now)
        guard case .unavailable = outcome else { return outcome }
        fallbacks.increment()
        return local.reserve(charges, now: now)
    }

    public func settle(_ ticket: RateLimitTicket, finalAmounts: [Int], now: UnixTime) {
        if redis.issued(ticket) {
            redis.settle(ticket, finalAmounts: finalAmounts, now: now)
        } else {
            local.settle(ticket, finalAmounts: finalAmounts, now: now)
        }
    }

    public func retryUnsettled() {
        redis.retryUnsettled()
    }
}
