extension UnixTime {
    /// Parses the ISO 8601 forms people type on a command line (RFC 3339 and its date-only prefix):
    ///
    /// - `2025-03-01`: midnight UTC;
    /// - `2025-03-01T12:30`, `2025-03-01T12:30:05`, `2025-03-01T12:30:05.250` (`T`, `t` or a space),
    ///   in UTC unless a zone follows;
    /// - a zone: `Z`, `+02:00`, `-0530`, `+02`.
    ///
    /// Fractions beyond milliseconds are truncated. Nil for anything else, including impossible dates.
    public init?(iso8601 text: String) {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
            let month = scanner.number(digits: 2), scanner.skip("-"),
            let day = scanner.number(digits: 2),
            (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day)
        else {
            return nil
        }
        var millisecondOfDay: Int64 = 0
        var offsetMinutes: Int64 = 0
        if !scanner.isAtEnd {
            guard scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
                let hour = scanner.number(digits: 2), scanner.skip(":"),
                let minute = scanner.number(digits: 2),
                hour < 24, minute < 60
            else {
                return nil
            }
            var second: Int64 = 0
            var millisecond: Int64 = 0
            if scanner.skip(":") {
                guard let parsed = scanner.number(digits: 2), parsed < 60 else {
                    return nil
                }
                second = parsed
                if scanner.skip(".") || scanner.skip(",") {
                    guard let fraction = scanner.fractionMilliseconds() else {
                        return nil
                    }
                    millisecond = fraction
                }
            }
            millisecondOfDay = ((hour * 60 + minute) * 60 + second) * 1000 + millisecond
            if !scanner.isAtEnd {
                guard let offset = scanner.zoneOffsetMinutes() else {
                    return nil
                }
                offsetMinutes = offset
            }
        }
        guard scanner.isAtEnd else {
            return nil
        }
        let days = Self.days(year: year, month: month, day: day)
        self.init(milliseconds: days * 86_400_000 + millisecondOfDay - offsetMinutes * 60_000)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// Reads fixed-width decimal fields and separators from ASCII bytes.
private struct DigitScanner {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool {
        position == bytes.count
    }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else {
            return false
        }
        position += 1
        return true
    }

    mutating func number(digits: Int) -> Int64? {
        guard position + digits <= bytes.count else {
            return nil
        }
        var value: Int64 = 0
        for byte in bytes[position..<position + digits] {
            guard let digit = Self.digit(byte) else {
                return nil
            }
            value = value * 10 + digit
        }
        position += digits
        return value
    }

    /// One or more digits after the decimal mark, as milliseconds (truncated).
    mutating func fractionMilliseconds() -> Int64? {
        var value: Int64 = 0
        var count = 0
        while position < bytes.count, let digit = Self.digit(bytes[position]) {
            if count < 3 {
                value = value * 10 + digit
            }
            count += 1
            position += 1
        }
        guard count > 0 else {
            return nil
        }
        for _ in count..<max(count, 3) {
            value *= 10
        }
        return value
    }

    /// `Z`, `±HH`, `±HHMM` or `±HH:MM`, as minutes east of UTC; must end the text.
    mutating func zoneOffsetMinutes() -> Int64? {
        if skip("Z") || skip("z") {
            return isAtEnd ? 0 : nil
        }
        let sign: Int64
        if skip("+") {
            sign = 1
        } else if skip("-") {
            sign = -1
        } else {
            return nil
        }
        guard let hours = number(digits: 2), hours < 24 else {
            return nil
        }
        var minutes: Int64 = 0
        if !isAtEnd {
            _ = skip(":")
            guard let parsed = number(digits: 2), parsed < 60 else {
                return nil
            }
            minutes = parsed
        }
        return isAtEnd ? sign * (hours * 60 + minutes) : nil
    }

    private static func digit(_ byte: UInt8) -> Int64? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int64(byte - UInt8(ascii: "0")) : nil
    }
}
