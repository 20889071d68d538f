/// The tokens of JSON (RFC 8259) read from a byte array: whitespace, punctuation, literals,
/// numbers and strings, each checked against the grammar and failing with the offset of the byte
/// to blame.
///
/// `JSONScanner` (which walks a body's root without building values) and `JSONValue(parsing:)`
/// (which builds a tree) differ only in what they do with the tokens, so both read them here: a
/// string or number one accepts the other accepts, and both report a bad one in the same terms
/// and at the same byte. The scanner runs on every request body, so the reader is a plain value
/// (the bytes and a cursor) that its callers hold inline; it allocates nothing.
struct JSONReader {
    let bytes: [UInt8]
    /// The next byte to read; `bytes.count` at the end.
    var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The next byte, not consumed; running out here is a truncated document.
    func peek() throws(JSONScanError) -> UInt8 {
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

    /// Skips the whitespace before the root value; a document with nothing else is empty.
    mutating func skipToRoot() throws(JSONScanError) {
        skipWhitespace()
        guard index < bytes.count else { throw JSONScanError(.empty, at: index) }
    }

    /// Checks that only whitespace is left after the root value.
    mutating func expectEnd() throws(JSONScanError) {
        skipWhitespace()
        if index < bytes.count { throw JSONScanError(.trailingCharacters, at: index) }
    }

    // MARK: - Punctuation

    /// An object member's key and the colon after it, starting at the key's opening quote and
    /// leaving `index` at the value. Returns the range between the key's quotes.
    mutating func scanKey() throws(JSONScanError) -> (Range<Int>, hasEscapes: Bool) {
        guard try peek() == ASCII.quote else { throw JSONScanError(.unexpectedCharacter, at: index) }
        let key = try scanString()
        skipWhitespace()
        guard try peek() == ASCII.colon else { throw JSONScanError(.unexpectedCharacter, at: index) }
        index += 1
        skipWhitespace()
        return key
    }

    /// What follows a member or element: a comma and the whitespace after it (returns false, the
    /// next one follows) or `closer`, consumed (returns true).
    mutating func scanSeparator(closer: UInt8) throws(JSONScanError) -> Bool {
        skipWhitespace()
        let byte = try peek()
        index += 1
        if byte == ASCII.comma {
            skipWhitespace()
            return false
        }
        if byte == closer { return true }
        throw JSONScanError(.unexpectedCharacter, at: index - 1)
    }

    // MARK: - Scalars

    /// A number or a literal, which need no nesting, starting at `index`.
    mutating func scanScalar() throws(JSONScanError) -> JSONValueKind {
        switch try peek() {
        case ASCII.minus, ASCII.digit0...ASCII.digit9:
            try scanNumber()
            return .number
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        default:
            throw JSONScanError(.unexpectedCharacter, at: index)
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, starting at its first byte (a
    /// minus or a digit). Any error is reported at that byte, except running out after a lone
    /// minus, which is a truncation.
    mutating func scanNumber() throws(JSONScanError) {
        let start = index
        if bytes[index] == ASCII.minus { index += 1 }
        guard index < bytes.count else { throw JSONScanError(.unexpectedEnd, at: index) }
        if bytes[index] == ASCII.digit0 {
            index += 1
            // JSON has no leading zeros: `01` is not a number followed by `1`.
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
    }

    /// `true`, `false` or `null`, whose first byte is at `index`.
    mutating func expectLiteral(_ literal: StaticString) throws(JSONScanError) {
        let start = index
        let length = literal.utf8CodeUnitCount
        guard bytes.count - index >= length else {
            // A prefix of the literal that runs out is a truncation, anything else a typo.
            let available = bytes[index...]
            let isPrefix = literal.withUTF8Buffer { available.elementsEqual($0.prefix(available.count)) }
            throw JSONScanError(isPrefix ? .unexpectedEnd : .invalidLiteral, at: isPrefix ? bytes.count : start)
        }
        let matches = literal.withUTF8Buffer { bytes[index..<(index + length)].elementsEqual($0) }
        guard matches else { throw JSONScanError(.invalidLiteral, at: start) }
        index += length
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
}
