/// OpenAI's error body: `{"error":{"message","type","param","code"}}`.
///
/// `code` is a string for OpenAI itself, but some compatible servers send a number; it is kept as
/// a JSON value. Bodies that are not this shape (a proxy's HTML page, a bare string) decode as
/// nil and the translator falls back on the HTTP status alone.
public struct OpenAIErrorBody: Sendable, Hashable {
    public var message: String
    public var type: String?
    public var param: String?
    public var code: JSONValue?

    public init(message: String, type: String?, param: String? = nil, code: JSONValue? = nil) {
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    /// The error in `body`, or nil when the body is not OpenAI's error shape.
    public init?(body: [UInt8]) {
        guard let json = try? JSONValue(parsing: body) else { return nil }
        self.init(json: json)
    }

    /// The error in an already parsed body (a buffered body or a stream's `data:` line).
    public init?(json: JSONValue) {
        guard let error = json["error"] else { return nil }
        switch error {
        case .object(let object):
            message = object["message"]?.stringValue ?? ""
            type = object["type"]?.stringValue
            param = object["param"]?.stringValue
            code = object["code"].flatMap { $0.isNull ? nil : $0 }
        case .string(let text):
            // Some OpenAI-compatible servers answer {"error": "message"}.
            message = text
            type = nil
            param = nil
            code = nil
        default:
            return nil
        }
    }

    /// `code` as text, whether it was sent as a string or a number.
    public var codeText: String? {
        switch code {
        case .string(let text): text
        case .number(let number): number.text
        default: nil
        }
    }
}
