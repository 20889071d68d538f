/// Puts the commas between the members of an object written by hand, when which member comes
/// first depends on which are present.
struct JSONMemberSeparator {
    private(set) var hasWritten = false

    /// Appends a comma unless this is the first member, then `key`: the quoted key and its colon,
    /// with anything that opens the value (`"tool_calls":[`).
    mutating func appendKey(_ key: StaticString, to bytes: inout [UInt8]) {
        if hasWritten { bytes.append(ASCII.comma) }
        hasWritten = true
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A member whose value is the string `value`.
    mutating func appendString(_ value: String, key: StaticString, to bytes: inout [UInt8]) {
        appendKey(key, to: &bytes)
        JSONWriter.appendString(value, to: &bytes)
    }
}
