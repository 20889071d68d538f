/// Finds the members of a JSON object's root without building a tree, and checks on the way
/// that the whole document is valid JSON (RFC 8259).
///
/// The gateway reads two or three top-level fields of request bodies that can be megabytes of
/// chat history; a full parse would allocate a node per value. The scanner walks the bytes once:
/// nested values are validated and skipped with a bit stack instead of recursion, strings are
/// checked for escapes, control characters and UTF-8, and each root member is reported as byte
/// ranges (`JSONMember`), so that the caller decodes only what it reads and can splice a new value
/// into the original bytes (`JSONScanner.replacing`).
///
/// Strict where it matters to a provider that parses the same bytes afterwards: a body the scanner
/// accepts is one a conforming parser accepts. A leading byte-order mark is rejected, as RFC 8259
/// allows.
public struct JSONScanner {
    /// Arrays and objects nested deeper than this are rejected rather than walked.
    public static let maxDepth = 512

    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Calls `visit` with each member of the root object, in order, then checks that nothing but
    /// whitespace follows the object. Throws at the first byte that breaks JSON's grammar, which
    /// may come after some members were visited.
    public static func forEachRootMember(
        in bytes: [UInt8],
        _ visit: (JSONMember) throws(JSONScanError) -> Void
    ) throws(JSONScanError) {
        var scanner = JSONScanner(bytes)
        try scanner.scanRoot(visit)
    }

    // MARK: - Root

    private mutating func scanRoot(_ visit: (JSONMember) throws(JSONScanError) -> Void) throws(JSONScanError) {
        skipWhitespace()
        guard index < bytes.count else { throw JSONScanError(.empty, at: index) }
        guard bytes[index] == ASCII.openBrace else {
            // A valid value of another type is "not an object"; anything else is a syntax error.
            let start = index
            _ = try scanValue()
            skipWhitespace()
            if index < bytes.count { throw JSONScanError(.trailingCharacters, at: index) }
            throw JSONScanError(.notAnObject, at: start)
        }
        index += 1
        skipWhitespace()
        if try peek() == ASCII.closeBrace {
            index += 1
        } else {
            while true {
                let member = try scanMember()
                try visit(member)
                skipWhitespace()
                let byte = try peek()
                index += 1
                if byte == ASCII.comma {
                    skipWhitespace()
                    continue
                }
                if byte == ASCII.closeBrace { break }
                throw JSONScanError(.unexpectedCharacter, at: index - 1)
            }
        }
        skipWhitespace()
        if index < bytes.count { throw JSONScanError(.trailingCharacters, at: index) }
    }

    /// `"key" : value`, starting at the key's opening quote.
    private mutating func scanMember() throws(JSONScanError) -> JSONMember {
        guard try peek() == ASCII.quote else { throw JSONScanError(.unexpectedCharacter, at: index) }
        let (keyRange, keyHasEscapes) = try scanString()
        skipWhitespace()
        guard try peek() == ASCII.colon else { throw JSONScanError(.unexpectedCharacter, at: index) }
        index += 1
        skipWhitespace()
        let start = index
        let (kind, hasEscapes) = try scanValue()
        return JSONMember(
            keyRange: keyRange,
            keyHasEscapes: keyHasEscapes,
            valueRange: start..<index,
            valueKind: kind,
            valueHasEscapes: hasEscapes
        )
    }

    // MARK: - Values

    /// Scans the value starting at `index` (no leading whitespace) and leaves `index` after it.
    private mutating func scanValue() throws(JSONScanError) -> (JSONValueKind, hasEscapes: Bool) {
        switch try peek() {
        case ASCII.quote:
            let (_, hasEscapes) = try scanString()
            return (.string, hasEscapes)
        case ASCII.openBrace:
            try skipContainer()
            return (.object, false)
        case ASCII.openBracket:
            try skipContainer()
            return (.array, false)
        default:
            return (try scanScalar(), false)
        }
    }

    /// A number or a literal, which need no nesting.
    private mutating func scanScalar() throws(JSONScanError) -> JSONValueKind {
        switch try peek() {
        case ASCII.minus, ASCII.digit0...ASCII.digit9:
            try scanNumber()
            return .number
        case UInt8(ascii: "t"):
            try scanLiteral("true")
            return .bool
        case UInt8(ascii: "f"):
            try scanLiteral("false")
            return .bool
        case UInt8(ascii: "n"):
            try scanLiteral("null")
            return .null
        default:
            throw JSONScanError(.unexpectedCharacter, at: index)
        }
    }

