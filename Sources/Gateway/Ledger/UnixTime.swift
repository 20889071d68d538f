/// A wall-clock moment: milliseconds since 1970-01-01T00:00:00Z, leap seconds ignored (POSIX time).
///
/// The ledger's timestamps. Reports, days and retention are about calendar time, which
/// `ContinuousClock` does not give; the gateway has no wall clock of its own (no Foundation, no libc),
/// so whoever builds a `UsageRecord` is handed one (`LedgerSQLite` provides `UnixTime.now()`).
/// Milliseconds are what the database stores: a 2020s timestamp is a 6-byte SQLite integer, where
/// microseconds would take 8.
public struct UnixTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    public init(seconds: Int64) {
        self.milliseconds = seconds * 1000
    }

    public static let epoch = UnixTime(milliseconds: 0)

    public static func < (lhs: UnixTime, rhs: UnixTime) -> Bool {
        lhs.milliseconds < rhs.milliseconds
    }

    /// This moment moved by `duration`, truncated to the millisecond.
    public static func + (lhs: UnixTime, rhs: Duration) -> UnixTime {
        UnixTime(milliseconds: lhs.milliseconds + Self.milliseconds(rhs))
    }

    public static func - (lhs: UnixTime, rhs: Duration) -> UnixTime {
        UnixTime(milliseconds: lhs.milliseconds - Self.milliseconds(rhs))
    }

    /// The time from `rhs` to `lhs`.
    public static func - (lhs: UnixTime, rhs: UnixTime) -> Duration {
        .milliseconds(lhs.milliseconds - rhs.milliseconds)
    }

    /// `2025-03-01T12:30:05.250Z`: ISO 8601 in UTC, milliseconds shown only when not zero.
    public var description: String {
        var bytes: [UInt8] = []
        appendISO8601(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `description`'s text with the digits written in place: the request log writes one
    /// per request.
    public func appendISO8601(to bytes: inout [UInt8]) {
        let (days, millisecondOfDay) = Self.floorDivide(milliseconds, 86_400_000)
        Self.appendDate(days: days, to: &bytes)
        let seconds = millisecondOfDay / 1000
        bytes.append(UInt8(ascii: "T"))
        Self.appendDigits(seconds / 3600, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendDigits(seconds / 60 % 60, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendDigits(seconds % 60, width: 2, to: &bytes)
        if millisecondOfDay % 1000 != 0 {
            bytes.append(UInt8(ascii: "."))
            Self.appendDigits(millisecondOfDay % 1000, width: 3, to: &bytes)
        }
        bytes.append(UInt8(ascii: "Z"))
    }

    /// The UTC calendar day, `2025-03-01`: how reports group by day.
    public var day: String {
        var bytes: [UInt8] = []
        Self.appendDate(days: Self.floorDivide(milliseconds, 86_400_000).quotient, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func appendDate(days: Int64, to bytes: inout [UInt8]) {
        let (year, month, day) = civil(fromDays: days)
        appendDigits(year, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(month, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(day, width: 2, to: &bytes)
    }

    /// `value` in decimal, zero-padded to `width` digits, after a minus sign if negative.
    private static func appendDigits(_ value: Int64, width: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var divisor: UInt64 = 1
        var count = 1
        while magnitude / divisor >= 10 {
            divisor *= 10
            count += 1
        }
        for _ in count..<max(count, width) { bytes.append(ASCII.digit0) }
        while divisor > 0 {
            bytes.append(ASCII.digit0 + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
    }

    /// Days since the epoch of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = Self.floorDivide(shiftedYear, 400).quotient
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day since the epoch (Howard Hinnant's `civil_from_days`).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = Self.floorDivide(shifted, 146_097).quotient
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `duration` in whole milliseconds, truncated toward zero.
    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Division rounding toward negative infinity, with a remainder that is never negative.
    private static func floorDivide(_ dividend: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = dividend / divisor
        let remainder = dividend % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
