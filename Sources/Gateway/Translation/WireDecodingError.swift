/// A wire body that is valid JSON but not the shape its API documents: a field of the wrong
/// type, a required field missing. Says where, as a path from the root (`messages[2].content`),
/// in terms the sender of the body can act on.
///
/// Decoding builds the path only on the way out of an error (`prefixed(by:)`), so a body that
/// decodes costs no string work.
public struct WireDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Path components from the root, outermost first: keys and `[index]` subscripts.
    public var path: [String]
    /// What was expected there, e.g. "a string" or "present".
    public var expected: String
    /// What was found, e.g. "a number"; nil when the field is missing.
    public var found: String?

    public init(path: [String], expected: String, found: String?) {
        self.path = path
        self.expected = expected
        self.found = found
    }

    static func missing(_ key: String) -> WireDecodingError {
        WireDecodingError(path: [key], expected: "present", found: nil)
    }

    static func wrongType(_ key: String, expected: String, found value: JSONValue) -> WireDecodingError {
        WireDecodingError(path: [key], expected: expected, found: value.kindDescription)
    }

    static func invalid(_ key: String, expected: String) -> WireDecodingError {
        WireDecodingError(path: [key], expected: expected, found: nil)
    }

    /// The same error, one level deeper: `component` is the key or `[index]` of the container.
    func prefixed(by component: String) -> WireDecodingError {
        var copy = self
        copy.path.insert(component, at: 0)
        return copy
    }

    /// The path as written in messages: `messages[2].content`.
    public var pathDescription: String {
        var text = ""
        // An empty component is a value with no key of its own (an array element itself).
        for component in path where !component.isEmpty {
            if component.hasPrefix("[") || text.isEmpty {
                text += component
            } else {
                text += "." + component
            }
        }
        return text.isEmpty ? "the body" : "'\(text)'"
    }

    public var description: String {
        if let found {
            return "\(pathDescription) must be \(expected), not \(found)"
        }
        if expected == "present" {
            return "\(pathDescription) is required"
        }
        return "\(pathDescription) must be \(expected)"
    }
}

/// Typed readers for wire decoding: each names the key in its error, so callers only add the
/// outer path.
extension JSONValue {
    func object(at key: String) throws(WireDecodingError) -> JSONObject {
        guard case .object(let object) = self else { throw .wrongType(key, expected: "an object", found: self) }
        return object
    }

    func array(at key: String) throws(WireDecodingError) -> [JSONValue] {
        guard case .array(let array) = self else { throw .wrongType(key, expected: "an array", found: self) }
        return array
    }

    func string(at key: String) throws(WireDecodingError) -> String {
        guard case .string(let string) = self else { throw .wrongType(key, expected: "a string", found: self) }
        return string
    }

    /// A string, or nil for JSON null.
    func optionalString(at key: String) throws(WireDecodingError) -> String? {
        switch self {
        case .null: return nil
        case .string(let string): return string
        default: throw .wrongType(key, expected: "a string", found: self)
        }
    }

    func bool(at key: String) throws(WireDecodingError) -> Bool {
        guard case .bool(let bool) = self else { throw .wrongType(key, expected: "a boolean", found: self) }
        return bool
    }

    /// A boolean, or nil for JSON null.
    func optionalBool(at key: String) throws(WireDecodingError) -> Bool? {
        switch self {
        case .null: return nil
        case .bool(let bool): return bool
        default: throw .wrongType(key, expected: "a boolean", found: self)
        }
    }

    func number(at key: String) throws(WireDecodingError) -> JSONNumber {
        guard case .number(let number) = self else { throw .wrongType(key, expected: "a number", found: self) }
        return number
    }

    /// A number, or nil for JSON null.
    func optionalNumber(at key: String) throws(WireDecodingError) -> JSONNumber? {
        switch self {
        case .null: return nil
        case .number(let number): return number
        default: throw .wrongType(key, expected: "a number", found: self)
        }
    }

    func int(at key: String) throws(WireDecodingError) -> Int {
        guard case .number(let number) = self else { throw .wrongType(key, expected: "an integer", found: self) }
        guard let value = number.intValue else { throw .invalid(key, expected: "an integer") }
        return value
    }

    /// An integer, or nil for JSON null.
    func optionalInt(at key: String) throws(WireDecodingError) -> Int? {
        if case .null = self { return nil }
        return try int(at: key)
    }

    /// Decodes each element with `decode`, adding `key[index]` to the path of an error.
    func elements<T>(
        at key: String,
        _ decode: (JSONValue) throws(WireDecodingError) -> T
    ) throws(WireDecodingError) -> [T] {
        let array = try array(at: key)
        var result: [T] = []
        result.reserveCapacity(array.count)
        for (index, element) in array.enumerated() {
            do {
                result.append(try decode(element))
            } catch {
                throw error.prefixed(by: "[\(index)]").prefixed(by: key)
            }
        }
        return result
    }
}

extension JSONObject {
    /// The value of a member that must be present.
    func required(_ key: String) throws(WireDecodingError) -> JSONValue {
        guard let value = self[key] else { throw .missing(key) }
        return value
    }
}

/// Runs `decode` and adds `key` to the path of its error.
func decoding<T>(_ key: String, _ decode: () throws(WireDecodingError) -> T) throws(WireDecodingError) -> T {
    do {
        return try decode()
    } catch {
        throw error.prefixed(by: key)
    }
}
