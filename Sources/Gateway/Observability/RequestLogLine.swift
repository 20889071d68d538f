/// One request as a line of the request log: a flat JSON object, the same facts as its ledger row
/// plus how the exchange ended, for log pipelines that want one event per request.
///
/// ```json
/// {"time":"2025-03-01T12:30:05.250Z","type":"request","request_id":"7","envoy_request_id":"1f0c…",
///  "key":"team-a","tenant":"acme","endpoint":"/v1/chat/completions","model":"gpt-4o-mini",
///  "client_model":"fast","stream":true,"status":200,"rejection":null,"provider":"openai",
///  "backend":"gpt-4o-mini/0","upstream_model":"gpt-4o-mini","attempts":1,"input_tokens":17,
///  "output_tokens":9,"cached_input_tokens":4,"cache_creation_input_tokens":0,"reasoning_tokens":2,
///  "usage_complete":true,"cost_usd":0.000012,"ttft_ms":212.5,"duration_ms":804.25,
///  "stream_outcome":"completed","interrupted":false}
/// ```
///
/// **No secrets.** A completion holds no key and no credential, only the key's configured name. The
/// strings a client chose (`client_model`, `envoy_request_id`) are escaped and cut to
/// `maxClientText` bytes, so a client cannot forge lines or make one huge.
///
/// Absent values are `null`, never left out, so every line has the same fields. `cost_usd` is
/// exact (six decimals, from micro-dollars) and `null` when the model has no price; token fields
/// are `null` when the response carried no usage.
public struct RequestLogLine: Sendable {
    /// The line, without its line feed.
    public let bytes: [UInt8]

    /// The longest client-chosen string kept, in UTF-8 bytes.
    static let maxClientText = 256

    public init(_ completion: RequestCompletion, time: UnixTime, costMicros: Int64?) {
        var json = JSONWriter(capacity: 640)
        json.raw(#"{"time":""#)
        json.raw(writing: time.appendISO8601)
        json.raw(#"","type":"request","request_id":"#)
        json.stringOrNull(completion.requestID?.description)
        json.raw(#","envoy_request_id":"#)
        json.stringOrNull(completion.envoyRequestID.map(Self.clipped))
        json.raw(#","key":"#)
        json.stringOrNull(completion.keyName)
        json.raw(#","tenant":"#)
        json.stringOrNull(completion.tenant)
        json.raw(#","endpoint":"#)
        json.stringOrNull(completion.endpoint?.path)
        json.raw(#","model":"#)
        json.stringOrNull(completion.model)
        json.raw(#","client_model":"#)
        json.stringOrNull(completion.clientModel.map(Self.clipped))
        json.raw(#","stream":"#)
        json.boolean(completion.stream)
        json.raw(#","status":"#)
        json.integerOrNull(completion.status)
        json.raw(#","rejection":"#)
        json.stringOrNull(completion.rejection.map(Self.clipped))
        json.raw(#","provider":"#)
        json.stringOrNull(completion.provider)
        json.raw(#","backend":"#)
        json.stringOrNull(completion.backendID)
        json.raw(#","upstream_model":"#)
        json.stringOrNull(completion.upstreamModel)
        json.raw(#","attempts":"#)
        json.integer(completion.attempts)
        let usage = completion.usage
        json.raw(#","input_tokens":"#)
        json.integerOrNull(usage?.inputTokens)
        json.raw(#","output_tokens":"#)
        json.integerOrNull(usage?.outputTokens)
        json.raw(#","cached_input_tokens":"#)
        json.integerOrNull(usage?.cachedInputTokens)
        json.raw(#","cache_creation_input_tokens":"#)
        json.integerOrNull(usage?.cacheCreationInputTokens)
        json.raw(#","reasoning_tokens":"#)
        json.integerOrNull(usage?.reasoningTokens)
        json.raw(#","usage_complete":"#)
        if let usage { json.boolean(usage.isComplete) } else { json.raw("null") }
        json.raw(#","cost_usd":"#)
        if let costMicros { json.raw(MicroDollars.format(costMicros).utf8) } else { json.raw("null") }
        json.raw(#","ttft_ms":"#)
        if let firstToken = completion.timeToFirstToken {
            json.raw(Self.milliseconds(firstToken).utf8)
        } else {
            json.raw("null")
        }
        json.raw(#","duration_ms":"#)
        json.raw(Self.milliseconds(completion.duration).utf8)
        json.raw(#","stream_outcome":"#)
        json.stringOrNull(completion.streamOutcome?.metadataValue)
        json.raw(#","interrupted":"#)
        json.boolean(completion.interrupted)
        json.raw("}")
        bytes = json.bytes
    }

    /// At most `maxClientText` bytes of `text`; a character cut in two becomes U+FFFD.
    static func clipped(_ text: String) -> String {
        text.utf8.count <= maxClientText ? text : String(decoding: text.utf8.prefix(maxClientText), as: UTF8.self)
    }

    /// `duration` in milliseconds with up to three decimals (microseconds), as a JSON number:
    /// `804.25`, `3`, never an exponent.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micros = max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        let whole = String(micros / 1000)
        var fraction = micros % 1000
        guard fraction != 0 else { return whole }
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let text = String(fraction)
        return whole + "." + String(repeating: "0", count: digits - text.count) + text
    }
}

extension JSONWriter {
    fileprivate mutating func boolean(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    fileprivate mutating func integerOrNull(_ value: Int?) {
        if let value { integer(value) } else { raw("null") }
    }
}
