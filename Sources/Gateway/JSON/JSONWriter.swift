/// Appends JSON text to a byte buffer: just enough of an encoder for the gateway's own bodies
/// (errors, the model list) and for splicing a string into a client's body, with no Foundation
/// and no intermediate tree.
///
/// Callers write the punctuation; the writer gets the escaping right (RFC 8259 section 7):
/// quotes, backslashes and every control character are escaped, everything else is copied as
/// UTF-8.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Punctuation or any text that is already JSON, copied as is.
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Bytes that are already JSON.
    public mutating func raw(_ json: some Sequence<UInt8>) {
        bytes.append(contentsOf: json)
    }

    /// `value` as a quoted, escaped JSON string.
    public mutating func string(_ value: String) {
        Self.appendString(value, to: &bytes)
    }

    /// `value` as a JSON string, or `null`.
    public mutating func stringOrNull(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }

    public mutating func integer(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Writes `value` as a quoted JSON string into `buffer`.
    public static func appendString(_ value: String, to buffer: inout [UInt8]) {
        buffer.append(ASCII.quote)
        for byte in value.utf8 {
            switch byte {
            case ASCII.quote, ASCII.backslash:
                buffer.append(ASCII.backslash)
                buffer.append(byte)
            case 0x0A:
                buffer.append(ASCII.backslash)
                buffer.append(UInt8(ascii: "n"))
            case 0x0D:
                buffer.append(ASCII.backslash)
                buffer.append(UInt8(ascii: "r"))
            case 0x09:
                buffer.append(ASCII.backslash)
                buffer.append(UInt8(ascii: "t"))
            case 0..<0x20:
                buffer.append(contentsOf: [ASCII.backslash, UInt8(ascii: "u"), ASCII.digit0, ASCII.digit0])
                buffer.append(hexDigits[Int(byte >> 4)])
                buffer.append(hexDigits[Int(byte & 0x0F)])
            default:
                buffer.append(byte)
            }
        }
        buffer.append(ASCII.quote)
    }

    /// The length of `value` once written by `appendString`.
    public static func encodedLength(of value: String) -> Int {
        var length = 2
        for byte in value.utf8 {
            switch byte {
            case ASCII.quote, ASCII.backslash, 0x0A, 0x0D, 0x09: length += 2
            case 0..<0x20: length += 6
            default: length += 1
            }
        }
        return length
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
