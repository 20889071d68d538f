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
        case .string(let string): Self.appendString(string, to: &bytes)
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
                Self.appendString(member.key, to: &bytes)
                bytes.append(contentsOf: ": ".utf8)
                member.value.writePretty(to: &bytes, indent: indent + 1)
            }
            newline(&bytes, indent: indent)
            bytes.append(ASCII.closeBrace)
        default:
            write(to: &bytes)
        }
    }

    /// `string` quoted and escaped exactly as `JSONWriter.appendString` writes it, but fast for
    /// long texts, which are most of a translated body: the bytes are copied out in bulk, checked
    /// with a branch-free pass, and appended in one piece when (as usual) nothing needs escaping.
    static func appendString(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(ASCII.quote)
        let utf8 = string.utf8
        if utf8.count < 32 {
            // Keys and short values: a plain loop costs less than the copy.
            for byte in utf8 {
                if needsEscape(byte) { appendEscape(byte, to: &bytes) } else { bytes.append(byte) }
            }
            bytes.append(ASCII.quote)
            return
        }
        let source = Array(utf8)
        var flags: UInt8 = 0
        for byte in source {
            flags |= (byte < 0x20 ? 1 : 0) | (byte == ASCII.quote ? 1 : 0) | (byte == ASCII.backslash ? 1 : 0)
        }
        guard flags != 0 else {
            bytes.append(contentsOf: source)
            bytes.append(ASCII.quote)
            return
        }
        var runStart = 0
        for index in source.indices where needsEscape(source[index]) {
            bytes.append(contentsOf: source[runStart..<index])
            appendEscape(source[index], to: &bytes)
            runStart = index + 1
        }
        bytes.append(contentsOf: source[runStart...])
        bytes.append(ASCII.quote)
    }

    private static func appendEscape(_ byte: UInt8, to bytes: inout [UInt8]) {
        switch byte {
        case ASCII.quote, ASCII.backslash: bytes.append(contentsOf: [ASCII.backslash, byte])
        case 0x0A: bytes.append(contentsOf: [ASCII.backslash, UInt8(ascii: "n")])
        case 0x0D: bytes.append(contentsOf: [ASCII.backslash, UInt8(ascii: "r")])
        case 0x09: bytes.append(contentsOf: [ASCII.backslash, UInt8(ascii: "t")])
        default:
            bytes.append(contentsOf: [ASCII.backslash, UInt8(ascii: "u"), ASCII.digit0, ASCII.digit0])
            bytes.append(lowercaseHexDigits[Int(byte >> 4)])
            bytes.append(lowercaseHexDigits[Int(byte & 0x0F)])
        }
    }

    private func newline(_ bytes: inout [UInt8], indent: Int) {
        bytes.append(ASCII.newline)
        bytes.append(contentsOf: repeatElement(ASCII.space, count: indent * 2))
    }
}

private let lowercaseHexDigits: [UInt8] = Array("0123456789abcdef".utf8)

private func needsEscape(_ byte: UInt8) -> Bool {
    byte < 0x20 || byte == ASCII.quote || byte == ASCII.backslash
}

extension JSONObject {
    /// Appends the members as compact JSON without the braces, each led by a comma except the
    /// first when nothing precedes them: for writers that put known members first and pass
    /// unknown ones through after them.
    func writeMembers(to bytes: inout [UInt8], afterOthers: Bool) {
        for (offset, member) in members.enumerated() {
            if afterOthers || offset > 0 { bytes.append(ASCII.comma) }
            JSONValue.appendString(member.key, to: &bytes)
            bytes.append(ASCII.colon)
            member.value.write(to: &bytes)
        }
    }
}
