import Testing

@testable import Gateway

/// The tokens `JSONReader` reads for both the scanner and the tree parser: every escape, UTF-8
/// and surrogate edge, numbers, literals, and truncation at every byte.
@Suite struct JSONReaderTests {
    /// Reads the string token that starts at the first byte of `bytes`, decoded.
    private func string(_ bytes: [UInt8]) throws(JSONScanError) -> (text: String, end: Int, hasEscapes: Bool) {
        var reader = JSONReader(bytes)
        let (contents, hasEscapes) = try reader.scanString()
        let text = JSONReader.decodeString(bytes, contents: contents, hasEscapes: hasEscapes)
        return (text, reader.index, hasEscapes)
    }

    private func string(_ text: String) throws(JSONScanError) -> String {
        try string(Array(text.utf8)).text
    }

    /// The error reading the scalar (number or literal) or string at the start of `bytes`, or
    /// nil with where the token ended.
    private func tokenError(_ bytes: [UInt8]) -> JSONScanError? {
        var reader = JSONReader(bytes)
        do {
            if bytes.first == ASCII.quote { _ = try reader.scanString() } else { _ = try reader.scanScalar() }
            return nil
        } catch {
            return error
        }
    }

    private func tokenError(_ text: String) -> JSONScanError? {
        tokenError(Array(text.utf8))
    }

    // MARK: - Strings

