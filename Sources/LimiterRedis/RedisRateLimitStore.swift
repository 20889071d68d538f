import Gateway
import Logging
import Synchronization
import Telemetry

/// The limiter's counters in Redis, shared by every replica that points at the same server and key
/// prefix: `LocalRateLimitStore`'s semantics (windows, all-or-none admission, statuses, Retry-After,
/// reservation lifetime) with each reservation and each settlement one Lua script
/// (`RedisRateLimitScripts`), so no replica's call interleaves with another's.
///
/// **Time.** Every call carries the caller's `now` into the script, which works in the caller's
/// bucket indexes; Redis's own clock (TIME) is not used. Replicas' clocks (NTP, within
/// milliseconds of each other) therefore decide the buckets, exactly as in the local store, and
/// tests can move time by hand. A replica whose clock is δ behind the others counts in the latest
/// bucket any replica has written (a counter's head never moves back), so skew only makes an amount
/// count up to δ longer. Key TTLs run on Redis's clock and carry a minute's margin for that reason.
///
/// **Blocking.** `reserve` and `settle` are each one blocking round trip (EVALSHA) on the calling
/// thread, bounded by `RedisEndpoint.timeout`: the ext_proc handler answers synchronously, and a
/// synchronous settlement frees its counters for every replica before the response completes. When
/// Redis cannot be reached, `reserve` answers `.unavailable` (the limiter's 503, or
/// `RedisFallbackRateLimitStore`'s local limits) and `settle` keeps the settlement for
/// `retryUnsettled`, which `BackgroundSettlementStore` calls every second: once Redis answers again
/// the ticket is settled as it would have been, rather than holding its in-flight slot and its whole
/// reservation until it expires (the reservation lifetime, an hour by default). Settling is
/// idempotent (the script ignores a ticket it no longer holds), so a retry after a lost reply is
/// harmless. At most `maximumUnsettled` are kept; beyond that the oldest expire as before.
///
/// Tickets carry `issuedFlag` in their id, so a store that also issues local tickets can tell them apart.
public final class RedisRateLimitStore: RateLimitCounterStore, UnsettledRetrying {
    /// Set in the id of every ticket this store issues; Redis's sequence never reaches it.
    public static let issuedFlag: UInt64 = 1 << 63
    /// Added to every TTL, for replicas' clocks running ahead of Redis's.
    static let clockMarginMilliseconds: Int64 = 60_000
    /// Expired tickets freed by one `expireReservations` call at most.
    static let expireBatch = 10_000
    /// Settlements kept while Redis is unreachable, at most, by default.
    public static let defaultMaximumUnsettled = 10_000

    private struct Settlement {
        var ticket: RateLimitTicket
        var finalAmounts: [Int]
        var now: UnixTime
    }

    public let endpoint: RedisEndpoint
    private let pool: RedisConnectionPool
    private let keys: RedisRateLimitKeys
    private let lifetimeMilliseconds: Int64
    private let metrics: RedisStoreMetrics
    private let logger: Logger
    /// Settlements Redis could not take, oldest first.
    private let unsettled = Mutex<[Settlement]>([])
    private let maximumUnsettled: Int

    /// Connects lazily, at the first call (or `connect()`).
    public init(
        endpoint: RedisEndpoint,
        reservationLifetime: Duration = LocalRateLimitStore.defaultReservationLifetime,
        maximumUnsettled: Int = RedisRateLimitStore.defaultMaximumUnsettled,
        registry: MetricsRegistry,
        logger: Logger
    ) {
        self.endpoint = endpoint
        self.maximumUnsettled = max(1, maximumUnsettled)
        keys = RedisRateLimitKeys(prefix: endpoint.keyPrefix)
        lifetimeMilliseconds = max(
            1,
            reservationLifetime.components.seconds * 1000
                + reservationLifetime.components.attoseconds / 1_000_000_000_000_000
        )
        metrics = RedisStoreMetrics(registry: registry)
        self.logger = logger
        pool = RedisConnectionPool(endpoint: endpoint, registry: registry, logger: logger) {
            connection throws(RedisError) in
            for script in RedisRateLimitScripts.all {
                try script.load(on: connection)
            }
        }
    }

