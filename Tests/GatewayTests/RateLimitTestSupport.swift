@testable import Gateway

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

/// A clock for one test, moved by hand.
struct RateLimitTestClock {
    var now: UnixTime

    init(_ now: UnixTime = utc(year: 2026, month: 3, day: 10, hour: 12)) {
        self.now = now
    }

    mutating func advance(seconds: Int64) {
        now = UnixTime(milliseconds: now.milliseconds + seconds * 1000)
    }

    mutating func advance(milliseconds: Int64) {
        now = UnixTime(milliseconds: now.milliseconds + milliseconds)
    }
}