    @Test(arguments: [
        (#""\"""#, "\""),
        (#""\\""#, "\\"),
        (#""\/""#, "/"),
        (#""\b""#, "\u{8}"),
        (#""\f""#, "\u{C}"),
        (#""\n""#, "\n"),
        (#""\r""#, "\r"),
        (#""\t""#, "\t"),
        (#""\u0041""#, "A"),
        (#""\u00e9\u00E9""#, "éé"),
        (#""\u4E2d""#, "中"),
        (#""\u0000""#, "\u{0}"),
        (#""\uFFFF""#, "\u{FFFF}"),
        (#""a\nb\tc""#, "a\nb\tc"),
    ])
    func everyEscapeDecodes(text: String, expected: String) throws {
        let result = try string(Array(text.utf8))
        #expect(result.text == expected)
        #expect(result.hasEscapes)
        #expect(result.end == text.utf8.count)
    }

    @Test func plainStringsNeedNoDecoding() throws {
        let text = "\"héllo 中文 😀 \u{7F}\""
        let result = try string(Array(text.utf8))
        #expect(result.text == "héllo 中文 😀 \u{7F}")
        #expect(!result.hasEscapes)
        #expect(result.end == text.utf8.count)
    }

    @Test func stringEndsAtItsClosingQuote() throws {
        let result = try string(Array(#""a\"b" : 1"#.utf8))
        #expect(result.text == "a\"b")
        #expect(result.end == 6)
    }

    @Test(arguments: [
        (#""\ud83d\ude00""#, "😀"),
        (#""\uD83D\uDE00""#, "😀"),
        (#""\udbff\udfff""#, "\u{10FFFF}"),
        (#""\ud800\udc00""#, "\u{10000}"),
        (#""x\ud83d\ude00y""#, "x😀y"),
    ])
    func surrogatePairsJoin(text: String, expected: String) throws {
        #expect(try string(text) == expected)
    }

    @Test(arguments: [
        (#""\ud800""#, "\u{FFFD}"),
        (#""\udc00""#, "\u{FFFD}"),
        (#""\udfff""#, "\u{FFFD}"),
        (#""\ud800x""#, "\u{FFFD}x"),
        (#""\ud800\u0041""#, "\u{FFFD}A"),
        (#""\ud800\ud800""#, "\u{FFFD}\u{FFFD}"),
        (#""\ude00\ud83d""#, "\u{FFFD}\u{FFFD}"),
        (#""\ud800\n""#, "\u{FFFD}\n"),
        (#""\ud83d\ud83d\ude00""#, "\u{FFFD}😀"),
    ])
    func loneSurrogatesBecomeReplacementCharacters(text: String, expected: String) throws {
        #expect(try string(text) == expected)
    }

    @Test(arguments: [
        (#""\x""#, 1),
        (#""\U0041""#, 1),
        (#""\u12g4""#, 1),
        (#""\u12""#, 1),
        (#""ab\'""#, 3),
        (#""\ ""#, 1),
    ])
    func invalidEscapesAreBlamedOnTheBackslash(text: String, offset: Int) {
        let error = tokenError(text)
        #expect(error == JSONScanError(.invalidEscape, at: offset))
    }

    @Test func everyControlCharacterMustBeEscaped() {
        for byte in UInt8(0)..<0x20 {
            #expect(
                tokenError([ASCII.quote, UInt8(ascii: "a"), byte, ASCII.quote])
                    == JSONScanError(.controlCharacterInString, at: 2)
            )
        }
        #expect(tokenError([ASCII.quote, 0x7F, ASCII.quote]) == nil)
    }

    @Test(
        arguments: [
            [0xC2, 0x80],  // U+0080
            [0xDF, 0xBF],  // U+07FF
            [0xE0, 0xA0, 0x80],  // U+0800
            [0xED, 0x9F, 0xBF],  // U+D7FF
            [0xEE, 0x80, 0x80],  // U+E000
            [0xEF, 0xBF, 0xBF],  // U+FFFF
            [0xF0, 0x90, 0x80, 0x80],  // U+10000
            [0xF4, 0x8F, 0xBF, 0xBF],  // U+10FFFF
        ] as [[UInt8]]
    )
    func validUTF8AtTheBoundariesIsAccepted(sequence: [UInt8]) throws {
        let result = try string([ASCII.quote] + sequence + [ASCII.quote])
        #expect(Array(result.text.utf8) == sequence)
    }

    @Test(
        arguments: [
            [0xFF],
            [0xC0, 0xAF],  // overlong "/"
            [0xC1, 0xBF],  // overlong
            [0xE0, 0x80, 0xAF],  // overlong
            [0xE0, 0x9F, 0xBF],  // overlong
            [0xED, 0xA0, 0x80],  // UTF-16 surrogate encoded in UTF-8
            [0xED, 0xBF, 0xBF],
            [0xF0, 0x8F, 0xBF, 0xBF],  // overlong
            [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
            [0xF5, 0x80, 0x80, 0x80],
            [0xF8, 0x88, 0x80, 0x80, 0x80],
            [0x80],  // lone continuation byte
            [0xBF],
            [0xC3, 0x28],  // lead byte without continuation
            [0xE4, 0xB8, 0x41],  // third byte missing
            [0xF0, 0x9F, 0x98, 0x22],  // cut by the closing quote
        ] as [[UInt8]]
    )
    func invalidUTF8IsBlamedOnTheSequence(sequence: [UInt8]) {
        let bytes = Array(#""ab"#.utf8) + sequence + Array(#"c""#.utf8)
        #expect(tokenError(bytes) == JSONScanError(.invalidUTF8, at: 3))
    }

    @Test func invalidUTF8AfterAnEscapeIsRejectedToo() {
        #expect(
            tokenError([ASCII.quote, ASCII.backslash, UInt8(ascii: "n"), 0xFF, ASCII.quote])
                == JSONScanError(.invalidUTF8, at: 3)
        )
    }

    // MARK: - Numbers

    @Test(arguments: [
        "0", "-0", "1", "-1", "10", "1234567890", "0.5", "-0.5", "10.25", "1e5", "1E5", "1e+5", "1e-5", "1E-05",
        "-1.5e+10", "0e0", "-0E-0", "123456789012345678901234567890",
    ])
    func validNumbersAreReadWhole(text: String) {
        var reader = JSONReader(Array(text.utf8))
        #expect(throws: Never.self) { try reader.scanNumber() }
        #expect(reader.index == text.utf8.count)
    }

    @Test(arguments: [("1,", 1), ("-2]", 2), ("0.5}", 3), ("1e5 ", 3), ("0 1", 1), ("1e5.5", 3), ("-0x", 2)])
    func numbersStopAtTheFirstByteNotTheirs(text: String, end: Int) throws {
        var reader = JSONReader(Array(text.utf8))
        try reader.scanNumber()
        #expect(reader.index == end)
    }

    @Test(arguments: [
        ("01", JSONScanError.Kind.invalidNumber, 0),
        ("00", .invalidNumber, 0),
        ("-01", .invalidNumber, 0),
        ("1.", .invalidNumber, 0),
        ("1.e5", .invalidNumber, 0),
        ("-.5", .invalidNumber, 0),
        ("-x", .invalidNumber, 0),
        ("--1", .invalidNumber, 0),
        ("1e", .invalidNumber, 0),
        ("1e+", .invalidNumber, 0),
        ("1E-x", .invalidNumber, 0),
        ("2.5e", .invalidNumber, 0),
        ("-", .unexpectedEnd, 1),
        ("+1", .unexpectedCharacter, 0),
        (".5", .unexpectedCharacter, 0),
    ])
    func invalidNumbers(text: String, kind: JSONScanError.Kind, offset: Int) {
        #expect(tokenError(text) == JSONScanError(kind, at: offset))
    }

    // MARK: - Literals

    @Test(arguments: [("true", JSONValueKind.bool), ("false", .bool), ("null", .null), ("-3", .number)])
    func scalarsReportTheirKind(text: String, kind: JSONValueKind) throws {
        var reader = JSONReader(Array(text.utf8))
        #expect(try reader.scanScalar() == kind)
        #expect(reader.index == text.utf8.count)
    }

    @Test(arguments: [
        ("tru", JSONScanError.Kind.unexpectedEnd, 3),
        ("t", .unexpectedEnd, 1),
        ("fals", .unexpectedEnd, 4),
        ("nul1", .invalidLiteral, 0),
        ("trux", .invalidLiteral, 0),
        ("nil", .invalidLiteral, 0),
        ("fa", .unexpectedEnd, 2),
        ("fx", .invalidLiteral, 0),
        ("True", .unexpectedCharacter, 0),
        ("", .unexpectedEnd, 0),
    ])
    func invalidLiterals(text: String, kind: JSONScanError.Kind, offset: Int) {
        #expect(tokenError(text) == JSONScanError(kind, at: offset))
    }

    @Test func aLiteralEndsWhereItsWordDoes() throws {
        // What follows (`y`) is the caller's to reject.
        var reader = JSONReader(Array("falsey".utf8))
        #expect(try reader.scanScalar() == .bool)
        #expect(reader.index == 5)
    }

    // MARK: - Truncation

    @Test(arguments: [
        #""plain""#, #""\"\\\/\b\f\n\r\t""#, #""\u00e9\ud83d\ude00""#, "\"é中😀\"", "true", "false", "null",
    ])
    func everyTruncatedStringOrLiteralIsAnUnexpectedEnd(text: String) {
        let bytes = Array(text.utf8)
        for cut in 0..<bytes.count {
            #expect(tokenError(Array(bytes[..<cut])) == JSONScanError(.unexpectedEnd, at: cut), "cut at \(cut)")
        }
        #expect(tokenError(bytes) == nil)
    }

    @Test(arguments: ["-12.5e+30", "0.125", "-0E-7", "907"])
    func everyTruncatedNumberIsANumberOrAnError(text: String) {
        let bytes = Array(text.utf8)
        for cut in 1...bytes.count {
            let prefix = Array(bytes[..<cut])
            let expected: JSONScanError? =
                switch prefix.last {
                case ASCII.minus where cut == 1: JSONScanError(.unexpectedEnd, at: 1)
                case ASCII.dot, ASCII.plus, ASCII.minus, UInt8(ascii: "e"), UInt8(ascii: "E"):
                    JSONScanError(.invalidNumber, at: 0)
                default: nil
                }
            #expect(tokenError(prefix) == expected, "cut at \(cut)")
        }
    }

    // MARK: - Whitespace and punctuation

    @Test func onlyJSONWhitespaceIsSkipped() {
        var reader = JSONReader(Array(" \t\r\n \u{C}".utf8))
        reader.skipWhitespace()
        #expect(reader.index == 5)
        var other = JSONReader(Array("\u{B}\u{A0}".utf8))
        other.skipWhitespace()
        #expect(other.index == 0)
    }

    @Test func peekAtTheEndIsATruncation() {
        var reader = JSONReader(Array("  ".utf8))
        reader.skipWhitespace()
        #expect(throws: JSONScanError(.unexpectedEnd, at: 2)) { try reader.peek() }
    }

    @Test func aDocumentOfWhitespaceIsEmpty() throws {
        var blank = JSONReader(Array(" \r\n\t".utf8))
        #expect(throws: JSONScanError(.empty, at: 4)) { try blank.skipToRoot() }
        var document = JSONReader(Array(" \n{}".utf8))
        try document.skipToRoot()
        #expect(document.index == 2)
    }

    @Test func keysReadTheColonAndTheWhitespaceAround() throws {
        var reader = JSONReader(Array(#""k\n" :  1"#.utf8))
        let (range, hasEscapes) = try reader.scanKey()
        #expect(range == 1..<4)
        #expect(hasEscapes)
        #expect(reader.index == 9)
    }

    @Test(arguments: [(#"k:1"#, 0), (#""k" 1"#, 4), (#""k"=1"#, 3)])
    func keysWithoutQuotesOrColonAreRejected(text: String, offset: Int) {
        var reader = JSONReader(Array(text.utf8))
        #expect(throws: JSONScanError(.unexpectedCharacter, at: offset)) { try reader.scanKey() }
    }

    @Test func separatorsAreACommaOrTheCloser() throws {
        var reader = JSONReader(Array(" , \n ]".utf8))
        #expect(try reader.scanSeparator(closer: ASCII.closeBracket) == false)
        #expect(reader.index == 5)
        #expect(try reader.scanSeparator(closer: ASCII.closeBracket) == true)
        #expect(reader.index == 6)
        var wrong = JSONReader(Array("  }".utf8))
        #expect(throws: JSONScanError(.unexpectedCharacter, at: 2)) {
            try wrong.scanSeparator(closer: ASCII.closeBracket)
        }
    }

    @Test func expectEndAllowsOnlyWhitespace() throws {
        var reader = JSONReader(Array(" \n".utf8))
        try reader.expectEnd()
        var trailing = JSONReader(Array("  x".utf8))
        #expect(throws: JSONScanError(.trailingCharacters, at: 2)) { try trailing.expectEnd() }
    }
}

/// The scanner and the tree parser read the same tokens, so they must accept the same object
/// bodies and blame the same byte for the same reason.
@Suite struct JSONScannerParserAgreementTests {
    private func scanned(_ bytes: [UInt8]) -> JSONScanError? {
        do {
            try JSONScanner.forEachRootMember(in: bytes) { _ in }
            return nil
        } catch {
            return error
        }
    }

    private func parsed(_ bytes: [UInt8]) -> JSONScanError? {
        do {
            _ = try JSONValue(parsing: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func everyTruncationFailsAlike() {
        var random = SplitMix64(seed: 11)
        for _ in 0..<40 {
            let bytes = Array(RandomJSON.requestBody(using: &random).text.utf8)
            for cut in 1..<bytes.count {
                let prefix = Array(bytes[..<cut])
                #expect(scanned(prefix) != nil)
                #expect(scanned(prefix) == parsed(prefix), "cut at \(cut) of \(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }

    @Test func everySingleByteMutationFailsAlike() {
        // Any byte, so invalid UTF-8, control characters and broken escapes are covered too.
        var random = SplitMix64(seed: 12)
        var rejected = 0
        for _ in 0..<3000 {
            var bytes = Array(RandomJSON.requestBody(using: &random).text.utf8)
            let position = Int(random.next() % UInt64(bytes.count))
            bytes[position] = UInt8(truncatingIfNeeded: random.next())
            // The scanner wants an object at the root, the parser takes any value.
            guard bytes[0] == ASCII.openBrace else { continue }
            let scanError = scanned(bytes)
            if scanError != nil { rejected += 1 }
            #expect(scanError == parsed(bytes), "\(bytes)")
        }
        #expect(rejected > 300)
    }
}
