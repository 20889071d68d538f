/// Reads the HTTP `date` header (RFC 9110 §5.6.7, IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`)
/// as Unix seconds.
///
/// The gateway has no wall clock of its own (no Foundation, no libc), yet OpenAI bodies it writes
/// for Anthropic responses need `created` in Unix seconds: the provider's `date` header, which
/// every provider sends and Envoy passes on, is the time the response was made.
enum HTTPDate {
    /// Unix seconds of an IMF-fixdate value; nil for anything else (the obsolete formats included).
    static func unixSeconds(_ value: [UInt8]) -> Int? {
        // "Sun, 06 Nov 1994 08:49:37 GMT": 29 bytes at fixed positions.
        guard value.count == 29, value[3] == UInt8(ascii: ","), value[4] == 0x20, value[7] == 0x20,
            value[11] == 0x20, value[16] == 0x20, value[19] == UInt8(ascii: ":"),
            value[22] == UInt8(ascii: ":"), value[25] == 0x20,
            value[26...].elementsEqual("GMT".utf8)
        else { return nil }
        guard let day = number(value[5..<7]), let year = number(value[12..<16]),
            let hour = number(value[17..<19]), let minute = number(value[20..<22]),
            let second = number(value[23..<25]),
            let month = months.firstIndex(where: { value[8..<11].elementsEqual($0.utf8) })
        else { return nil }
        guard (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        return daysFromCivil(year: year, month: month + 1, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
