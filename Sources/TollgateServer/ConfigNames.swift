/// The rules for names in the config file, shared by its sections.
enum ConfigNames {
    /// Provider names end up in Envoy cluster and transport-socket-match names.
    static let providerExpected = "a name of letters, digits, '-', '_' and '.'"

    static func provider(_ text: String) -> String? {
        guard (1...128).contains(text.utf8.count),
            text.unicodeScalars.allSatisfy({ $0.isASCIILetterOrDigit || $0 == "-" || $0 == "_" || $0 == "." })
        else {
            return nil
        }
        return text
    }

    /// Model names, aliases, key names and tenants travel in headers and logs.
    static let nameExpected = "a name of 1 to 256 characters without spaces or control characters"

    static func name(_ text: String) -> String? {
        guard (1...256).contains(text.utf8.count),
            text.unicodeScalars.allSatisfy({ !$0.properties.isWhitespace && $0.value >= 0x20 && $0.value != 0x7F })
        else {
            return nil
        }
        return text
    }

    static let environmentExpected = "an environment variable name ([A-Za-z_][A-Za-z0-9_]*)"

    static func environmentVariable(_ text: String) -> String? {
        guard let first = text.unicodeScalars.first, first.isASCIILetter || first == "_",
            text.unicodeScalars.allSatisfy({ $0.isASCIILetterOrDigit || $0 == "_" })
        else {
            return nil
        }
        return text
    }

    /// An HTTP header name (RFC 9110 token), lowercased for HTTP/2.
    static let headerExpected = "an HTTP header name"

    static func header(_ text: String) -> String? {
        let tokenPunctuation = Set("!#$%&'*+-.^_`|~".unicodeScalars)
        guard !text.isEmpty,
            text.unicodeScalars.allSatisfy({ $0.isASCIILetterOrDigit || tokenPunctuation.contains($0) })
        else {
            return nil
        }
        return text.lowercased()
    }

    /// A header value: visible characters, spaces and tabs, never a line break.
    static func headerValue(_ text: String) -> String? {
        guard text.unicodeScalars.allSatisfy({ $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) }) else {
            return nil
        }
        return text
    }

    /// A version string such as `2024-10-21` or `2024-10-01-preview`.
    static let versionExpected = "a version such as 2024-10-21"

    static func version(_ text: String) -> String? {
        guard (1...64).contains(text.utf8.count),
            text.unicodeScalars.allSatisfy({ $0.isASCIILetterOrDigit || $0 == "-" || $0 == "." || $0 == "_" })
        else {
            return nil
        }
        return text
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self)
    }

    fileprivate var isASCIILetterOrDigit: Bool {
        isASCIILetter || ("0"..."9").contains(self)
    }
}
