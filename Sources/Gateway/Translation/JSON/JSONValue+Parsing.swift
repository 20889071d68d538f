extension JSONValue {
    /// Parses one JSON document (RFC 8259) from `bytes`: any value at the root, surrounded by
    /// optional whitespace. Throws the first grammar violation with its byte offset, in the same
    /// terms as `JSONScanner`.
    ///
    /// Strings must be UTF-8 with every control character escaped; a lone `\u` surrogate becomes
    /// U+FFFD. Nesting deeper than `JSONScanner.maxDepth` is refused rather than recursed into.
    public init(parsing bytes: [UInt8]) throws(JSONScanError) {
        var parser = JSONTreeParser(bytes)
        parser.skipWhitespace()
        guard parser.index < bytes.count else { throw JSONScanError(.empty, at: 0) }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index < bytes.count { throw JSONScanError(.trailingCharacters, at: parser.index) }
        self = value
    }

    /// Parses `text` as one JSON document.
    public init(parsing text: String) throws(JSONScanError) {
        try self.init(parsing: Array(text.utf8))
    }
}

/// A recursive-descent parser over a byte array. Recursion depth is bounded by
/// `JSONScanner.maxDepth`, so hostile nesting fails before it can exhaust the stack.
private struct JSONTreeParser {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func parseValue(depth: Int) throws(JSONScanError) -> JSONValue {
        guard index < bytes.count else { throw JSONScanError(.unexpectedEnd, at: index) }
        switch bytes[index] {
        case ASCII.openBrace:
            return .object(try parseObject(depth: depth + 1))
        case ASCII.openBracket:
            return .array(try parseArray(depth: depth + 1))
        case ASCII.quote:
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case ASCII.minus, ASCII.digit0...ASCII.digit9:
            return .number(try parseNumber())
        default:
            throw JSONScanError(.unexpectedCharacter, at: index)
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONScanError) -> JSONObject {
        guard depth <= JSONScanner.maxDepth else { throw JSONScanError(.tooDeep, at: index) }
        index += 1
        var members: [JSONObject.Member] = []
        skipWhitespace()
        if try peek() == ASCII.closeBrace {
            index += 1
            return JSONObject(members)
        }
        while true {
            guard try peek() == ASCII.quote else { throw JSONScanError(.unexpectedCharacter, at: index) }
            let key = try parseString()
            skipWhitespace()
            guard try peek() == ASCII.colon else { throw JSONScanError(.unexpectedCharacter, at: index) }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append(JSONObject.Member(key: key, value: value))
            skipWhitespace()
            let byte = try peek()
            index += 1
            if byte == ASCII.comma {
                skipWhitespace()
                continue
            }
            if byte == ASCII.closeBrace { return JSONObject(members) }
            throw JSONScanError(.unexpectedCharacter, at: index - 1)
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONScanError) -> [JSONValue] {
        guard depth <= JSONScanner.maxDepth else { throw JSONScanError(.tooDeep, at: index) }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == ASCII.closeBracket {
            index += 1
            return elements
        }
        while true {
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            let byte = try peek()
            index += 1
            if byte == ASCII.comma {
                skipWhitespace()
                continue
            }
            if byte == ASCII.closeBracket { return elements }
            throw JSONScanError(.unexpectedCharacter, at: index - 1)
        }
    }

    /// The string starting at the opening quote at `index`, escapes decoded. The common case
    /// (no escapes, ASCII or valid UTF-8) is one pass and one copy.
    private mutating func parseString() throws(JSONScanError) -> String {
        index += 1
        let start = index
        let end = bytes.count
        var hasEscapes = false
        var highBits: UInt8 = 0
        while true {
            // The common bytes in a tight loop; the rare ones below.
            while index < end {
                let byte = bytes[index]
                if byte == ASCII.quote || byte == ASCII.backslash || byte < 0x20 { break }
                highBits |= byte
                index += 1
            }
            guard index < end else { throw JSONScanError(.unexpectedEnd, at: index) }
            let byte = bytes[index]
            if byte == ASCII.quote { break }
            if byte < 0x20 { throw JSONScanError(.controlCharacterInString, at: index) }
            hasEscapes = true
            index += 1
            guard index < end else { throw JSONScanError(.unexpectedEnd, at: index) }
            switch bytes[index] {
            case ASCII.quote, ASCII.backslash, ASCII.slash, UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                index += 1
            case UInt8(ascii: "u"):
                guard index + 4 < end else { throw JSONScanError(.unexpectedEnd, at: end) }
                for offset in 1...4 where hexValue(bytes[index + offset]) == nil {
                    throw JSONScanError(.invalidEscape, at: index - 1)
                }
                index += 5
            default:
                throw JSONScanError(.invalidEscape, at: index - 1)
            }
        }
        let contents = start..<index
        index += 1
        if hasEscapes {
            // The scanner's decoder; escaped text is rare enough not to need the UTF-8 check
            // below, and invalid sequences in it become U+FFFD.
            return JSONScanner.decodeString(bytes, contents: contents, hasEscapes: true)
        }
        if highBits < 0x80 {
            return String(decoding: bytes[contents], as: UTF8.self)
        }
        guard let text = String(validating: bytes[contents], as: UTF8.self) else {
            throw JSONScanError(.invalidUTF8, at: start)
        }
        return text
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as text.
    private mutating func parseNumber() throws(JSONScanError) -> JSONNumber {
        let start = index
        if bytes[index] == ASCII.minus { index += 1 }
        guard index < bytes.count else { throw JSONScanError(.unexpectedEnd, at: index) }
        if bytes[index] == ASCII.digit0 {
            index += 1
            if index < bytes.count && isDigit(bytes[index]) { throw JSONScanError(.invalidNumber, at: start) }
        } else if isDigit(bytes[index]) {
            skipDigits()
        } else {
            throw JSONScanError(.invalidNumber, at: start)
        }
        if index < bytes.count && bytes[index] == ASCII.dot {
            index += 1
            guard skipDigits() > 0 else { throw JSONScanError(.invalidNumber, at: start) }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == ASCII.plus || bytes[index] == ASCII.minus) { index += 1 }
            guard skipDigits() > 0 else { throw JSONScanError(.invalidNumber, at: start) }
        }
        return JSONNumber(text: String(decoding: bytes[start..<index], as: UTF8.self))
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= ASCII.digit0 && byte <= ASCII.digit9
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count && isDigit(bytes[index]) { index += 1 }
        return index - start
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONScanError) {
        let start = index
        let length = literal.utf8CodeUnitCount
        guard bytes.count - index >= length else {
            let available = bytes[index...]
            let isPrefix = literal.withUTF8Buffer { available.elementsEqual($0.prefix(available.count)) }
            throw JSONScanError(isPrefix ? .unexpectedEnd : .invalidLiteral, at: isPrefix ? bytes.count : start)
        }
        let matches = literal.withUTF8Buffer { bytes[index..<(index + length)].elementsEqual($0) }
        guard matches else { throw JSONScanError(.invalidLiteral, at: start) }
        index += length
    }

    private func peek() throws(JSONScanError) -> UInt8 {
        guard index < bytes.count else { throw JSONScanError(.unexpectedEnd, at: index) }
        return bytes[index]
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case ASCII.space, ASCII.tab, ASCII.newline, ASCII.carriageReturn: index += 1
            default: return
            }
        }
    }
}
