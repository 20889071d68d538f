/// A duration as the config file writes it: a whole number and a unit, `250ms`, `30s`, `5m`, `1h`,
/// the way Envoy's own config reads.
enum ConfigDuration {
    /// The duration `text` names, or nil when it is not a whole number followed by ms, s, m or h.
    static func parse(_ text: String) -> Duration? {
        let digits = text.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, digits.count <= 9, let value = Int(digits) else {
            return nil
        }
        switch text.dropFirst(digits.count) {
        case "ms": return .milliseconds(value)
        case "s": return .seconds(value)
        case "m": return .seconds(value * 60)
        case "h": return .seconds(value * 3600)
        default: return nil
        }
    }

    /// The shortest way to write `duration` in the file's syntax (whole milliseconds).
    static func text(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 != 0 {
            return "\(milliseconds)ms"
        }
        if seconds % 3600 == 0 && seconds > 0 {
            return "\(seconds / 3600)h"
        }
        if seconds % 60 == 0 && seconds > 0 {
            return "\(seconds / 60)m"
        }
        return "\(seconds)s"
    }

    /// How error messages state the rule for a duration setting.
    static func expected(in range: ClosedRange<Duration>) -> String {
        "a duration such as 500ms, 30s or 5m, in \(text(range.lowerBound))...\(text(range.upperBound))"
    }
}

extension ConfigMapping {
    /// A duration within `range`, written with its unit; nil when the key is absent or null.
    mutating func duration(_ key: String, in range: ClosedRange<Duration>) throws(ConfigError) -> Duration? {
        try text(key, expected: ConfigDuration.expected(in: range)) { text in
            ConfigDuration.parse(text).flatMap { range.contains($0) ? $0 : nil }
        }
    }
}
