import Gateway
import Testing

@Suite struct TranslationJSONValueTests {
    @Test func roundTripKeepsOrderAndNumberText() throws {
        let text = #"{"z":1,"a":[0.1,1e3,-0,12345678901234567890],"m":{"b":true,"a":null},"s":"é\n\"\u0001"}"#
        let value = try JSONValue(parsing: text)
        #expect(
            value.serializedText
                == #"{"z":1,"a":[0.1,1e3,-0,12345678901234567890],"m":{"b":true,"a":null},"s":"é\n\"\u0001"}"#
        )
        #expect(value["a"]?.arrayValue?[1].intValue == 1000)
        #expect(value["a"]?.arrayValue?[0].intValue == nil)
    }

    @Test func escapesAndSurrogates() throws {
        let value = try JSONValue(parsing: #"["\u00e9\ud83d\ude00\/\b\f\t", "\ud800x"]"#)
        #expect(value.arrayValue?[0].stringValue == "é😀/\u{8}\u{C}\t")
        #expect(value.arrayValue?[1].stringValue == "\u{FFFD}x")
    }

    @Test func duplicateKeysKeepBothAndReadTheLast() throws {
        let value = try JSONValue(parsing: #"{"a":1,"a":2}"#)
        #expect(value["a"]?.intValue == 2)
        #expect(value.serializedText == #"{"a":1,"a":2}"#)
    }

    @Test(arguments: [
        ("", JSONScanError.Kind.empty),
        ("{", .unexpectedEnd),
        (#"{"a" 1}"#, .unexpectedCharacter),
        ("[01]", .invalidNumber),
        ("[1.]", .invalidNumber),
        ("tru", .unexpectedEnd),
        ("nul1", .invalidLiteral),
        (#"["\x"]"#, .invalidEscape),
        ("[\"\u{1}\"]", .controlCharacterInString),
        ("{} x", .trailingCharacters),
    ])
    func rejects(text: String, kind: JSONScanError.Kind) {
        #expect(throws: JSONScanError.self) { try JSONValue(parsing: text) }
        do {
            _ = try JSONValue(parsing: text)
        } catch {
            #expect(error.kind == kind, "\(text)")
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONScanError.self) { try JSONValue(parsing: [0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func deepNestingIsRefusedNotRecursed() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONScanError.self) { try JSONValue(parsing: deep) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? JSONValue(parsing: fine)) != nil)
    }

    @Test func objectEditing() {
        var object = JSONObject(["a": .int(1), "b": .int(2)])
        object["a"] = .string("x")
        object["c"] = .bool(true)
        object["b"] = nil
        #expect(JSONValue.object(object).serializedText == #"{"a":"x","c":true}"#)
    }

    @Test func prettyPrinting() throws {
        let value = try JSONValue(parsing: #"{"a":[1,{"b":[]}],"c":{}}"#)
        #expect(value.prettyPrinted == "{\n  \"a\": [\n    1,\n    {\n      \"b\": []\n    }\n  ],\n  \"c\": {}\n}")
    }

    @Test func numbersFromDoubles() {
        #expect(JSONNumber(1.0).text == "1")
        #expect(JSONNumber(0.5).text == "0.5")
        #expect(JSONNumber(Double.nan).text == "0")
    }
}

@Suite struct TranslationJSONEscapingTests {
    /// Only what JSON requires is escaped, and every string reads back as written.
    @Test func escapesWhatJSONRequiresAndRoundTrips() {
        let samples: [(text: String, json: String)] = [
            ("", #""""#),
            ("plain", #""plain""#),
            ("quote \" and \\ backslash", #""quote \" and \\ backslash""#),
            ("é✓😀", #""é✓😀""#),
            ("tab\tnl\ncr\r", #""tab\tnl\ncr\r""#),
            ("\u{0}\u{1}\u{1F}\u{7F}", "\"\\u0000\\u0001\\u001f\u{7F}\""),
            ("\"", #""\"""#),
            ("end\n", #""end\n""#),
        ]
        for sample in samples {
            #expect(JSONValue.string(sample.text).serializedText == sample.json, "\(sample.text)")
        }
        let long = String(repeating: "a\"b\n", count: 100) + String(repeating: "x", count: 300)
        for text in samples.map(\.text) + [long] {
            var written: [UInt8] = []
            JSONWriter.appendString(text, to: &written)
            #expect(written.count == JSONWriter.encodedLength(of: text))
            #expect((try? JSONValue(parsing: written))?.stringValue == text)
        }
    }
}
