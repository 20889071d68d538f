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

    /// The data of the Responses API's stream `error` event:
    /// `{"type":"error","code":…,"message":…,"param":null,"sequence_number":…}`.
    static func responsesStreamError(code: String, message: String, sequenceNumber: Int) -> [UInt8] {
        var json = JSONWriter(capacity: 192)
        json.raw(#"{"type":"error","code":"#)
        json.string(code)
        json.raw(#","message":"#)
        json.string(message)
        json.raw(#","param":null,"sequence_number":"#)
        json.integer(sequenceNumber)
        json.raw("}")
        return json.bytes
    }
}
