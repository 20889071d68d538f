/// One event of a streamed Messages response: the JSON of an SSE `data:` line, whose `type`
/// repeats the SSE `event:` name.
///
/// The order the API guarantees: `message_start`; for each content block a
/// `content_block_start`, deltas and a `content_block_stop`; one or more `message_delta`;
/// `message_stop`. `ping` may come anywhere; `error` ends the stream. New event and delta types
/// may be added (Anthropic's versioning policy), so unknown ones decode as `unknown` and are
/// skipped rather than failed on.
public enum AnthropicStreamEvent: Sendable, Hashable {
    case messageStart(AnthropicMessageResponse)
    case contentBlockStart(index: Int, block: AnthropicContentBlock)
    case contentBlockDelta(index: Int, delta: Delta)
    case contentBlockStop(index: Int)
    case messageDelta(stopReason: String?, stopSequence: String?, usage: AnthropicUsage?)
    case messageStop
    case ping
    case error(AnthropicErrorBody)
    case unknown(type: String)

    /// A `content_block_delta`'s `delta`.
    public enum Delta: Sendable, Hashable {
        case text(String)
        /// A fragment of the tool input's JSON text; only the concatenation is valid JSON.
        case inputJSON(String)
        case thinking(String)
        case signature(String)
        /// `citations_delta` and newer ones, kept whole.
        case other(type: String, JSONValue)

        public init(json: JSONValue) throws(WireDecodingError) {
            let object = try json.object(at: "")
            let type = try object.required("type").string(at: "type")
            switch type {
            case "text_delta": self = .text(try object.required("text").string(at: "text"))
            case "input_json_delta": self = .inputJSON(try object.required("partial_json").string(at: "partial_json"))
            case "thinking_delta": self = .thinking(try object.required("thinking").string(at: "thinking"))
            case "signature_delta": self = .signature(try object.required("signature").string(at: "signature"))
            default: self = .other(type: type, json)
            }
        }

        public var json: JSONValue {
            switch self {
            case .text(let text): .object(JSONObject(["type": .string("text_delta"), "text": .string(text)]))
            case .inputJSON(let partial):
                .object(JSONObject(["type": .string("input_json_delta"), "partial_json": .string(partial)]))
            case .thinking(let thinking):
                .object(JSONObject(["type": .string("thinking_delta"), "thinking": .string(thinking)]))
            case .signature(let signature):
                .object(JSONObject(["type": .string("signature_delta"), "signature": .string(signature)]))
            case .other(_, let json): json
            }
        }
    }

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        let type = try object.required("type").string(at: "type")
        switch type {
        case "message_start":
            self = .messageStart(
                try decoding("message") { () throws(WireDecodingError) in
                    try AnthropicMessageResponse(json: object.required("message"))
                }
            )
        case "content_block_start":
            let index = try object.required("index").int(at: "index")
            let block = try decoding("content_block") { () throws(WireDecodingError) in
                try AnthropicContentBlock(json: object.required("content_block"))
            }
            self = .contentBlockStart(index: index, block: block)
        case "content_block_delta":
            let index = try object.required("index").int(at: "index")
            let delta = try decoding("delta") { () throws(WireDecodingError) in
                try Delta(json: object.required("delta"))
            }
            self = .contentBlockDelta(index: index, delta: delta)
        case "content_block_stop":
            self = .contentBlockStop(index: try object.required("index").int(at: "index"))
        case "message_delta":
            let delta = try object.required("delta").object(at: "delta")
            let (stopReason, stopSequence) = try decoding("delta") { () throws(WireDecodingError) in
                (
                    try delta["stop_reason"]?.optionalString(at: "stop_reason"),
                    try delta["stop_sequence"]?.optionalString(at: "stop_sequence")
                )
            }
            var usage: AnthropicUsage?
            if let value = object["usage"], !value.isNull {
                usage = try decoding("usage") { () throws(WireDecodingError) in try AnthropicUsage(json: value) }
            }
            self = .messageDelta(stopReason: stopReason, stopSequence: stopSequence, usage: usage)
        case "message_stop": self = .messageStop
        case "ping": self = .ping
        case "error":
            guard let error = AnthropicErrorBody(json: json) else {
                throw WireDecodingError(path: ["error"], expected: "an object with a type", found: nil)
            }
            self = .error(error)
        default: self = .unknown(type: type)
        }
    }

    /// The SSE `event:` name, the same as the data's `type`.
    public var name: String {
        switch self {
        case .messageStart: "message_start"
        case .contentBlockStart: "content_block_start"
        case .contentBlockDelta: "content_block_delta"
        case .contentBlockStop: "content_block_stop"
        case .messageDelta: "message_delta"
        case .messageStop: "message_stop"
        case .ping: "ping"
        case .error: "error"
        case .unknown(let type): type
        }
    }

    public var json: JSONValue {
        var object = JSONObject(["type": .string(name)])
        switch self {
        case .messageStart(let message):
            object.append("message", message.json)
        case .contentBlockStart(let index, let block):
            object.append("index", .int(index))
            object.append("content_block", block.json)
        case .contentBlockDelta(let index, let delta):
            object.append("index", .int(index))
            object.append("delta", delta.json)
        case .contentBlockStop(let index):
            object.append("index", .int(index))
        case .messageDelta(let stopReason, let stopSequence, let usage):
            object.append(
                "delta",
                .object(
                    JSONObject([
                        "stop_reason": stopReason.map(JSONValue.string) ?? .null,
                        "stop_sequence": stopSequence.map(JSONValue.string) ?? .null,
                    ])
                )
            )
            object.append("usage", ifPresent: usage?.json)
        case .error(let error):
            object.append(
                "error",
                .object(JSONObject(["type": .string(error.type), "message": .string(error.message)]))
            )
        case .messageStop, .ping, .unknown:
            break
        }
        return .object(object)
    }
}
