/// A JSON number as its text, already checked against JSON's grammar when it came from
/// `JSONValue(parsing:)`.
///
/// Keeping the text means a number passes through the gateway unchanged (`1e3` stays `1e3`,
/// `0.1` is never `0.1000000000000000055`), and only the fields the gateway reads are converted.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    public let text: String

    /// `text` must be a number in JSON's grammar; it is written out as is.
    public init(text: String) {
        self.text = text
    }

    public init(_ value: Int) {
        text = String(value)
    }

    /// A finite double in its shortest round-trip form; non-finite values (which JSON cannot
    /// express) become 0.
    public init(_ value: Double) {
        guard value.isFinite else {
            text = "0"
            return
        }
        if value == value.rounded(), abs(value) < 1e15 {
            text = String(Int(value))
        } else {
            text = String(value)
        }
    }

    /// The value when it is integral and fits in `Int` (`3`, `3.0`, `3e2`); nil for `3.5`.
    public var intValue: Int? {
        if let value = Int(text) { return value }
        guard let double = Double(text), double == double.rounded(), abs(double) < 9.2e18 else { return nil }
        return Int(double)
    }

    public var doubleValue: Double? {
        Double(text)
    }

    public var description: String { text }
}
