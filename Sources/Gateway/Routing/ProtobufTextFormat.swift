/// Just enough of protobuf's text format to read the messages Envoy prints into request attributes
/// (see `UpstreamHostMetadata`): fields `name: scalar`, `name: "string"`, `name { … }` (also
/// `name: { … }` and `< … >`), separated by whitespace, `,` or `;`. Strings may use C escapes and
/// adjacent string literals are joined, as the format allows. Anything else fails the parse.
struct ProtobufTextFormat {
    /// One message: its fields in order. A repeated field appears once per element.
    struct Message {
        enum Value {
            case scalar(String)
            case string(String)
            case message(Message)
        }

        var fields: [(name: String, value: Value)] = []

        func messages(named name: String) -> [Message] {
            fields.compactMap { field in
                guard field.name == name, case .message(let message) = field.value else { return nil }
                return message
            }
        }

        func string(named name: String) -> String? {
            for field in fields where field.name == name {
                if case .string(let text) = field.value { return text }
            }
            return nil
        }
    }

    private static let maxDepth = 32

    private let bytes: [UInt8]
    private var index = 0

    private init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// The message in `text`, or nil when it is not text format (such as Envoy's `NULL`).
    static func parse(_ text: String) -> Message? {
        var parser = ProtobufTextFormat(text)
        guard let message = parser.parseFields(depth: 0, closer: nil) else { return nil }
        return message
    }

    /// Fields until `closer` (consumed) or, at the top level, the end of the text.
    private mutating func parseFields(depth: Int, closer: UInt8?) -> Message? {
        guard depth < Self.maxDepth else { return nil }
        var message = Message()
        while true {
            skipSeparators()
            guard index < bytes.count else { return closer == nil ? message : nil }
            if let closer, bytes[index] == closer {
                index += 1
                return message
            }
            guard let name = identifier() else { return nil }
            skipWhitespace()
            var sawColon = false
            if index < bytes.count && bytes[index] == UInt8(ascii: ":") {
                index += 1
                sawColon = true
                skipWhitespace()
            }
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "<"):
                let close = bytes[index] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ">")
                index += 1
                guard let nested = parseFields(depth: depth + 1, closer: close) else { return nil }
                message.fields.append((name, .message(nested)))
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                guard sawColon, let text = strings() else { return nil }
                message.fields.append((name, .string(text)))
            default:
                guard sawColon, let scalar = identifier(allowingSigns: true) else { return nil }
                message.fields.append((name, .scalar(scalar)))
            }
        }
    }

    /// A field name, enum value, number or bool: letters, digits, `_`, `.`, and for values `-`/`+`.
    private mutating func identifier(allowingSigns: Bool = false) -> String? {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            let isWord =
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ".")
                || (allowingSigns && (byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")))
            guard isWord else { break }
            index += 1
        }
        guard index > start else { return nil }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// One or more adjacent quoted strings, joined.
    private mutating func strings() -> String? {
        var result: [UInt8] = []
        repeat {
            guard quoted(into: &result) else { return nil }
            skipWhitespace()
        } while index < bytes.count && (bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'"))
        return String(decoding: result, as: UTF8.self)
    }

    /// A quoted string with C escapes (`\n`, `\"`, octal `\123`, `\x7f`, `\u00e9`, `\U0001f600`).
    private mutating func quoted(into result: inout [UInt8]) -> Bool {
        let quote = bytes[index]
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == quote { return true }
            guard byte == UInt8(ascii: "\\") else {
                result.append(byte)
                continue
            }
            guard index < bytes.count else { return false }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "n"): result.append(0x0A)
            case UInt8(ascii: "r"): result.append(0x0D)
            case UInt8(ascii: "t"): result.append(0x09)
            case UInt8(ascii: "a"): result.append(0x07)
            case UInt8(ascii: "b"): result.append(0x08)
            case UInt8(ascii: "f"): result.append(0x0C)
            case UInt8(ascii: "v"): result.append(0x0B)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(escape - UInt8(ascii: "0"))
                for _ in 0..<2 {
                    guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(bytes[index]) else {
                        break
                    }
                    value = value * 8 + Int(bytes[index] - UInt8(ascii: "0"))
                    index += 1
                }
                guard value <= 0xFF else { return false }
                result.append(UInt8(value))
            case UInt8(ascii: "x"):
                guard let value = hexDigits(maximum: 2), value <= 0xFF else { return false }
                result.append(UInt8(value))
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = escape == UInt8(ascii: "u") ? 4 : 8
                guard let value = hexDigits(maximum: count, exactly: true), let scalar = Unicode.Scalar(value)
                else { return false }
                result.append(contentsOf: UTF8.encode(scalar)!)
            default:
                // `\"`, `\'`, `\\`, `\?` stand for the character itself.
                result.append(escape)
            }
        }
        return false
    }

    private mutating func hexDigits(maximum: Int, exactly: Bool = false) -> UInt32? {
        var value: UInt32 = 0
        var count = 0
        while count < maximum, index < bytes.count, let digit = hexValue(bytes[index]) {
            value = value << 4 | UInt32(digit)
            index += 1
            count += 1
        }
        guard count > 0, !exactly || count == maximum else { return nil }
        return value
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || (0x09...0x0D).contains(bytes[index]) { index += 1 }
    }

    private mutating func skipSeparators() {
        while index < bytes.count,
            bytes[index] == 0x20 || (0x09...0x0D).contains(bytes[index]) || bytes[index] == UInt8(ascii: ",")
                || bytes[index] == UInt8(ascii: ";")
        {
            index += 1
        }
    }
}
