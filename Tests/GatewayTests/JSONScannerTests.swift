import Foundation
import Gateway
import Testing

@Suite struct JSONScannerTests {
    private func fields(_ text: String) throws -> RequestBodyFields {
        try RequestBodyFields(scanning: Array(text.utf8))
    }

    private func scanError(_ bytes: [UInt8]) -> JSONScanError? {
        do {
            _ = try RequestBodyFields(scanning: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsModelAndStream() throws {
        let text = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true}"#
        let result = try fields(text)
        #expect(result.model == "gpt-4o-mini")
        #expect(result.stream == true)
        let range = try #require(result.modelValueRange)
        #expect(String(decoding: Array(text.utf8)[range], as: UTF8.self) == #""gpt-4o-mini""#)
    }

    @Test func whitespaceAroundEveryToken() throws {
        let text = " \n\t{ \r\n\"stream\" :\tfalse ,\n  \"model\"  :  \"m\"  \n}\n\t "
        let result = try fields(text)
        #expect(result.model == "m")
        #expect(result.stream == false)
        let range = try #require(result.modelValueRange)
        #expect(String(decoding: Array(text.utf8)[range], as: UTF8.self) == #""m""#)
    }

    @Test func findsTheLastStreamOptionsAndCountsMembers() throws {
        let text = #"{"stream_options":null,"model":"m","stream_options":{"include_usage":true}}"#
        let result = try fields(text)
        let options = try #require(result.streamOptions)
        #expect(options.valueKind == .object)
        #expect(String(decoding: Array(text.utf8)[options.valueRange], as: UTF8.self) == #"{"include_usage":true}"#)
        #expect(result.memberCount == 3)
        #expect(try fields("{}").memberCount == 0)
        #expect(try fields(#"{"model":"m"}"#).streamOptions == nil)
    }

    @Test func absentFieldsAreNil() throws {
        let result = try fields(#"{"messages":[]}"#)
        #expect(result.model == nil)
        #expect(result.modelValueRange == nil)
        #expect(result.stream == nil)
        #expect(try fields("{}") == RequestBodyFields())
    }

    @Test(arguments: [
        (#"{"model":42}"#, "42"),
        (#"{"model":null}"#, "null"),
        (#"{"model":{"id":"x"}}"#, #"{"id":"x"}"#),
        (#"{"model":["a"]}"#, #"["a"]"#),
        (#"{"model":true}"#, "true"),
        (#"{"model":-1.5e+3}"#, "-1.5e+3"),
    ])
    func modelOfAnotherTypeHasARangeButNoString(text: String, raw: String) throws {
        let result = try fields(text)
        #expect(result.model == nil)
        let range = try #require(result.modelValueRange)
        #expect(String(decoding: Array(text.utf8)[range], as: UTF8.self) == raw)
    }

    @Test(arguments: [
        (#"{"stream":"true"}"#, nil as Bool?),
        (#"{"stream":1}"#, nil),
        (#"{"stream":null}"#, nil),
        (#"{"stream":false}"#, false),
        (#"{"stream":true}"#, true),
    ])
    func streamIsReadOnlyAsABool(text: String, expected: Bool?) throws {
        #expect(try fields(text).stream == expected)
    }

    @Test(arguments: [
        (#"{"model":"gpt\u002d4o"}"#, "gpt-4o"),
        (#"{"model":"a\"b\\c\/d"}"#, "a\"b\\c/d"),
        (#"{"model":"\b\f\n\r\t"}"#, "\u{8}\u{C}\n\r\t"),
        (#"{"model":"\u00e9\u4e2d"}"#, "é中"),
        (#"{"model":"\ud83d\ude00!"}"#, "😀!"),
        (#"{"model":"\uD83D\uDE00"}"#, "😀"),
        (#"{"model":"x\ud800y"}"#, "x\u{FFFD}y"),
        (#"{"model":"\udc00"}"#, "\u{FFFD}"),
        (#"{"model":"\ud800\u0041"}"#, "\u{FFFD}A"),
        ("{\"model\":\"héllo 中文 😀\"}", "héllo 中文 😀"),
        (#"{"model":""}"#, ""),
    ])
    func decodesStringEscapes(text: String, expected: String) throws {
        #expect(try fields(text).model == expected)
    }

    @Test func escapedKeyStillNamesTheField() throws {
        // A provider decodes the key to "model", so the gateway must too.
        let result = try fields(#"{"mod\u0065l":"x","\u0073tream":true}"#)
        #expect(result.model == "x")
        #expect(result.stream == true)
    }

    @Test func nestedModelKeysDoNotMatch() throws {
        let text = #"""
            {"messages":[{"role":"user","content":"{\"model\":\"evil\"}","model":"nested-in-array"}],
             "metadata":{"model":"nested-in-object","stream":true,"deeper":{"model":"deepest"}},
             "note":"\"model\":\"in a string\"",
             "model":"top-level",
             "tools":[[["model"]],{"model":{"model":"x"}}]}
            """#
        let result = try fields(text)
        #expect(result.model == "top-level")
        #expect(result.stream == nil)
    }

    @Test func keysThatOnlyLookLikeModelDoNotMatch() throws {
        let result = try fields(#"{"modelx":"a","mode":"b","Model":"c","model ":"d","streams":true}"#)
        #expect(result.model == nil)
        #expect(result.stream == nil)
    }

    @Test(arguments: [
        #"{"model":"a","model":"b"}"#,
        #"{"model":"a","mod\u0065l":"b"}"#,
        #"{"model":1,"model":"b"}"#,
    ])
    func duplicateModelIsRejected(text: String) throws {
        let error = try #require(scanError(Array(text.utf8)))
        #expect(error.kind == .duplicateKey("model"))
    }

    @Test func duplicateStreamIsRejected() throws {
        let error = try #require(scanError(Array(#"{"stream":true,"model":"m","stream":false}"#.utf8)))
        #expect(error.kind == .duplicateKey("stream"))
        #expect(error.offset == 27)
    }

    @Test func duplicateOtherKeysAreFine() throws {
        #expect(try fields(#"{"a":1,"a":2,"model":"m"}"#).model == "m")
    }

    @Test(arguments: [
        ("", JSONScanError.Kind.empty, 0),
        ("  \n", .empty, 3),
        ("[]", .notAnObject, 0),
        (" \"model\"", .notAnObject, 1),
        ("42", .notAnObject, 0),
        ("null", .notAnObject, 0),
        ("[1,", .unexpectedEnd, 3),
        ("{", .unexpectedEnd, 1),
        (#"{"model""#, .unexpectedEnd, 8),
        (#"{"model":"#, .unexpectedEnd, 9),
        (#"{"model":"gpt"#, .unexpectedEnd, 13),
        (#"{"model":"gpt""#, .unexpectedEnd, 14),
        (#"{"model":"gpt","#, .unexpectedEnd, 15),
        (#"{"a":[1,2"#, .unexpectedEnd, 9),
        (#"{"a":{"b":"#, .unexpectedEnd, 10),
        (#"{"a":tr"#, .unexpectedEnd, 7),
        (#"{"a":"\u00"#, .unexpectedEnd, 10),
        (#"{"a":"\"#, .unexpectedEnd, 7),
        (#"{"model":"x"}x"#, .trailingCharacters, 13),
        (#"{"model":"x"}{}"#, .trailingCharacters, 13),
        (#"{"model":"x"} ,"#, .trailingCharacters, 14),
        ("[] x", .trailingCharacters, 3),
        (#"{"model":"x",}"#, .unexpectedCharacter, 13),
        ("{,}", .unexpectedCharacter, 1),
        (#"{"a" 1}"#, .unexpectedCharacter, 5),
        (#"{"a":1 "b":2}"#, .unexpectedCharacter, 7),
        (#"{"a":[1,2}"#, .unexpectedCharacter, 9),
        (#"{"a":[1,2,]}"#, .unexpectedCharacter, 10),
        (#"{"a":{"b"}}"#, .unexpectedCharacter, 9),
        (#"{"a":{"b":1,}}"#, .unexpectedCharacter, 12),
        (#"{"a":{1:2}}"#, .unexpectedCharacter, 6),
        ("{'a':1}", .unexpectedCharacter, 1),
        (#"{"a":undefined}"#, .unexpectedCharacter, 5),
        (#"{"a":+1}"#, .unexpectedCharacter, 5),
        (#"{"a":.5}"#, .unexpectedCharacter, 5),
        (#"{"a":[}"#, .unexpectedCharacter, 6),
        (#"{"a":]}"#, .unexpectedCharacter, 5),
        ("{a:1}", .unexpectedCharacter, 1),
        ("\u{FEFF}{}", .unexpectedCharacter, 0),
        (#"{"a":01}"#, .invalidNumber, 5),
        (#"{"a":-01}"#, .invalidNumber, 5),
        (#"{"a":1.}"#, .invalidNumber, 5),
        (#"{"a":-}"#, .invalidNumber, 5),
        (#"{"a":-x}"#, .invalidNumber, 5),
        (#"{"a":1e}"#, .invalidNumber, 5),
        (#"{"a":1e+}"#, .invalidNumber, 5),
        (#"{"a":[1.e5]}"#, .invalidNumber, 6),
        (#"{"a":tru}"#, .invalidLiteral, 5),
        (#"{"a":nul1}"#, .invalidLiteral, 5),
        (#"{"a":True}"#, .unexpectedCharacter, 5),
        (#"{"a":falsey}"#, .unexpectedCharacter, 10),
        (#"{"a":"\x"}"#, .invalidEscape, 6),
        (#"{"a":"\u12g4"}"#, .invalidEscape, 6),
        (#"{"a":"\U0041"}"#, .invalidEscape, 6),
        (#"{"a\q":1}"#, .invalidEscape, 3),
        ("{\"a\":\"tab\there\"}", .controlCharacterInString, 9),
        ("{\"a\":\"new\nline\"}", .controlCharacterInString, 9),
        ("{\"a\":\"nul\u{0}\"}", .controlCharacterInString, 9),
    ])
    func malformedInputs(text: String, kind: JSONScanError.Kind, offset: Int) throws {
        let error = try #require(scanError(Array(text.utf8)))
        #expect(error.kind == kind)
        #expect(error.offset == offset)
    }

    @Test(
        arguments: [
            [0xFF],
            [0xC0, 0xAF],  // overlong "/"
            [0xE0, 0x80, 0xAF],  // overlong
            [0xED, 0xA0, 0x80],  // UTF-16 surrogate encoded in UTF-8
            [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
            [0xF8, 0x88, 0x80, 0x80, 0x80],
            [0x80],  // lone continuation byte
            [0xC3, 0x28],  // lead byte without continuation
        ] as [[UInt8]]
    )
    func invalidUTF8InStrings(sequence: [UInt8]) throws {
        let bytes = Array(#"{"model":"a"#.utf8) + sequence + Array(#"b"}"#.utf8)
        let error = try #require(scanError(bytes))
        #expect(error.kind == .invalidUTF8)
        #expect(error.offset == 11)
    }

    @Test func utf8CutAtTheEndIsTruncation() throws {
        let bytes = Array(#"{"model":"a"#.utf8) + [0xE4, 0xB8]
        let error = try #require(scanError(bytes))
        #expect(error.kind == .unexpectedEnd)
    }

    @Test func nonASCIIOutsideStringsIsUnexpected() throws {
        let error = try #require(scanError(Array("{\"a\":é}".utf8)))
        #expect(error.kind == .unexpectedCharacter)
        #expect(error.offset == 5)
    }

    @Test func everyKindOfValueIsSkipped() throws {
        let text = #"""
            {"o":{},"a":[],"n":[0,-0,1,-1,0.5,1e10,1E-10,-2.5e+3,123456789012345678901234567890],
             "l":[true,false,null],"s":["", "\"", "\\\/\b\f\n\r\t\u0000\uffff"],
             "deep":{"a":[{"b":[{"c":{}}]}],"e":[[[]]]}, "model" : "m" }
            """#
        #expect(try fields(text).model == "m")
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        // Alternating arrays and objects, deeper than the 64 levels kept in one word.
        let depth = JSONScanner.maxDepth
        var text = #"{"model":"m","x":"#
        for level in 0..<depth { text += level % 2 == 0 ? "[" : #"{"k":"# }
        text += "1"
        for level in (0..<depth).reversed() { text += level % 2 == 0 ? "]" : "}" }
        text += "}"
        #expect(try fields(text).model == "m")
    }

    @Test func nestingPastTheLimitIsRejected() throws {
        let depth = JSONScanner.maxDepth + 1
        let text = #"{"x":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        let error = try #require(scanError(Array(text.utf8)))
        #expect(error.kind == .tooDeep)
        #expect(error.offset == 5 + JSONScanner.maxDepth)
    }

    @Test func mismatchedBracketsDeepInsideAreRejected() throws {
        // 70 levels: the mismatch sits in the spilled part of the nesting stack.
        let opens = String(repeating: "[", count: 70) + "{"
        let text = #"{"x":"# + opens + "]" + String(repeating: "]", count: 70) + "}"
        let error = try #require(scanError(Array(text.utf8)))
        #expect(error.kind == .unexpectedCharacter)
        #expect(error.offset == 5 + 71)
    }

    @Test func errorDescriptionsNameTheProblemAndOffset() {
        #expect(JSONScanError(.unexpectedEnd, at: 12).description == "unexpected end of JSON at byte 12")
        #expect(JSONScanError(.empty, at: 0).description == "the body is empty")
        #expect(JSONScanError(.duplicateKey("model"), at: 3).description == "duplicate key \"model\" at byte 3")
    }

    @Test func forEachRootMemberReportsEveryMemberInOrder() throws {
        let body = Array(#"{"a":1,"b\n":"x\"y","c":[1,{"d":2}],"e":null}"#.utf8)
        var members: [(String, JSONValueKind, String)] = []
        try JSONScanner.forEachRootMember(in: body) { member in
            members.append(
                (member.key(in: body), member.valueKind, String(decoding: body[member.valueRange], as: UTF8.self))
            )
        }
        #expect(members.map(\.0) == ["a", "b\n", "c", "e"])
        #expect(members.map(\.1) == [.number, .string, .array, .null])
        #expect(members.map(\.2) == ["1", #""x\"y""#, #"[1,{"d":2}]"#, "null"])
    }
}
