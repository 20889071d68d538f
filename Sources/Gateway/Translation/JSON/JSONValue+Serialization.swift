extension JSONValue {
    /// The value as compact JSON (no whitespace), members in their stored order: what the
    /// gateway sends on the wire.
    public var serialized: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        write(to: &bytes)
        return bytes
    }

    /// The value as compact JSON, as text.
    public var serializedText: String {
        String(decoding: serialized, as: UTF8.self)
    }

    /// Appends the value as compact JSON to `bytes`.
    public func write(to bytes: inout [UInt8]) {
        switch self {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let value): bytes.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let number): bytes.append(contentsOf: number.text.utf8)
        case .string(let string): JSONWriter.appendString(string, to: &bytes)
        case .array(let elements):
            bytes.append(ASCII.openBracket)
            for (offset, element) in elements.enumerated() {
                if offset > 0 { bytes.append(ASCII.comma) }
                element.write(to: &bytes)
            }
            bytes.append(ASCII.closeBracket)
        case .object(let object):
            bytes.append(ASCII.openBrace)
            object.writeMembers(to: &bytes, afterOthers: false)
            bytes.append(ASCII.closeBrace)
        }
    }

    /// The value as indented JSON (two spaces, `"key": value`), members in their stored order:
    /// for golden files and logs, where a reviewer reads it.
    public var prettyPrinted: String {
        var bytes: [UInt8] = []
        writePretty(to: &bytes, indent: 0)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func writePretty(to bytes: inout [UInt8], indent: Int) {
        switch self {
        case .array(let elements) where !elements.isEmpty:
            bytes.append(ASCII.openBracket)
            for (offset, element) in elements.enumerated() {
                if offset > 0 { bytes.append(ASCII.comma) }
                newline(&bytes, indent: indent + 1)
                element.writePretty(to: &bytes, indent: indent + 1)
            }
            newline(&bytes, indent: indent)
            bytes.append(ASCII.closeBracket)
        case .object(let object) where !object.isEmpty:
            bytes.append(ASCII.openBrace)
            for (offset, member) in object.members.enumerated() {
                if offset > 0 { bytes.append(ASCII.comma) }
                newline(&bytes, indent: indent + 1)
                JSONWriter.appendString(member.key, to: &bytes)
                bytes.append(contentsOf: ": ".utf8)
                member.value.writePretty(to: &bytes, indent: indent + 1)
            }
            newline(&bytes, indent: indent)
            bytes.append(ASCII.closeBrace)
        default:
            write(to: &bytes)
        }
    }

    private func newline(_ bytes: inout [UInt8], indent: Int) {
        bytes.append(ASCII.newline)
        bytes.append(contentsOf: repeatElement(ASCII.space, count: indent * 2))
    }
}

extension JSONObject {
    /// Appends the members as compact JSON without the braces, each led by a comma except the
    /// first when nothing precedes them: for writers that put known members first and pass
    /// unknown ones through after them.
    func writeMembers(to bytes: inout [UInt8], afterOthers: Bool) {
        for (offset, member) in members.enumerated() {
            if afterOthers || offset > 0 { bytes.append(ASCII.comma) }
            JSONWriter.appendString(member.key, to: &bytes)
            bytes.append(ASCII.colon)
            member.value.write(to: &bytes)
        }
    }
}
