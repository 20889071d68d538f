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

    /// Bytes that are already JSON, written in place by `write`.
    public mutating func raw(writing write: (inout [UInt8]) -> Void) {
        write(&bytes)
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

    /// Writes `value` as a quoted JSON string into `buffer`: in one piece when nothing needs
    /// escaping (nearly always), else run by run between the escapes.
    public static func appendString(_ value: String, to buffer: inout [UInt8]) {
        buffer.append(ASCII.quote)
        let utf8 = value.utf8
        if var index = utf8.firstIndex(where: needsEscape) {
            var runStart = utf8.startIndex
            while index != utf8.endIndex {
                let byte = utf8[index]
                if needsEscape(byte) {
                    buffer.append(contentsOf: utf8[runStart..<index])
                    appendEscape(byte, to: &buffer)
                    runStart = utf8.index(after: index)
                }
                index = utf8.index(after: index)
            }
            buffer.append(contentsOf: utf8[runStart...])
        } else {
            buffer.append(contentsOf: utf8)
        }
        buffer.append(ASCII.quote)
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == ASCII.quote || byte == ASCII.backslash
    }

    private static func appendEscape(_ byte: UInt8, to buffer: inout [UInt8]) {
        buffer.append(ASCII.backslash)
        switch byte {
        case ASCII.quote, ASCII.backslash: buffer.append(byte)
        case 0x0A: buffer.append(UInt8(ascii: "n"))
        case 0x0D: buffer.append(UInt8(ascii: "r"))
        case 0x09: buffer.append(UInt8(ascii: "t"))
        default:
            buffer.append(contentsOf: [UInt8(ascii: "u"), ASCII.digit0, ASCII.digit0])
            buffer.append(hexDigits[Int(byte >> 4)])
            buffer.append(hexDigits[Int(byte & 0x0F)])
        }
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
