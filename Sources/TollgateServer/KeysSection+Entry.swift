import Gateway

extension KeysSection {
    /// The YAML lines of one `keys:` item, indented to paste under `keys:`, as `tollgate key new`
    /// prints them. Values are double-quoted, so any name reads back as written.
    public static func entry(name: String, tenant: String, sha256: [UInt8], models: [String]) -> String {
        """
          - name: \(quoted(name))
            tenant: \(quoted(tenant))
            sha256: \(GatewayKeyDigest.hex(sha256))
            models: [\(models.map(quoted).joined(separator: ", "))]

        """
    }

    /// Whether `tollgate key new` may write `text` as a key name or tenant.
    public static func isValidName(_ text: String) -> Bool {
        ConfigNames.name(text) != nil
    }

    /// A YAML double-quoted scalar (YAML's double-quoted style accepts JSON's escapes).
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
