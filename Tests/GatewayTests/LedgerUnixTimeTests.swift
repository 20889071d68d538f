import Gateway
import Testing

@Suite struct LedgerUnixTimeTests {
    @Test(
        arguments: [
            ("1970-01-01", 0),
            ("1970-01-01T00:00:00Z", 0),
            ("2025-03-01", 1_740_787_200_000),
            ("2025-03-01T12:30:05.250Z", 1_740_832_205_250),
            ("2025-03-01T12:30:05.2509Z", 1_740_832_205_250),
            ("2025-03-01t12:30:05,25z", 1_740_832_205_250),
            ("2025-03-01 12:30", 1_740_832_200_000),
            ("2025-03-01T14:30:05+02:00", 1_740_832_205_000),
            ("2025-03-01T07:00:05-0530", 1_740_832_205_000),
            ("2025-03-01T14:30:05+02", 1_740_832_205_000),
            ("2024-02-29", 1_709_164_800_000),
            ("1969-12-31T23:59:59.999Z", -1),
        ] as [(String, Int64)]
    )
    func parsesISO8601(text: String, milliseconds: Int64) {
        #expect(UnixTime(iso8601: text) == UnixTime(milliseconds: milliseconds))
    }

    @Test(arguments: [
        "", "2025", "2025-3-1", "2025-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "2025-03-01T",
        "2025-03-01T24:00", "2025-03-01T12:60", "2025-03-01T12:30:61", "2025-03-01T12:30:05.", "2025-03-01T12:30Zx",
        "2025-03-01T12:30+25:00", "2025-03-01x", "yesterday", "2025-03-01T12:30:05+02:0",
    ])
    func refusesWhatIsNotADate(text: String) {
        #expect(UnixTime(iso8601: text) == nil)
    }

    @Test func printsISO8601InUTC() {
        #expect(UnixTime(milliseconds: 0).description == "1970-01-01T00:00:00Z")
        #expect(UnixTime(milliseconds: 1_740_832_205_250).description == "2025-03-01T12:30:05.250Z")
        #expect(UnixTime(milliseconds: -1).description == "1969-12-31T23:59:59.999Z")
        #expect(UnixTime(milliseconds: 5).description == "1970-01-01T00:00:00.005Z")
        #expect(UnixTime(iso8601: "0099-01-02T03:04:05.060Z")?.description == "0099-01-02T03:04:05.060Z")
        #expect(UnixTime(milliseconds: 253_402_300_800_000).description == "10000-01-01T00:00:00Z")
        #expect(UnixTime(milliseconds: 1_740_832_205_250).day == "2025-03-01")
        #expect(UnixTime(milliseconds: -1).day == "1969-12-31")
    }

    @Test func roundTripsEveryDayOverFourCenturies() {
        // Leap years, century rules and the epoch's neighbourhood, one day at a time.
        var time = UnixTime(iso8601: "1900-01-01T06:07:08.009Z")!
        let end = UnixTime(iso8601: "2300-01-01")!
        while time < end {
            #expect(UnixTime(iso8601: time.description) == time)
            time = time + .seconds(86_400)
        }
    }

    @Test func arithmetic() {
        let time = UnixTime(seconds: 100)
        #expect(time + .milliseconds(1500) == UnixTime(milliseconds: 101_500))
        #expect(time - .seconds(1) == UnixTime(seconds: 99))
        #expect(UnixTime(seconds: 100) - UnixTime(seconds: 40) == .seconds(60))
        #expect(UnixTime(seconds: 1) < UnixTime(seconds: 2))
    }
}
