/// The span of time over which a limit counts, and how that span is cut into buckets.
///
/// Minute and hour windows slide: a counter keeps `bucketCount` buckets of `bucketMilliseconds`
/// each, and its usage is the sum of the bucket holding now and the `bucketCount - 1` before it.
/// With 61 buckets of 1/60 of the window, the usage always covers at least the whole window
/// (between 60 and 61 sixtieths of it, depending on where now falls in its bucket), so no span of
/// one window length ever holds more than the limit; the price is that an amount is remembered up
/// to one bucket (1 s for a minute, 1 min for an hour) longer than the window.
///
/// Day and month windows are UTC calendar periods (midnight to midnight, first of the month to
/// first of the next), with one bucket: budgets are accounting periods an operator reads off a
/// bill, a sliding month would need a bucket per day per counter, and a reset at a fixed time is
/// what `x-ratelimit-reset-*` and `Retry-After` can state exactly.
public enum RateLimitWindow: Sendable, Hashable, CaseIterable {
    case minute
    case hour
    case utcDay
    case utcMonth

    /// How many buckets a counter keeps.
    public var bucketCount: Int {
        switch self {
        case .minute, .hour: 61
        case .utcDay, .utcMonth: 1
        }
    }

    /// The index of the bucket (sliding) or period (calendar) holding `instant`: consecutive
    /// buckets have consecutive indexes.
    public func period(at instant: UnixTime) -> Int64 {
        let milliseconds = instant.milliseconds
        switch self {
        case .minute: return milliseconds.floorDivided(by: 1000)
        case .hour: return milliseconds.floorDivided(by: 60_000)
        case .utcDay: return milliseconds.floorDivided(by: 86_400_000)
        case .utcMonth:
            let (year, month, _) = UnixTime.civil(fromDays: milliseconds.floorDivided(by: 86_400_000))
            return year * 12 + (month - 1)
        }
    }

    /// When bucket or period `period` begins.
    public func start(of period: Int64) -> UnixTime {
        switch self {
        case .minute: return UnixTime(milliseconds: period * 1000)
        case .hour: return UnixTime(milliseconds: period * 60_000)
        case .utcDay: return UnixTime(milliseconds: period * 86_400_000)
        case .utcMonth:
            let year = period.floorDivided(by: 12)
            return UnixTime(milliseconds: UnixTime.days(year: year, month: period - year * 12 + 1, day: 1) * 86_400_000)
        }
    }

    /// When an amount added to bucket `period` stops counting: the start of the bucket that
    /// replaces it.
    public func expiry(of period: Int64) -> UnixTime {
        start(of: period + Int64(bucketCount))
    }
}

extension Int64 {
    /// Division rounding towards negative infinity, so instants before 1970 fall in the right bucket.
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
