import Foundation
import Gateway
import Testing

/// Round trips over randomly generated bodies, checked against Foundation's parser: the scanner
/// must find the same top-level `model` and `stream`, splicing a new model must change only that
/// value, and any truncation of a valid body must be rejected.
@Suite struct JSONRandomizedTests {
    @Test func scannedFieldsMatchFoundation() throws {
        var random = SplitMix64(seed: 0x7011_6a7e)
        for _ in 0..<400 {
            let document = RandomJSON.requestBody(using: &random)
            let bytes = Array(document.text.utf8)
            let fields = try RequestBodyFields(scanning: bytes)
            let parsed = try #require(
                try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
                "\(document.text)"
            )
            #expect(fields.model == parsed["model"] as? String, "\(document.text)")
            #expect(fields.model == document.model)
            #expect(fields.stream == document.stream, "\(document.text)")
            #expect(parsed["stream"] != nil || document.stream == nil)
        }
    }

    @Test func splicedModelChangesOnlyThatValue() throws {
        var random = SplitMix64(seed: 42)
        for _ in 0..<300 {
            let document = RandomJSON.requestBody(using: &random)
            let bytes = Array(document.text.utf8)
            let fields = try RequestBodyFields(scanning: bytes)
            guard let range = fields.modelValueRange else { continue }
            let newModel = RandomJSON.string(using: &random)
            var splices = JSONSplices()
            splices.replace(range, withString: newModel)
            let spliced = splices.applied(to: bytes)

            // Byte-identical outside the value.
            #expect(Array(spliced[..<range.lowerBound]) == Array(bytes[..<range.lowerBound]))
            let tail = spliced.count - (bytes.count - range.upperBound)
            #expect(Array(spliced[tail...]) == Array(bytes[range.upperBound...]))

            // Still valid, with the new model and everything else unchanged.
            #expect(try RequestBodyFields(scanning: spliced).model == newModel)
            var before = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            var after = try #require(try JSONSerialization.jsonObject(with: Data(spliced)) as? [String: Any])
            #expect(after["model"] as? String == newModel)
            before["model"] = nil
            after["model"] = nil
            #expect(jsonCanonical(before) == jsonCanonical(after))
        }
    }

    @Test func everyTruncationIsRejected() throws {
        var random = SplitMix64(seed: 7)
        for _ in 0..<60 {
            let document = RandomJSON.requestBody(using: &random)
            let bytes = Array(document.text.utf8)
            // The last byte is the closing brace (bodies end without whitespace here).
            for cut in 0..<bytes.count {
                #expect(throws: JSONScanError.self, "cut at \(cut) of \(document.text)") {
                    try RequestBodyFields(scanning: Array(bytes[..<cut]))
                }
            }
        }
    }

    @Test func singleByteMutationsAgreeWithFoundation() throws {
        // Mutations drawn from JSON's own punctuation and ASCII, so both parsers see the same
        // grammar (no escapes or non-ASCII, where Foundation's extras and limits differ).
        let alphabet = Array(#"{}[]:,"0123456789-+.eEtrufalsn x"#.utf8)
        var random = SplitMix64(seed: 99)
        var disagreements: [String] = []
        var rejected = 0
        for _ in 0..<3000 {
            var document = RandomJSON.requestBody(using: &random, asciiOnly: true)
            var bytes = Array(document.text.utf8)
            let position = Int(random.next() % UInt64(bytes.count))
            bytes[position] = alphabet[Int(random.next() % UInt64(alphabet.count))]
            document.text = String(decoding: bytes, as: UTF8.self)
            let scanned = (try? RequestBodyFields(scanning: bytes)) != nil
            let parsed = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
            let foundationAccepts = parsed != nil && !hasDuplicateRoutingKey(bytes)
            if !scanned { rejected += 1 }
            if scanned != foundationAccepts && !(foundationAccepts && hasTrailingComma(document.text)) {
                disagreements.append(document.text)
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
        // The mutations must actually break bodies, or this test checks nothing.
        #expect(rejected > 300)
    }

    /// Foundation on Linux accepts `[1,]` and `{"a":1,}`; JSON (and the scanner) does not. True
    /// when the scanner accepts the text once such commas are gone, i.e. that is the only difference.
    private func hasTrailingComma(_ text: String) -> Bool {
        let fixed = text.replacingOccurrences(of: #",\s*([}\]])"#, with: "$1", options: .regularExpression)
        return fixed != text && (try? RequestBodyFields(scanning: Array(fixed.utf8))) != nil
    }

    /// Foundation keeps the last duplicate silently; the scanner rejects a second `model` or `stream`.
    private func hasDuplicateRoutingKey(_ bytes: [UInt8]) -> Bool {
        var counts: [String: Int] = [:]
        try? JSONScanner.forEachRootMember(in: bytes) { member in
            counts[member.key(in: bytes), default: 0] += 1
        }
        return counts["model", default: 0] > 1 || counts["stream", default: 0] > 1
    }
}

/// A deterministic generator, so a failure reproduces.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random JSON text with random whitespace, random escapes and nested decoys named `model`.
enum RandomJSON {
    struct Document {
        var text: String
        /// The top-level model when it is a string.
        var model: String?
        /// The top-level stream when it is a bool.
        var stream: Bool?
    }

    static func requestBody(using random: inout SplitMix64, asciiOnly: Bool = false) -> Document {
        var members: [String] = []
        var model: String?
        var streamValue: Bool?
        let count = Int(random.next() % 6)
        for index in 0..<count {
            // Keys: some decoys nested elsewhere are named model/stream; at top level unique names.
            members.append(
                ws(&random) + quoted("k\(index)", &random, asciiOnly) + ws(&random) + ":" + ws(&random)
                    + value(depth: 0, &random, asciiOnly) + ws(&random)
            )
        }
        switch random.next() % 4 {
        case 0:
            break
        case 1:
            // A model of another type: the scanner must not report it as a string.
            let other = ["42", "null", "true", #"["gpt"]"#, #"{"model":"x"}"#][Int(random.next() % 5)]
            members.append(ws(&random) + quoted("model", &random, asciiOnly) + ":" + ws(&random) + other)
        default:
            let name = string(using: &random, asciiOnly: asciiOnly)
            model = name
            members.append(
                ws(&random) + quoted("model", &random, asciiOnly) + ws(&random) + ":" + ws(&random)
                    + quoted(name, &random, asciiOnly)
            )
        }
        if random.next() % 2 == 0 {
            let stream = ["true", "false", "null", "1", #""true""#][Int(random.next() % 5)]
            streamValue = stream == "true" ? true : stream == "false" ? false : nil
            members.append(quoted("stream", &random, asciiOnly) + ":" + ws(&random) + stream)
        }
        members.shuffle(using: &random)
        // A non-string top-level model means `model` may be a number etc.: the expectation follows.
        let text = ws(&random) + "{" + members.joined(separator: ",") + ws(&random) + "}"
        return Document(
            text: String(text.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }),
            model: model,
            stream: streamValue
        )
    }

    static func string(using random: inout SplitMix64, asciiOnly: Bool = false) -> String {
        let pool: [String] =
            asciiOnly
            ? ["a", "b", "Z", "-", "/", " ", "7", "model", "stream", ":", ",", "{", "}", "[", "]"]
            : ["a", "b", "-", "/", " ", "é", "中", "😀", "\"", "\\", "\n", "\t", "\u{1}", "\u{7F}", "model", "\u{2028}"]
        let length = Int(random.next() % 12)
        return (0..<length).map { _ in pool[Int(random.next() % UInt64(pool.count))] }.joined()
    }

    private static func value(depth: Int, _ random: inout SplitMix64, _ asciiOnly: Bool) -> String {
        let choice = depth > 4 ? random.next() % 5 : random.next() % 8
        switch choice {
        case 0: return ["0", "-1", "3.25", "1e9", "-0.5E-3", "42"][Int(random.next() % 6)]
        case 1: return ["true", "false", "null"][Int(random.next() % 3)]
        case 2, 3, 4: return quoted(string(using: &random, asciiOnly: asciiOnly), &random, asciiOnly)
        case 5:
            let count = Int(random.next() % 4)
            let elements = (0..<count).map { _ in
                ws(&random) + value(depth: depth + 1, &random, asciiOnly) + ws(&random)
            }
            return "[" + elements.joined(separator: ",") + "]"
        default:
            let count = Int(random.next() % 4)
            let keys = ["model", "stream", "x", "y"].shuffled(using: &random).prefix(count)
            let elements = keys.map { key in
                ws(&random) + quoted(key, &random, asciiOnly) + ":" + value(depth: depth + 1, &random, asciiOnly)
            }
            return "{" + elements.joined(separator: ",") + ws(&random) + "}"
        }
    }

    /// A JSON string literal for `text`, escaping what must be and, at random, what may be.
    static func quoted(_ text: String, _ random: inout SplitMix64, _ asciiOnly: Bool) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += random.next() % 2 == 0 ? "\\n" : "\\u000a"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            case _ where !asciiOnly && random.next() % 4 == 0:
                // Escape an ordinary character anyway, as \uXXXX (a surrogate pair above the BMP).
                if scalar.value > 0xFFFF {
                    let value = scalar.value - 0x10000
                    out += String(format: "\\u%04X\\u%04x", 0xD800 + (value >> 10), 0xDC00 + (value & 0x3FF))
                } else {
                    out += String(format: "\\u%04x", scalar.value)
                }
            case "/" where !asciiOnly && random.next() % 2 == 0: out += "\\/"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func ws(_ random: inout SplitMix64) -> String {
        [" ", "", "", "\n", "\t", "\r\n  ", ""][Int(random.next() % 7)]
    }
}
