extension JSONReader {
    /// Checks the string whose opening quote is at `index` and leaves `index` after its closing
    /// quote. Returns the range between the quotes; `hasEscapes` says whether those bytes are
    /// the text as they are or need `decodeString`.
    ///
    /// Rejects unescaped control characters, unknown or short escapes, and bytes that are not
    /// UTF-8, each at the byte (or escape, or sequence) that breaks the rule.
    mutating func scanString() throws(JSONScanError) -> (Range<Int>, hasEscapes: Bool) {
        index += 1
        let start = index
        var hasEscapes = false
        let end = bytes.count
        while true {
            // Printable ASCII other than `"` and `\`, most of any body, in a tight loop over a
            // local cursor (which the optimizer keeps in a register); the rest below.
            var position = index
            while position < end {
                let byte = bytes[position]
                if byte == ASCII.quote || byte == ASCII.backslash || byte < 0x20 || byte >= 0x80 { break }
                position += 1
            }
            index = position
            guard index < end else { throw JSONScanError(.unexpectedEnd, at: index) }
            let byte = bytes[index]
            if byte == ASCII.quote {
                index += 1
                return (start..<(index - 1), hasEscapes)
            }
            if byte == ASCII.backslash {
                hasEscapes = true
                try scanEscape()
            } else if byte < 0x20 {
                throw JSONScanError(.controlCharacterInString, at: index)
            } else {
                try scanUTF8Sequence()
            }
        }
    }

    /// The escape whose backslash is at `index`; a bad one is reported at the backslash.
    private mutating func scanEscape() throws(JSONScanError) {
        let start = index
        index += 1
        switch try peek() {
        case ASCII.quote, ASCII.backslash, ASCII.slash, UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
            UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 1
        case UInt8(ascii: "u"):
            index += 1
            for _ in 0..<4 {
                guard hexValue(try peek()) != nil else { throw JSONScanError(.invalidEscape, at: start) }
                index += 1
            }
        default:
            throw JSONScanError(.invalidEscape, at: start)
        }
    }

    /// One multi-byte UTF-8 sequence starting at `index`, rejecting overlong forms, surrogates and
    /// code points above U+10FFFF (Unicode 15, table 3-7), at the sequence's first byte.
    private mutating func scanUTF8Sequence() throws(JSONScanError) {
        let start = index
        let lead = bytes[index]
        let continuations: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: continuations = 1
        case 0xE0:
            continuations = 2
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: continuations = 2
        case 0xED:
            continuations = 2
            secondRange = 0x80...0x9F
        case 0xF0:
            continuations = 3
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: continuations = 3
        case 0xF4:
            continuations = 3
            secondRange = 0x80...0x8F
        default: throw JSONScanError(.invalidUTF8, at: start)
        }
        index += 1
        for position in 0..<continuations {
            guard index < bytes.count else { throw JSONScanError(.unexpectedEnd, at: index) }
            let byte = bytes[index]
            let allowed = position == 0 ? secondRange : 0x80...0xBF
            guard allowed.contains(byte) else { throw JSONScanError(.invalidUTF8, at: start) }
            index += 1
        }
    }

    /// The text of a string `scanString` accepted, given the range between its quotes. Without
    /// escapes the bytes are the text; with them, `\uXXXX` pairs are joined into one code point
    /// and a lone surrogate becomes U+FFFD, as most JSON parsers do.
    static func decodeString(_ bytes: [UInt8], contents: Range<Int>, hasEscapes: Bool) -> String {
        guard hasEscapes else { return String(decoding: bytes[contents], as: UTF8.self) }
        var utf8: [UInt8] = []
        utf8.reserveCapacity(contents.count)
        var index = contents.lowerBound
        while index < contents.upperBound {
            let byte = bytes[index]
            guard byte == ASCII.backslash else {
                utf8.append(byte)
                index += 1
                continue
            }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var code = hex4(bytes, at: index)
                index += 4
                if (0xD800...0xDBFF).contains(code), index + 6 <= contents.upperBound,
                    bytes[index] == ASCII.backslash, bytes[index + 1] == UInt8(ascii: "u")
                {
                    let low = hex4(bytes, at: index + 2)
                    if (0xDC00...0xDFFF).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                utf8.append(contentsOf: UTF8.encode(scalar)!)
            default:
                // `"`, `\` and `/` stand for themselves.
                utf8.append(escape)
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }
}

/// The four hex digits at `index`, which `scanString` checked.
private func hex4(_ bytes: [UInt8], at index: Int) -> UInt32 {
    var value: UInt32 = 0
    for offset in 0..<4 {
        value = value << 4 | UInt32(hexValue(bytes[index + offset]) ?? 0)
    }
    return value
}