    /// Opens a connection now (and loads the scripts), so that startup logs and
    /// `tollgate_ratelimit_redis_up` say at once whether Redis answers. Returns whether it did.
    @discardableResult
    public func connect() -> Bool {
        do {
            let reply = try pool.withConnection { connection throws(RedisError) in try connection.command(["PING"]) }
            return reply.text == "PONG"
        } catch {
            return false
        }
    }

    /// Whether `ticket` came from this store (rather than a local fallback).
    public func issued(_ ticket: RateLimitTicket) -> Bool {
        ticket.id & Self.issuedFlag != 0
    }

    // MARK: - Reserve

    public func reserve(_ charges: [RateLimitCharge], now: UnixTime) -> RateLimitStoreOutcome {
        var scriptKeys = [keys.tickets, keys.inflight, keys.sequence]
        var arguments = [
            String(now.milliseconds), String(now.milliseconds + lifetimeMilliseconds), String(2 * lifetimeMilliseconds),
        ]
        scriptKeys.reserveCapacity(3 + charges.count)
        arguments.reserveCapacity(3 + 6 * charges.count)
        for charge in charges {
            scriptKeys.append(keys.counter(charge.counter))
            if let window = charge.counter.kind.window {
                let period = window.period(at: now)
                arguments += [
                    "w", String(charge.limit), String(charge.amount), String(period), String(window.bucketCount),
                    String(windowTTL(window, period: period, now: now)),
                ]
            } else {
                arguments += ["c", String(charge.limit), String(charge.amount), "0", "0", String(concurrencyTTL)]
            }
        }
        let reply: RedisReply
        do {
            reply = try run(RedisRateLimitScripts.reserve, keys: scriptKeys, arguments: arguments, timing: .reserve)
        } catch {
            metrics.reserveErrors.increment()
            return .unavailable("redis \(endpoint): \(error)")
        }
        do throws(RedisError) {
            return try outcome(of: reply, charges: charges, now: now)
        } catch {
            metrics.reserveErrors.increment()
            logger.error("rate limits: redis reservation failed: \(error)")
            return .unavailable("redis \(endpoint): \(error)")
        }
    }

    private func outcome(
        of reply: RedisReply,
        charges: [RateLimitCharge],
        now: UnixTime
    ) throws(RedisError)
        -> RateLimitStoreOutcome
    {
        guard case .array(let items) = reply, items.count >= 3, let tag = items[0].integer else {
            throw .reply("reserve script answered \(reply)")
        }
        if tag == 0 {
            guard let index = items[1].integer.map(Int.init), charges.indices.contains(index),
                let used = items[2].integer.map(Int.init)
            else {
                throw .reply("reserve script answered \(reply)")
            }
            let charge = charges[index]
            guard let window = charge.counter.kind.window else {
                let status = RateLimitCounterStatus(limit: charge.limit, used: used, resetMilliseconds: 0)
                return .refused(index: index, status: status, retryAfterMilliseconds: nil)
            }
            let live = try Self.buckets(items[3...])
            let buckets = RedisCounterBuckets(window: window, buckets: live)
            let status = RateLimitCounterStatus(
                limit: charge.limit,
                used: used,
                resetMilliseconds: buckets.delayUntilEmpty(at: now)
            )
            let retry =
                charge.amount > charge.limit
                ? nil : buckets.delay(untilFreed: used + charge.amount - charge.limit, at: now)
            return .refused(index: index, status: status, retryAfterMilliseconds: retry)
        }
        guard items.count == 2 + 3 * charges.count, let id = items[1].integer, id > 0 else {
            throw .reply("reserve script answered \(reply)")
        }
        var periods: [Int64] = []
        var statuses: [RateLimitCounterStatus] = []
        periods.reserveCapacity(charges.count)
        statuses.reserveCapacity(charges.count)
        for (index, charge) in charges.enumerated() {
            guard let used = items[2 + 3 * index].integer, let period = items[3 + 3 * index].integer else {
                throw .reply("reserve script answered \(reply)")
            }
            periods.append(period)
            var reset: Int64 = 0
            if let window = charge.counter.kind.window, let newest = items[4 + 3 * index].integer {
                reset = max(0, window.expiry(of: newest).milliseconds - now.milliseconds)
            }
            statuses.append(RateLimitCounterStatus(limit: charge.limit, used: Int(used), resetMilliseconds: reset))
        }
        let ticket = RateLimitTicket(id: UInt64(id) | Self.issuedFlag, charges: charges, periods: periods)
        return .reserved(ticket, statuses: statuses)
    }

