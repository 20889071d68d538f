/// A parsed JSON document, for the bodies the translators rewrite as a whole.
///
/// The router and upstream phases never build one: they read the few top-level fields they need
/// with `JSONScanner`. Translation has to read and rebuild nearly every field, so it works on
/// this tree instead. Two properties make it fit for a gateway:
/// - objects keep their members in document order (`JSONObject`), so output is stable (golden
///   files) and unknown fields can be passed through where they are written;
/// - numbers keep their text (`JSONNumber`), so `0.7` reaches the provider as `0.7`, and a
///   64-bit id is not rounded through `Double`.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public static func int(_ value: Int) -> JSONValue {
        .number(JSONNumber(value))
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var numberValue: JSONNumber? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The value as an `Int` when it is a number with an integral value in range.
    public var intValue: Int? {
        numberValue?.intValue
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The member `key` when this is an object; nil otherwise.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The kind of the value, named as in error messages ("a string", "an object").
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
