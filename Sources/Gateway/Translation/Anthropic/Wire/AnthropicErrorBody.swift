/// Anthropic's error body: `{"type":"error","error":{"type","message"},"request_id"}`, also the
/// data of a stream's `error` event.
public struct AnthropicErrorBody: Sendable, Hashable {
    /// `invalid_request_error`, `authentication_error`, `billing_error`, `permission_error`,
    /// `not_found_error`, `request_too_large`, `rate_limit_error`, `api_error`, `timeout_error`,
    /// `overloaded_error`.
    public var type: String
    public var message: String

    public init(type: String, message: String) {
        self.type = type
        self.message = message
    }

    /// The error in `body`, or nil when the body is not Anthropic's error shape.
    public init?(body: [UInt8]) {
        guard let json = try? JSONValue(parsing: body) else { return nil }
        self.init(json: json)
    }

    public init?(json: JSONValue) {
        guard let error = json["error"]?.objectValue, let type = error["type"]?.stringValue else { return nil }
        self.type = type
        message = error["message"]?.stringValue ?? ""
    }
}
