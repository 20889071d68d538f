/// The two error shapes, written with `JSONWriter` in the order the providers use, for errors
/// the translators make themselves (mid-stream failures, untranslatable bodies).
enum ErrorBodies {
    /// `{"error":{"message":…,"type":…,"param":null,"code":…}}` or
    /// `{"type":"error","error":{"type":…,"message":…}}`.
    static func body(in dialect: APIDialect, type: String, message: String, code: String? = nil) -> [UInt8] {
        var json = JSONWriter(capacity: 160)
        switch dialect {
        case .openAI:
            json.raw(#"{"error":{"message":"#)
            json.string(message)
            json.raw(#","type":"#)
            json.string(type)
            json.raw(#","param":null,"code":"#)
            json.stringOrNull(code)
            json.raw("}}")
        case .anthropic:
            json.raw(#"{"type":"error","error":{"type":"#)
            json.string(type)
            json.raw(#","message":"#)
            json.string(message)
            json.raw("}}")
        }
        return json.bytes
    }
}