    /// Skips the array or object at `index`, brackets included, validating everything inside.
    /// Iterative: the nesting is a stack of bits (object or array), so hostile depth costs no
    /// call stack.
    private mutating func skipContainer() throws(JSONScanError) {
        var stack = NestingStack()
        try stack.push(isObject: bytes[index] == ASCII.openBrace, at: index)
        index += 1
        // True right after an opening bracket, where the closing one may come at once.
        var justOpened = true
        while true {
            skipWhitespace()
            let byte = try peek()
            if justOpened && byte == stack.closer {
                index += 1
                stack.pop()
                if stack.isEmpty { return }
            } else {
                if stack.topIsObject {
                    guard byte == ASCII.quote else { throw JSONScanError(.unexpectedCharacter, at: index) }
                    _ = try scanString()
                    skipWhitespace()
                    guard try peek() == ASCII.colon else { throw JSONScanError(.unexpectedCharacter, at: index) }
                    index += 1
                    skipWhitespace()
                }
                switch try peek() {
                case ASCII.openBrace, ASCII.openBracket:
                    try stack.push(isObject: bytes[index] == ASCII.openBrace, at: index)
                    index += 1
                    justOpened = true
                    continue
                case ASCII.quote:
                    _ = try scanString()
                default:
                    _ = try scanScalar()
                }
            }
            // After a value: a comma for the next one, or closing brackets.
            if try closeAfterValue(&stack) { return }
            justOpened = false
        }
    }

    /// Consumes whitespace and closing brackets after a value until a comma (returns false, the
    /// next element follows) or until the outermost container closes (returns true).
    private mutating func closeAfterValue(_ stack: inout NestingStack) throws(JSONScanError) -> Bool {
        while true {
            skipWhitespace()
            let byte = try peek()
            if byte == ASCII.comma {
                index += 1
                return false
            }
            guard byte == stack.closer else { throw JSONScanError(.unexpectedCharacter, at: index) }
            index += 1
            stack.pop()
            if stack.isEmpty { return true }
        }
    }

    /// Scans the string whose opening quote is at `index`; returns the range between the quotes.
    private mutating func scanString() throws(JSONScanError) -> (Range<Int>, hasEscapes: Bool) {
        index += 1
        let start = index
        var hasEscapes = false
        let end = bytes.count
        while index < end {
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
            } else if byte < 0x80 {
                index += 1
            } else {
                try scanUTF8Sequence()
            }
        }
        throw JSONScanError(.unexpectedEnd, at: index)
    }

    /// The escape whose backslash is at `index`.
    private mutating func scanEscape() throws(JSONScanError) {
        let start = index
        index += 1
        switch try peek() {
        case ASCII.quote, ASCII.backslash, ASCII.slash, UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
            UInt8(ascii: "r"),
            UInt8(ascii: "t"):
            index += 1
        case UInt8(ascii: "u"):
            index += 1
            for _ in 0..<4 {
                let digit = try peek()
                guard hexValue(digit) != nil else { throw JSONScanError(.invalidEscape, at: start) }
                index += 1
            }
        default:
            throw JSONScanError(.invalidEscape, at: start)
        }
    }

    /// One multi-byte UTF-8 sequence starting at `index`, rejecting overlong forms, surrogates and
    /// code points above U+10FFFF (Unicode 15, table 3-7).
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

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func scanNumber() throws(JSONScanError) {
        let start = index
        if bytes[index] == ASCII.minus { index += 1 }
        guard index < bytes.count else { throw JSONScanError(.unexpectedEnd, at: index) }
        if bytes[index] == ASCII.digit0 {
            index += 1
            // JSON has no leading zeros: `01` is not a number followed by `1`.
            if index < bytes.count && (ASCII.digit0...ASCII.digit9).contains(bytes[index]) {
                throw JSONScanError(.invalidNumber, at: start)
            }
        } else if (ASCII.digit1...ASCII.digit9).contains(bytes[index]) {
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

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count && (ASCII.digit0...ASCII.digit9).contains(bytes[index]) { index += 1 }
        return index - start
    }

    private mutating func scanLiteral(_ literal: StaticString) throws(JSONScanError) {
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

    // MARK: - Bytes

    private func peek() throws(JSONScanError) -> UInt8 {
        guard index < bytes.count else { throw JSONScanError(.unexpectedEnd, at: index) }
        return bytes[index]
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case ASCII.space, ASCII.tab, ASCII.newline, ASCII.carriageReturn: index += 1
            default: return
            }
        }
    }
}

/// Which containers are open, innermost last: one bit each (object or array) in a word, spilling
/// to an array only past 64 levels, so that ordinary bodies allocate nothing.
private struct NestingStack {
    private var bits: UInt64 = 0
    private var spill: [Bool] = []
    private var depth = 0

    var isEmpty: Bool { depth == 0 }

    var topIsObject: Bool {
        depth > 64 ? spill[depth - 65] : bits & (1 << UInt64(depth - 1)) != 0
    }

    var closer: UInt8 { topIsObject ? ASCII.closeBrace : ASCII.closeBracket }

    mutating func push(isObject: Bool, at offset: Int) throws(JSONScanError) {
        guard depth < JSONScanner.maxDepth else { throw JSONScanError(.tooDeep, at: offset) }
        depth += 1
        if depth > 64 {
            spill.append(isObject)
        } else if isObject {
            bits |= 1 << UInt64(depth - 1)
        } else {
            bits &= ~(1 << UInt64(depth - 1))
        }
    }

    mutating func pop() {
        if depth > 64 { spill.removeLast() }
        depth -= 1
    }
}

func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case ASCII.digit0...ASCII.digit9: byte - ASCII.digit0
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// The bytes JSON's grammar is written in.
enum ASCII {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let digit0 = UInt8(ascii: "0")
    static let digit1 = UInt8(ascii: "1")
    static let digit9 = UInt8(ascii: "9")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
}