    /// `{period, amount, ...}` as buckets.
    private static func buckets(_ flat: ArraySlice<RedisReply>) throws(RedisError) -> [RateLimitBucket] {
        guard flat.count % 2 == 0 else { throw .reply("odd bucket list") }
        var result: [RateLimitBucket] = []
        var index = flat.startIndex
        while index < flat.endIndex {
            guard let period = flat[index].integer, let amount = flat[index + 1].integer else {
                throw .reply("bucket list with \(flat[index]), \(flat[index + 1])")
            }
            result.append(RateLimitBucket(period: period, amount: Int(amount)))
            index += 2
        }
        return result
    }

    // MARK: - Settle

    public func settle(_ ticket: RateLimitTicket, finalAmounts: [Int], now: UnixTime) {
        guard issued(ticket), finalAmounts.count == ticket.charges.count,
            ticket.periods.count == ticket.charges.count
        else { return }
        let settlement = Settlement(ticket: ticket, finalAmounts: finalAmounts, now: now)
        if !apply(settlement) { keep(settlement) }
    }

    /// Tries the settlements Redis could not take, oldest first, until one fails again.
    public func retryUnsettled() {
        var pending = unsettled.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        guard !pending.isEmpty else { return }
        var settled = 0
        while settled < pending.count, apply(pending[settled]) {
            settled += 1
        }
        if settled > 0 { logger.notice("rate limits: \(settled) settlements delayed by a redis outage applied") }
        guard settled < pending.count else { return }
        // Ahead of any kept while this ran: older, so nearer their tickets' expiry.
        unsettled.withLock { current in
            current.insert(contentsOf: pending[settled...], at: 0)
            trimOldest(&current)
        }
    }

    /// Settlements waiting for Redis.
    public var unsettledCount: Int {
        unsettled.withLock { $0.count }
    }

    private func keep(_ settlement: Settlement) {
        unsettled.withLock { pending in
            pending.append(settlement)
            trimOldest(&pending)
        }
    }

    /// Past the maximum, drops the oldest and a tenth more, so that a long outage does not shift
    /// the whole array for every settlement kept.
    private func trimOldest(_ pending: inout [Settlement]) {
        guard pending.count > maximumUnsettled else { return }
        pending.removeFirst(min(pending.count, pending.count - maximumUnsettled + maximumUnsettled / 10))
    }

    /// Runs the settle script; false when Redis could not be reached (worth retrying).
    private func apply(_ settlement: Settlement) -> Bool {
        let (ticket, finalAmounts, now) = (settlement.ticket, settlement.finalAmounts, settlement.now)
        var scriptKeys = [keys.tickets, keys.inflight]
        var arguments = [String(ticket.id & ~Self.issuedFlag)]
        scriptKeys.reserveCapacity(2 + ticket.charges.count)
        arguments.reserveCapacity(1 + 6 * ticket.charges.count)
        for (index, charge) in ticket.charges.enumerated() {
            scriptKeys.append(keys.counter(charge.counter))
            let delta = max(0, finalAmounts[index]) - charge.amount
            if let window = charge.counter.kind.window {
                let period = window.period(at: now)
                arguments += [
                    "w", String(window.bucketCount), String(ticket.periods[index]), String(period), String(delta),
                    String(windowTTL(window, period: period, now: now)),
                ]
            } else {
                // The slot ends whatever the final amount: `concurrentRequests` settles at 0.
                arguments += ["c", "0", "0", "0", String(-charge.amount), String(concurrencyTTL)]
            }
        }
        do throws(RedisError) {
            let reply = try run(RedisRateLimitScripts.settle, keys: scriptKeys, arguments: arguments, timing: .settle)
            guard reply.integer != nil else {
                throw RedisError.reply("settle script answered \(reply)")
            }
            return true
        } catch {
            metrics.settleErrors.increment()
            if !error.breaksConnection {
                // Redis answered and refused: trying again would not help.
                logger.error("rate limits: redis settlement failed: \(error)")
                return true
            }
            return false
        }
    }

