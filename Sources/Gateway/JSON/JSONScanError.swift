/// Why a request body is not the JSON object the gateway expects, and where the problem starts.
///
/// The description is written for the client: it names the problem and the byte offset in the
/// body they sent, and nothing about the gateway.
public struct JSONScanError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The body has no bytes, or only whitespace.
        case empty
        /// The body is valid-looking JSON whose root is not an object (an array, a string…).
        case notAnObject
        /// The body stops in the middle of a value.
        case unexpectedEnd
        /// A byte that cannot start or continue what the grammar expects here.
        case unexpectedCharacter
        /// A backslash followed by something JSON does not define, or a short `\u` escape.
        case invalidEscape
        /// An unescaped control character (U+0000 to U+001F) inside a string.
        case controlCharacterInString
        /// Bytes inside a string that are not UTF-8.
        case invalidUTF8
        /// A number that does not follow JSON's grammar (`01`, `1.`, `-`, `1e`).
        case invalidNumber
        /// Something that starts like `true`, `false` or `null` and is not.
        case invalidLiteral
        /// More than whitespace after the root object.
        case trailingCharacters
        /// Arrays and objects nested deeper than `JSONScanner.maxDepth`.
        case tooDeep
        /// A top-level key the gateway reads appears twice, so the provider might read another value.
        case duplicateKey(String)
    }

    public var kind: Kind
    /// Where in the body the problem was found, counted in bytes from 0.
    public var offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String {
        switch kind {
        case .empty: "the body is empty"
        case .notAnObject: "the body must be a JSON object"
        case .unexpectedEnd: "unexpected end of JSON at byte \(offset)"
        case .unexpectedCharacter: "unexpected character at byte \(offset)"
        case .invalidEscape: "invalid escape sequence in a string at byte \(offset)"
        case .controlCharacterInString: "unescaped control character in a string at byte \(offset)"
        case .invalidUTF8: "invalid UTF-8 in a string at byte \(offset)"
        case .invalidNumber: "invalid number at byte \(offset)"
        case .invalidLiteral: "invalid literal at byte \(offset)"
        case .trailingCharacters: "unexpected data after the JSON object at byte \(offset)"
        case .tooDeep: "JSON nested deeper than \(JSONScanner.maxDepth) levels at byte \(offset)"
        case .duplicateKey(let key): "duplicate key \"\(key)\" at byte \(offset)"
        }
    }
}
