import Logging
import Synchronization
import Telemetry

/// Connections to one Redis server, shared by every thread that reserves or settles, and whether
/// that server is reachable.
///
/// A caller borrows an idle connection (or opens one: the handler threads are few, so the pool
/// grows to about one per event loop plus one per concurrent settler) and gives it back; a
/// connection whose socket failed or timed out is dropped. Such a failure also marks Redis down
/// and drops the idle connections, which failed with it: for the next `backoff`, calls fail at once
/// (`RedisError.backingOff`) instead of each waiting for its timeout; then one caller probes with a
/// new connection while the others keep failing fast, and each failed probe doubles the wait, up
/// to `maximumBackoff`. A successful probe marks Redis up again. `tollgate_ratelimit_redis_up` is 1
/// while Redis is up.
final class RedisConnectionPool: Sendable {
    static let initialBackoff: Duration = .milliseconds(100)
    static let maximumBackoff: Duration = .seconds(5)
    /// Idle connections kept beyond this are closed when given back.
    static let maximumIdle = 32

    private enum Health {
        case up
        /// Unreachable since a failure; the next probe is due at `retryAt`.
        case down(retryAt: ContinuousClock.Instant, backoff: Duration, probing: Bool)
    }

    private struct State {
        var idle: [RedisConnection] = []
        var health: Health = .up
    }

    let endpoint: RedisEndpoint
    /// Run on every new connection after AUTH and SELECT (the store loads its scripts).
    private let prepare: @Sendable (RedisConnection) throws(RedisError) -> Void
    private let state = Mutex(State())
    private let upGauge: Gauge
    private let connectErrors: Telemetry.Counter
    private let logger: Logger

    init(
        endpoint: RedisEndpoint,
        registry: MetricsRegistry,
        logger: Logger,
        prepare: @escaping @Sendable (RedisConnection) throws(RedisError) -> Void
    ) {
        self.endpoint = endpoint
        self.prepare = prepare
        self.logger = logger
        upGauge = registry.gauge(
            "tollgate_ratelimit_redis_up",
            help: "1 while the rate-limit Redis answers, 0 while it is unreachable."
        )
        connectErrors = registry.counter(
            "tollgate_ratelimit_redis_errors_total",
            help: "Failed calls to the rate-limit Redis, by operation.",
            labels: [("op", "connect")]
        )
        upGauge.set(1)
    }

    /// Runs `body` with a connection of its own. A connection-level failure in `body` marks Redis down.
    func withConnection<Result>(
        _ body: (RedisConnection) throws(RedisError) -> Result
    ) throws(RedisError) -> Result {
        let (borrowed, probing) = try borrow()
        let connection: RedisConnection
        if let borrowed {
            connection = borrowed
        } else {
            do {
                connection = try open()
            } catch {
                connectErrors.increment()
                markDown(error, probing: probing)
                throw error
            }
        }
        let result: Result
        do {
            result = try body(connection)
        } catch {
            if error.breaksConnection {
                markDown(error, probing: probing)
            } else {
                giveBack(connection, probing: probing)
            }
            throw error
        }
        giveBack(connection, probing: probing)
        return result
    }

    /// An idle connection, or nil when the caller must open one; whether the caller is the probe.
    private func borrow() throws(RedisError) -> (RedisConnection?, probing: Bool) {
        let now = ContinuousClock.now
        let outcome: Result<(RedisConnection?, Bool), RedisError> = state.withLock { state in
            switch state.health {
            case .up:
                return .success((state.idle.popLast(), false))
            case .down(let retryAt, let backoff, let probing):
                if probing || now < retryAt {
                    return .failure(.backingOff("redis \(endpoint) unreachable; retrying"))
                }
                state.health = .down(retryAt: retryAt, backoff: backoff, probing: true)
                return .success((nil, true))
            }
        }
        return try outcome.get()
    }

    private func open() throws(RedisError) -> RedisConnection {
        let connection = try RedisConnection(host: endpoint.host, port: endpoint.port, timeout: endpoint.timeout)
        if let password = endpoint.password {
            try expectOK(connection.command(["AUTH", password]), doing: "AUTH")
        }
        if endpoint.database != 0 {
            try expectOK(connection.command(["SELECT", String(endpoint.database)]), doing: "SELECT")
        }
        try prepare(connection)
        return connection
    }

    /// A refused AUTH or SELECT is a connection failure: no command can succeed on that connection.
    private func expectOK(_ reply: RedisReply, doing what: String) throws(RedisError) {
        if case .error(let message) = reply {
            throw .connection("\(what): \(message)")
        }
    }

    private func giveBack(_ connection: RedisConnection, probing: Bool) {
        let recovered = state.withLock { state -> Bool in
            let wasDown: Bool
            switch state.health {
            case .up: wasDown = false
            case .down: wasDown = probing
            }
            if wasDown { state.health = .up }
            if case .up = state.health, state.idle.count < Self.maximumIdle {
                state.idle.append(connection)
            }
            return wasDown
        }
        if recovered {
            upGauge.set(1)
            logger.info("rate limits: redis \(endpoint) reachable again")
        }
    }

    /// `probing`: the failure is the probe's, which doubles the wait; another call's failure while
    /// Redis is already down (it was under way when Redis went) leaves the schedule as it is.
    private func markDown(_ error: RedisError, probing: Bool) {
        let now = ContinuousClock.now
        // The idle connections are returned, so that they are closed (their sockets too) outside the lock.
        let (wentDown, _) = state.withLock { state -> (Bool, [RedisConnection]) in
            let dropped = state.idle
            state.idle = []
            switch state.health {
            case .up:
                state.health = .down(retryAt: now + Self.initialBackoff, backoff: Self.initialBackoff, probing: false)
                return (true, dropped)
            case .down(_, let backoff, _) where probing:
                let next = min(backoff * 2, Self.maximumBackoff)
                state.health = .down(retryAt: now + next, backoff: next, probing: false)
                return (false, dropped)
            case .down:
                return (false, dropped)
            }
        }
        if wentDown {
            upGauge.set(0)
            logger.error("rate limits: redis \(endpoint) unreachable (\(error)); retrying with backoff")
        }
    }
}