    // MARK: - Inspection

    /// What `counter` holds at `now`, reservations in flight included: for tests and tools.
    public func used(_ counter: RateLimitCounterID, now: UnixTime) throws(RateLimitStoreError) -> Int {
        let key = keys.counter(counter)
        guard let window = counter.kind.window else {
            return Int(try command(["GET", key]).integer ?? 0)
        }
        guard case .array(let fields) = try command(["HGETALL", key]) else {
            throw RateLimitStoreError("HGETALL \(key): not a list")
        }
        var head = window.period(at: now)
        var buckets: [(period: Int64, amount: Int64)] = []
        var index = 0
        while index + 1 < fields.count {
            if fields[index].text == "h", let latest = fields[index + 1].integer {
                head = max(head, latest)
            } else if let period = fields[index].text.flatMap({ Int64($0) }), let amount = fields[index + 1].integer {
                buckets.append((period, amount))
            }
            index += 2
        }
        return Int(buckets.filter { $0.period > head - Int64(window.bucketCount) }.reduce(0) { $0 + $1.amount })
    }

    /// Reservations held and not yet settled or expired, across every replica.
    public func pendingCount() throws(RateLimitStoreError) -> Int {
        Int(try command(["ZCARD", keys.tickets]).integer ?? 0)
    }

    /// Frees the in-flight slots of reservations expired by `now`, rather than at the next
    /// reservation. Returns how many expired.
    @discardableResult
    public func expireReservations(now: UnixTime) throws(RateLimitStoreError) -> Int {
        do {
            let reply = try pool.withConnection { connection throws(RedisError) in
                try RedisRateLimitScripts.expire.run(
                    keys: [keys.tickets, keys.inflight],
                    arguments: [String(now.milliseconds), String(Self.expireBatch)],
                    on: connection
                )
            }
            return Int(reply.integer ?? 0)
        } catch {
            throw RateLimitStoreError("redis \(endpoint): \(error)")
        }
    }

    private func command(_ arguments: [String]) throws(RateLimitStoreError) -> RedisReply {
        do throws(RedisError) {
            let reply = try pool.withConnection { connection throws(RedisError) in try connection.command(arguments) }
            if case .error(let message) = reply {
                throw .reply(message)
            }
            return reply
        } catch {
            throw RateLimitStoreError("redis \(endpoint): \(error)")
        }
    }

    // MARK: - Helpers

    private enum Operation {
        case reserve
        case settle
    }

    /// Runs `script`, timing the round trip; an error reply is thrown as `RedisError.reply`.
    private func run(
        _ script: RedisScript,
        keys: [String],
        arguments: [String],
        timing operation: Operation
    ) throws(RedisError) -> RedisReply {
        let start = ContinuousClock.now
        let reply = try pool.withConnection { connection throws(RedisError) in
            try script.run(keys: keys, arguments: arguments, on: connection)
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        switch operation {
        case .reserve: metrics.reserveSeconds.observe(seconds)
        case .settle: metrics.settleSeconds.observe(seconds)
        }
        if case .error(let message) = reply {
            throw .reply(message)
        }
        return reply
    }

    /// Until a minute after bucket `period` has left its window.
    private func windowTTL(_ window: RateLimitWindow, period: Int64, now: UnixTime) -> Int64 {
        max(1, window.expiry(of: period).milliseconds - now.milliseconds) + Self.clockMarginMilliseconds
    }

    /// A concurrency counter outlives every ticket counted in it (tickets expire after a lifetime).
    private var concurrencyTTL: Int64 {
        lifetimeMilliseconds + lifetimeMilliseconds / 10 + Self.clockMarginMilliseconds
    }
}
