/// One member (`"key": value`) of the root object, found by `JSONScanner` as byte ranges into
/// the scanned body, so that nothing is decoded or copied unless the caller asks.
public struct JSONMember: Sendable, Hashable {
    /// The key's bytes between its quotes, escapes not decoded.
    public var keyRange: Range<Int>
    /// True when the key contains a backslash, so its raw bytes are not its text.
    public var keyHasEscapes: Bool
    /// The whole value: for a string its quotes included, for a container its brackets.
    public var valueRange: Range<Int>
    public var valueKind: JSONValueKind
    /// For a string value, true when it contains a backslash.
    public var valueHasEscapes: Bool

    public init(
        keyRange: Range<Int>,
        keyHasEscapes: Bool,
        valueRange: Range<Int>,
        valueKind: JSONValueKind,
        valueHasEscapes: Bool
    ) {
        self.keyRange = keyRange
        self.keyHasEscapes = keyHasEscapes
        self.valueRange = valueRange
        self.valueKind = valueKind
        self.valueHasEscapes = valueHasEscapes
    }

    /// Whether the key, once its escapes are decoded, is `name`. Compares raw bytes when the
    /// key has no escapes, which is the common case, lengths first: most keys differ there.
    public func key(in body: [UInt8], equals name: String) -> Bool {
        if keyHasEscapes {
            return JSONReader.decodeString(body, contents: keyRange, hasEscapes: true) == name
        }
        return keyRange.count == name.utf8.count && body[keyRange].elementsEqual(name.utf8)
    }

    /// The key as text, escapes decoded.
    public func key(in body: [UInt8]) -> String {
        JSONReader.decodeString(body, contents: keyRange, hasEscapes: keyHasEscapes)
    }

    /// The value as text when it is a string, escapes decoded; nil for any other kind.
    public func stringValue(in body: [UInt8]) -> String? {
        guard valueKind == .string else { return nil }
        let contents = (valueRange.lowerBound + 1)..<(valueRange.upperBound - 1)
        return JSONReader.decodeString(body, contents: contents, hasEscapes: valueHasEscapes)
    }

    /// The value when it is `true` or `false`; nil for any other kind.
    public func boolValue(in body: [UInt8]) -> Bool? {
        guard valueKind == .bool else { return nil }
        return body[valueRange.lowerBound] == UInt8(ascii: "t")
    }
}
