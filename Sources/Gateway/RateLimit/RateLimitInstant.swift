/// A moment in UTC wall-clock time, in whole milliseconds since 1970-01-01T00:00:00Z.
///
/// The limiter never reads a clock: every call takes the time from its caller, so tests move it by
/// hand and the arithmetic is the same on every replica. Wall-clock time (not a monotonic clock)
/// because day and month windows are UTC calendar periods, and because counters persisted before
/// a restart must be placed in the same periods after it. A clock that steps backwards is
/// tolerated: counters treat an earlier time as the latest one they have seen.
///
/// Gateway imports no Foundation; the server builds these from `Date` or `clock_gettime`.
public struct RateLimitInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    public init(secondsSince1970: Int64) {
        self.millisecondsSince1970 = secondsSince1970 * 1000
    }

    /// Midnight UTC starting `day` of `month` (1-based) in `year` (proleptic Gregorian).
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        let days = UTCCalendar.days(year: year, month: month, day: day)
        millisecondsSince1970 = (Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * 1000
    }

    public static func < (lhs: RateLimitInstant, rhs: RateLimitInstant) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }

    public func adding(milliseconds: Int64) -> RateLimitInstant {
        RateLimitInstant(millisecondsSince1970: millisecondsSince1970 + milliseconds)
    }

    public func adding(seconds: Int64) -> RateLimitInstant {
        adding(milliseconds: seconds * 1000)
    }

    /// ISO 8601, for logs and test failures.
    public var description: String {
        let days = millisecondsSince1970.floorDivided(by: 86_400_000)
        let (year, month, day) = UTCCalendar.civil(days: Int(days))
        let millisecondOfDay = Int(millisecondsSince1970 - days * 86_400_000)
        let seconds = millisecondOfDay / 1000
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let milliseconds = millisecondOfDay % 1000
        let fraction = milliseconds == 0 ? "" : "." + String(String(milliseconds + 1000).dropFirst())
        return "\(year)-\(two(month))-\(two(day))T\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
            + fraction + "Z"
    }
}

/// Civil (year, month, day) ⇄ days since 1970-01-01 in the proleptic Gregorian calendar, after
/// Howard Hinnant's `days_from_civil` and `civil_from_days` (valid for any Int32 year).
enum UTCCalendar {
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int64 {
    /// Division rounding towards negative infinity, so instants before 1970 fall in the right period.
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
