extension JSONValue {
    /// Parses one JSON document (RFC 8259) from `bytes`: any value at the root, surrounded by
    /// optional whitespace. Throws the first grammar violation with its byte offset: for a bad
    /// token or punctuation the same error at the same byte as `JSONScanner`, since both read
    /// tokens with `JSONReader`.
    ///
    /// Strings must be UTF-8 with every control character escaped; a lone `\u` surrogate becomes
    /// U+FFFD. Nesting deeper than `JSONScanner.maxDepth` is refused rather than recursed into.
    public init(parsing bytes: [UInt8]) throws(JSONScanError) {
        var parser = JSONTreeParser(bytes)
        try parser.reader.skipToRoot()
        let value = try parser.parseValue(depth: 0)
        try parser.reader.expectEnd()
        self = value
    }

    /// Parses `text` as one JSON document.
    public init(parsing text: String) throws(JSONScanError) {
        try self.init(parsing: Array(text.utf8))
    }
}

/// A recursive-descent parser building a `JSONValue` from the tokens a `JSONReader` reads.
/// Recursion depth is bounded by `JSONScanner.maxDepth`, so hostile nesting fails before it can
/// exhaust the stack.
private struct JSONTreeParser {
    var reader: JSONReader

    init(_ bytes: [UInt8]) {
        reader = JSONReader(bytes)
    }

    mutating func parseValue(depth: Int) throws(JSONScanError) -> JSONValue {
        let start = reader.index
        switch try reader.peek() {
        case ASCII.openBrace:
            return .object(try parseObject(depth: depth + 1))
        case ASCII.openBracket:
            return .array(try parseArray(depth: depth + 1))
        case ASCII.quote:
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try reader.expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try reader.expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try reader.expectLiteral("null")
            return .null
        case ASCII.minus, ASCII.digit0...ASCII.digit9:
            // Kept as text, so the number passes through unchanged.
            try reader.scanNumber()
            return .number(JSONNumber(text: String(decoding: reader.bytes[start..<reader.index], as: UTF8.self)))
        default:
            throw JSONScanError(.unexpectedCharacter, at: start)
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONScanError) -> JSONObject {
        guard depth <= JSONScanner.maxDepth else { throw JSONScanError(.tooDeep, at: reader.index) }
        reader.index += 1
        var members: [JSONObject.Member] = []
        reader.skipWhitespace()
        if try reader.peek() == ASCII.closeBrace {
            reader.index += 1
            return JSONObject(members)
        }
        repeat {
            let (key, hasEscapes) = try reader.scanKey()
            let value = try parseValue(depth: depth)
            members.append(
                JSONObject.Member(
                    key: JSONReader.decodeString(reader.bytes, contents: key, hasEscapes: hasEscapes),
                    value: value
                )
            )
        } while try !reader.scanSeparator(closer: ASCII.closeBrace)
        return JSONObject(members)
    }

    private mutating func parseArray(depth: Int) throws(JSONScanError) -> [JSONValue] {
        guard depth <= JSONScanner.maxDepth else { throw JSONScanError(.tooDeep, at: reader.index) }
        reader.index += 1
        var elements: [JSONValue] = []
        reader.skipWhitespace()
        if try reader.peek() == ASCII.closeBracket {
            reader.index += 1
            return elements
        }
        repeat {
            elements.append(try parseValue(depth: depth))
        } while try !reader.scanSeparator(closer: ASCII.closeBracket)
        return elements
    }

    /// The string starting at the opening quote at `index`, escapes decoded.
    private mutating func parseString() throws(JSONScanError) -> String {
        let (contents, hasEscapes) = try reader.scanString()
        return JSONReader.decodeString(reader.bytes, contents: contents, hasEscapes: hasEscapes)
    }
}
