/// One HTTP header or trailer as ext_proc carries it.
///
/// Envoy sends header values as bytes (`HeaderValue.raw_value`) because they need not be UTF-8,
/// so the bytes are kept exactly and `value` decodes them for the common case of text.
/// Envoy lower-cases names before sending them.
public struct HeaderField: Sendable, Hashable {
    public var name: String
    public var rawValue: [UInt8]

    public init(name: String, rawValue: [UInt8]) {
        self.name = name
        self.rawValue = rawValue
    }

    public init(name: String, value: String) {
        self.init(name: name, rawValue: Array(value.utf8))
    }

    /// The value as UTF-8 text; invalid bytes become U+FFFD.
    public var value: String {
        String(decoding: rawValue, as: UTF8.self)
    }
}
