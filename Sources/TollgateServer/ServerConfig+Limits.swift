import Foundation
import Gateway
import LedgerSQLite
import LimiterRedis
import Logging
import Telemetry

extension ServerConfig {
    /// The limiter `serve` enforces `limits:` with, its counters restored from the `storage.path`
    /// database and saved there on a timer (`RateLimitRuntime`); in memory only without
    /// `storage.path`. The rules themselves come from each config snapshot, so they reload; the
    /// counters live here for the life of the process.
    ///
    /// With `storage.redis` the counters live in Redis instead, shared by the fleet
    /// (`makeRedisRateLimits`), settled off the response path, and nothing is saved to the database.
    ///
    /// Throws when the database cannot be opened, migrated or read, so `serve` fails at startup
    /// rather than forgetting a day's usage.
    public func makeRateLimits(
        registry: MetricsRegistry,
        logger: Logger,
        wallClock: @escaping @Sendable () -> UnixTime = { UnixTime.now() }
    ) throws -> RateLimitRuntime {
        if let redis = storage.redis {
            return try makeRedisRateLimits(redis, registry: registry, logger: logger)
        }
        let counters = LocalRateLimitStore()
        guard let path = storage.path else {
            return RateLimitRuntime(limiter: RateLimiter(store: counters), snapshotWriter: nil)
        }
        let snapshots = try LimiterSnapshotStore(path: path, busyTimeout: storage.busyTimeout)
        let restored = try counters.restore(from: snapshots, now: wallClock())
        if restored > 0 {
            logger.info("rate limits: \(restored) counter buckets restored from \(path)")
        }
        let writer = LimiterSnapshotWriter(
            counters: counters,
            store: snapshots,
            registry: registry,
            logger: logger,
            wallClock: wallClock
        )
        return RateLimitRuntime(limiter: RateLimiter(store: counters), snapshotWriter: writer)
    }

    /// The Redis store, behind a local fallback with `on_unavailable: local`. Redis being down at
    /// startup is logged, not fatal: requests then get the configured behaviour until it answers.
    /// The fallback's counters are not saved: they stand in for Redis while it is away, and a
    /// restarted replica counts from Redis again.
    private func makeRedisRateLimits(
        _ config: RedisStorageConfig,
        registry: MetricsRegistry,
        logger: Logger
    ) throws -> RateLimitRuntime {
        var password: String?
        if let file = config.passwordFile {
            do {
                password = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines
                )
            } catch {
                throw ConfigError(file: nil, line: nil, message: "storage.redis.password_file: cannot read \(file)")
            }
        }
        let endpoint = RedisEndpoint(
            host: config.host,
            port: config.port,
            password: password,
            database: config.database,
            keyPrefix: config.keyPrefix,
            timeout: config.timeout
        )
        let redis = RedisRateLimitStore(endpoint: endpoint, registry: registry, logger: logger)
        if redis.connect() {
            logger.info("rate limits: counters in \(endpoint) under '\(config.keyPrefix)'")
        } else {
            logger.warning(
                "rate limits: \(endpoint) does not answer yet; until it does, requests under a limit are \(config.onUnavailable == .local ? "limited locally" : "refused with 503")"
            )
        }
        let store: any RateLimitCounterStore
        switch config.onUnavailable {
        case .failClosed: store = redis
        case .local: store = RedisFallbackRateLimitStore(redis: redis, registry: registry)
        }
        let settlement = BackgroundSettlementStore(store: store, registry: registry)
        return RateLimitRuntime(limiter: RateLimiter(store: settlement), settlement: settlement)
    }
}
