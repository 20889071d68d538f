extension JSONScanner {
    /// The text of a JSON string the scanner already validated, given the range between its
    /// quotes. Without escapes the bytes are the text; with them, `\uXXXX` pairs are joined into
    /// one code point and a lone surrogate becomes U+FFFD, as most JSON parsers do.
    public static func decodeString(_ bytes: [UInt8], contents: Range<Int>, hasEscapes: Bool) -> String {
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

private func hex4(_ bytes: [UInt8], at index: Int) -> UInt32 {
    var value: UInt32 = 0
    for offset in 0..<4 {
        value = value << 4 | UInt32(hexValue(bytes[index + offset]) ?? 0)
    }
    return value
}
