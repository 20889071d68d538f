extension YAMLNode {
    /// Block-style YAML text, two spaces per level, ending with a newline.
    ///
    /// Strings are written plain only when YAML would read them back as the same string (no
    /// indicator characters, nothing that looks like a number, a boolean or null); every other
    /// string is double-quoted with JSON-style escapes, which YAML's double-quoted style accepts.
    public func yamlText(header: String? = nil) -> String {
        var out = ""
        if let header {
            YAMLNode.writeComment(header, indent: 0, into: &out)
        }
        switch self {
        case .map(let entries) where !entries.isEmpty:
            YAMLNode.writeEntries(entries, indent: 0, into: &out)
        case .list(let items) where !items.isEmpty:
            YAMLNode.writeItems(items, indent: 0, into: &out)
        case .map, .list, .string, .int, .bool, .null:
            out += inlineScalar + "\n"
        }
        return out
    }

    /// Scalars as they appear after `key: `; empty collections as `{}` and `[]`.
    private var inlineScalar: String {
        switch self {
        case .map: "{}"
        case .list: "[]"
        case .string(let text): YAMLNode.quoted(text)
        case .int(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        }
    }

    private static func writeEntries(_ entries: [YAMLEntry], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for entry in entries {
            if let comment = entry.comment {
                writeComment(comment, indent: indent, into: &out)
            }
            out += pad + quoted(entry.key) + ":"
            writeValue(entry.value, indent: indent, into: &out)
        }
    }

    /// Writes what follows `key:` or `-`: a scalar on the same line, or a block on the next lines.
    private static func writeValue(_ value: YAMLNode, indent: Int, into out: inout String) {
        switch value {
        case .map(let entries) where !entries.isEmpty:
            out += "\n"
            writeEntries(entries, indent: indent + 2, into: &out)
        case .list(let items) where !items.isEmpty:
            out += "\n"
            writeItems(items, indent: indent + 2, into: &out)
        case .map, .list, .string, .int, .bool, .null:
            out += " " + value.inlineScalar + "\n"
        }
    }

    private static func writeItems(_ items: [YAMLNode], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for item in items {
            switch item {
            case .map(let entries) where !entries.isEmpty:
                // The first key shares the dash's line; the rest line up under it. A comment on the
                // first key goes above the dash.
                for (index, entry) in entries.enumerated() {
                    if let comment = entry.comment {
                        writeComment(comment, indent: index == 0 ? indent : indent + 2, into: &out)
                    }
                    out += (index == 0 ? pad + "- " : pad + "  ") + quoted(entry.key) + ":"
                    writeValue(entry.value, indent: indent + 2, into: &out)
                }
            case .list(let nested) where !nested.isEmpty:
                out += pad + "-\n"
                writeItems(nested, indent: indent + 2, into: &out)
            case .map, .list, .string, .int, .bool, .null:
                out += pad + "- " + item.inlineScalar + "\n"
            }
        }
    }

    private static func writeComment(_ comment: String, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for line in comment.split(separator: "\n", omittingEmptySubsequences: false) {
            out += line.isEmpty ? pad + "#\n" : pad + "# " + line + "\n"
        }
    }

    /// `text` as a plain scalar when that reads back unchanged, else double-quoted.
    static func quoted(_ text: String) -> String {
        isPlainSafe(text) ? text : doubleQuoted(text)
    }

    private static let reservedWords: Set<String> = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ]

    private static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first else {
            return false
        }
        guard first.properties.isAlphabetic && first.isASCII || first == "_" || first == "/" else {
            return false
        }
        guard !reservedWords.contains(text.lowercased()) else {
            return false
        }
        // Letters, digits and a few punctuation marks that mean nothing inside a plain scalar.
        return text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "_-./".unicodeScalars.contains(scalar))
        }
    }

    private static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                    || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xFEFF
                {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
