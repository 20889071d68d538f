import Testing

@testable import Gateway

/// Calendar arithmetic and the bucket ring, with time passed by hand.
@Suite struct RateLimitWindowTests {
    @Test func dayAndMonthPeriodsAreUTCCalendarPeriods() {
        let lastMoment =
            utc(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59)
            + .milliseconds(999)
        let nextDay = utc(year: 2024, month: 3, day: 1)
        #expect(RateLimitWindow.utcDay.period(at: lastMoment) + 1 == RateLimitWindow.utcDay.period(at: nextDay))
        #expect(
            RateLimitWindow.utcDay.start(of: RateLimitWindow.utcDay.period(at: lastMoment)).description
                == "2024-02-29T00:00:00Z"
        )
        let month = RateLimitWindow.utcMonth.period(at: lastMoment)
        #expect(RateLimitWindow.utcMonth.period(at: nextDay) == month + 1)
        #expect(RateLimitWindow.utcMonth.start(of: month).description == "2024-02-01T00:00:00Z")
        #expect(RateLimitWindow.utcMonth.expiry(of: month) == nextDay)
        let december = RateLimitWindow.utcMonth.period(at: utc(year: 2025, month: 12, day: 31))
        #expect(RateLimitWindow.utcMonth.expiry(of: december).description == "2026-01-01T00:00:00Z")
        let beforeEpoch = RateLimitWindow.utcMonth.period(at: utc(year: 1969, month: 7, day: 20))
        #expect(RateLimitWindow.utcMonth.start(of: beforeEpoch).description == "1969-07-01T00:00:00Z")
        #expect(RateLimitWindow.minute.period(at: at(-1)) == -1)
        #expect(RateLimitWindow.hour.period(at: at(-1)) == -1)
        #expect(RateLimitWindow.utcDay.period(at: at(-1)) == -1)
    }

    @Test func aMinuteWindowRemembersAnAmountForSixtyToSixtyOneSeconds() {
        var buckets = RateLimitBuckets(window: .minute)
        buckets.add(5, at: at(10_500))
        #expect(buckets.usage(at: at(10_999)) == 5)
        #expect(buckets.usage(at: at(70_499)) == 5)  // 59.999 s later
        #expect(buckets.usage(at: at(70_999)) == 5)  // bucket 10 is live until bucket 71 begins
        #expect(buckets.usage(at: at(71_000)) == 0)
        buckets.add(3, at: at(71_000))
        #expect(buckets.buckets == [RateLimitBucket(period: 71, amount: 3)])
        #expect(buckets.usage(at: at(10_000_000)) == 0)
        #expect(buckets.buckets.isEmpty)
    }

    @Test func anHourWindowRollsByTheMinute() {
        var buckets = RateLimitBuckets(window: .hour)
        buckets.add(7, at: at(90_000))  // minute 1
        buckets.add(1, at: at(150_000))  // minute 2
        #expect(buckets.usage(at: at(61 * 60_000 - 1)) == 8)
        #expect(buckets.usage(at: at(62 * 60_000)) == 1)
        #expect(buckets.usage(at: at(63 * 60_000)) == 0)
    }

    @Test func aClockSteppingBackCountsAsTheLatestTimeSeen() {
        var buckets = RateLimitBuckets(window: .minute)
        buckets.add(4, at: at(100_000))
        let period = buckets.add(6, at: at(40_000))
        #expect(period == 100)
        #expect(buckets.usage(at: at(0)) == 10)
        #expect(buckets.usage(at: at(161_000)) == 0)
    }

    @Test func adjustingAnExpiredBucketChangesNothing() {
        var buckets = RateLimitBuckets(window: .minute)
        let period = buckets.add(10, at: at(0))
        let first = buckets.adjust(period: period, by: -4, at: at(30_000))
        #expect(first)
        #expect(buckets.usage(at: at(30_000)) == 6)
        let second = buckets.adjust(period: period, by: -100, at: at(30_000))
        #expect(second)
        #expect(buckets.usage(at: at(30_000)) == 0)  // never below zero
        let late = buckets.adjust(period: period, by: 5, at: at(61_000))
        #expect(!late)
        #expect(buckets.usage(at: at(61_000)) == 0)
    }

    @Test func delaysCountOldestBucketsFirst() {
        var buckets = RateLimitBuckets(window: .minute)
        buckets.add(3, at: at(1_000))
        buckets.add(4, at: at(20_000))
        buckets.add(5, at: at(30_000))
        _ = buckets.usage(at: at(40_000))
        #expect(buckets.delay(untilFreed: 3, at: at(40_000)) == 22_000)  // bucket 1 leaves at 62 s
        #expect(buckets.delay(untilFreed: 4, at: at(40_000)) == 41_000)  // and bucket 20 at 81 s
        #expect(buckets.delay(untilFreed: 12, at: at(40_000)) == 51_000)
        #expect(buckets.delay(untilFreed: 13, at: at(40_000)) == nil)
        #expect(buckets.delayUntilEmpty(at: at(40_000)) == 51_000)

        var day = RateLimitBuckets(window: .utcDay)
        let noon = utc(year: 2026, month: 1, day: 5, hour: 12)
        day.add(1, at: noon)
        #expect(day.delay(untilFreed: 1, at: noon) == Int64(12 * 3_600_000))
        #expect(day.delayUntilEmpty(at: noon) == Int64(12 * 3_600_000))
    }

    @Test func restoringSetsLiveBucketsAndSkipsExpiredOnes() {
        var buckets = RateLimitBuckets(window: .minute)
        let live = buckets.restore(period: 50, amount: 9, at: at(100_000))
        let expired = buckets.restore(period: 39, amount: 9, at: at(100_000))
        let again = buckets.restore(period: 50, amount: 2, at: at(100_000))
        #expect(live && !expired && again)
        #expect(buckets.usage(at: at(100_000)) == 2)
        #expect(buckets.usage(at: at(111_000)) == 0)
    }
}
