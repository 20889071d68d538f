import Telemetry

/// The Redis store's series, registered once: round trips of each script and the calls that failed.
/// `tollgate_ratelimit_redis_up` belongs to the pool, which knows when Redis comes and goes.
struct RedisStoreMetrics: Sendable {
    let reserveSeconds: Histogram
    let settleSeconds: Histogram
    let reserveErrors: Telemetry.Counter
    let settleErrors: Telemetry.Counter

    /// From a loopback round trip (~50 µs) to the default 50 ms timeout.
    static let buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1]

    init(registry: MetricsRegistry) {
        func seconds(_ op: String) -> Histogram {
            registry.histogram(
                "tollgate_ratelimit_redis_seconds",
                help: "Round trips of the rate-limit Redis scripts, by operation.",
                labels: [("op", op)],
                buckets: Self.buckets
            )
        }
        func errors(_ op: String) -> Telemetry.Counter {
            registry.counter(
                "tollgate_ratelimit_redis_errors_total",
                help: "Failed calls to the rate-limit Redis, by operation.",
                labels: [("op", op)]
            )
        }
        reserveSeconds = seconds("reserve")
        settleSeconds = seconds("settle")
        reserveErrors = errors("reserve")
        settleErrors = errors("settle")
    }
}
