import Logging
import Telemetry
import Testing

@testable import Gateway
@testable import LimiterRedis

/// Which counter store a scenario runs against: every scenario in `RateLimitStoreScenarioTests`
/// runs against both, so the Redis store cannot drift from the local one.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case local
    case redis

    var testDescription: String { rawValue }

    /// The stores the scenarios run against: both, or the local one alone when the Redis tests
    /// are skipped on a development machine.
    static var available: [StoreKind] { RedisTestServer.skipped ? [.local] : allCases }
}

/// A store for one test, with what the scenarios read back from it.
final class StoreUnderTest: Sendable {
    let store: any RateLimitCounterStore
    let local: LocalRateLimitStore?
    let redis: RedisRateLimitStore?
    let server: RedisTestServer?
    let registry = MetricsRegistry()

    init(_ kind: StoreKind, reservationLifetime: Duration = LocalRateLimitStore.defaultReservationLifetime) throws {
        switch kind {
        case .local:
            let local = LocalRateLimitStore(reservationLifetime: reservationLifetime)
            store = local
            self.local = local
            redis = nil
            server = nil
        case .redis:
            let server = try RedisTestServer()
            let redis = RedisRateLimitStore(
                endpoint: RedisEndpoint(host: "127.0.0.1", port: server.port, timeout: .milliseconds(500)),
                reservationLifetime: reservationLifetime,
                registry: registry,
                logger: Logger(label: "test")
            )
            store = redis
            self.redis = redis
            self.server = server
            local = nil
        }
    }

    var limiter: RateLimiter { RateLimiter(store: store) }

    func used(_ counter: RateLimitCounterID, now: UnixTime) -> Int {
        if let local { return local.used(counter, now: now) }
        do {
            return try redis!.used(counter, now: now)
        } catch {
            Issue.record("used: \(error)")
            return -1
        }
    }

    var pendingCount: Int {
        if let local { return local.pendingCount }
        do {
            return try redis!.pendingCount()
        } catch {
            Issue.record("pendingCount: \(error)")
            return -1
        }
    }

    func expireReservations(now: UnixTime) {
        if let local { return local.expireReservations(now: now) }
        do {
            try redis!.expireReservations(now: now)
        } catch {
            Issue.record("expireReservations: \(error)")
        }
    }
}

/// `milliseconds` after the epoch.
func at(_ milliseconds: Int64) -> UnixTime {
    UnixTime(milliseconds: milliseconds)
}

/// A UTC date and time.
func utc(year: Int64, month: Int64, day: Int64, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0) -> UnixTime {
    UnixTime(
        milliseconds: (UnixTime.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second)
            * 1000
    )
}

/// xorshift-style generator with a fixed seed, so a failing run can be repeated.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
