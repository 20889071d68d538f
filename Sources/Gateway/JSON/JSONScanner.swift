/// Finds the members of a JSON object's root without building a tree, and checks on the way
/// that the whole document is valid JSON (RFC 8259).
///
/// The gateway reads two or three top-level fields of request bodies that can be megabytes of
/// chat history; a full parse would allocate a node per value. The scanner walks the bytes once:
/// nested values are validated and skipped with a bit stack instead of recursion, strings are
/// checked for escapes, control characters and UTF-8 (`JSONReader`), and each root member is
/// reported as byte ranges (`JSONMember`), so that the caller decodes only what it reads and can
/// splice a new value into the original bytes (`JSONSplices`).
///
/// Strict where it matters to a provider that parses the same bytes afterwards: a body the scanner
/// accepts is one a conforming parser accepts. A leading byte-order mark is rejected, as RFC 8259
/// allows.
public struct JSONScanner {
    /// Arrays and objects nested deeper than this are rejected rather than walked.
    public static let maxDepth = 512

    private var reader: JSONReader

    private init(_ bytes: [UInt8]) {
        reader = JSONReader(bytes)
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
        try reader.skipToRoot()
        guard try reader.peek() == ASCII.openBrace else {
            // A valid value of another type is "not an object"; anything else is a syntax error.
            let start = reader.index
            _ = try scanValue()
            try reader.expectEnd()
            throw JSONScanError(.notAnObject, at: start)
        }
        reader.index += 1
        reader.skipWhitespace()
        if try reader.peek() == ASCII.closeBrace {
            reader.index += 1
        } else {
            repeat {
                try visit(try scanMember())
            } while try !reader.scanSeparator(closer: ASCII.closeBrace)
        }
        try reader.expectEnd()
    }

    /// `"key" : value`, starting at the key's opening quote.
    private mutating func scanMember() throws(JSONScanError) -> JSONMember {
        let (keyRange, keyHasEscapes) = try reader.scanKey()
        let start = reader.index
        let (kind, hasEscapes) = try scanValue()
        return JSONMember(
            keyRange: keyRange,
            keyHasEscapes: keyHasEscapes,
            valueRange: start..<reader.index,
            valueKind: kind,
            valueHasEscapes: hasEscapes
        )
    }

    // MARK: - Values

    /// Scans the value starting at `index` (no leading whitespace) and leaves `index` after it.
    private mutating func scanValue() throws(JSONScanError) -> (JSONValueKind, hasEscapes: Bool) {
        switch try reader.peek() {
        case ASCII.quote:
            let (_, hasEscapes) = try reader.scanString()
            return (.string, hasEscapes)
        case ASCII.openBrace:
            try skipContainer(isObject: true)
            return (.object, false)
        case ASCII.openBracket:
            try skipContainer(isObject: false)
            return (.array, false)
        default:
            return (try reader.scanScalar(), false)
        }
    }

    /// Skips the array or object whose opening bracket is at `index`, brackets included,
    /// validating everything inside. Iterative: the nesting is a stack of bits (object or array),
    /// so hostile depth costs no call stack.
    private mutating func skipContainer(isObject: Bool) throws(JSONScanError) {
        var stack = NestingStack()
        try stack.push(isObject: isObject, at: reader.index)
        reader.index += 1
        // True right after an opening bracket, where the closing one may come at once.
        var justOpened = true
        while true {
            reader.skipWhitespace()
            if justOpened, try reader.peek() == stack.closer {
                reader.index += 1
                stack.pop()
                if stack.isEmpty { return }
            } else {
                if stack.topIsObject { _ = try reader.scanKey() }
                switch try reader.peek() {
                case ASCII.openBrace, ASCII.openBracket:
                    try stack.push(isObject: reader.bytes[reader.index] == ASCII.openBrace, at: reader.index)
                    reader.index += 1
                    justOpened = true
                    continue
                case ASCII.quote:
                    _ = try reader.scanString()
                default:
                    _ = try reader.scanScalar()
                }
            }
            // After a value: a comma for the next one, or closing brackets.
            if try closeAfterValue(&stack) { return }
            justOpened = false
        }
    }

    /// Consumes the separator after a value and any closing brackets that follow, until a comma
    /// (returns false, the next element follows) or until the outermost container closes
    /// (returns true).
    private mutating func closeAfterValue(_ stack: inout NestingStack) throws(JSONScanError) -> Bool {
        while try reader.scanSeparator(closer: stack.closer) {
            stack.pop()
            if stack.isEmpty { return true }
        }
        return false
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
