import ExtProc

/// The two error shapes, written with `JSONWriter` in the order the providers use: every error
/// Tollgate writes itself (its refusals, rate limits, untranslatable bodies, mid-stream failures).
enum ErrorBodies {
    /// `{"error":{"message":…,"type":…,"param":…,"code":…}}` or
    /// `{"type":"error","error":{"type":…,"message":…}}` (`param` and `code` are OpenAI's only).
    static func body(
        in dialect: APIDialect,
        type: String,
        message: String,
        param: String? = nil,
        code: String? = nil
    ) -> [UInt8] {
        var json = JSONWriter(capacity: 160)
        switch dialect {
        case .openAI:
            json.raw(#"{"error":{"message":"#)
            json.string(message)
            json.raw(#","type":"#)
            json.string(type)
            json.raw(#","param":"#)
            json.stringOrNull(param)
            json.raw(#","code":"#)
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

    /// The reply that ends an exchange with an error `body`: `status`, a JSON content type, then
    /// `headers`; `details` names the cause in Envoy's access log.
    static func immediateResponse(
        status: Int,
        body: [UInt8],
        headers: [HeaderValueOption] = [],
        details: String
    ) -> ImmediateResponse {
        let contentType = HeaderValueOption(
            HeaderField(name: "content-type", value: "application/json"),
            appendAction: .overwriteIfExistsOrAdd
        )
        return ImmediateResponse(
            status: status,
            headers: HeaderMutation(setHeaders: [contentType] + headers),
            body: body,
            details: details
        )
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
