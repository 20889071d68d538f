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

        public func write(to bytes: inout [UInt8]) {
            switch self {
            case .text(let text): Self.write(#"{"type":"text_delta","text":"#, text, to: &bytes)
            case .inputJSON(let partial):
                Self.write(#"{"type":"input_json_delta","partial_json":"#, partial, to: &bytes)
            case .thinking(let thinking): Self.write(#"{"type":"thinking_delta","thinking":"#, thinking, to: &bytes)
            case .signature(let signature):
                Self.write(#"{"type":"signature_delta","signature":"#, signature, to: &bytes)
            case .other(_, let json): json.write(to: &bytes)
            }
        }

        private static func write(_ head: StaticString, _ value: String, to bytes: inout [UInt8]) {
            head.withUTF8Buffer { bytes.append(contentsOf: $0) }
            JSONWriter.appendString(value, to: &bytes)
            bytes.append(ASCII.closeBrace)
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

    /// Appends the event as compact JSON, straight to bytes: a translated stream writes one per
    /// provider chunk. The members written once per stream or block (the message, a block's
    /// start, usage) go through their JSON trees.
    public func write(to bytes: inout [UInt8]) {
        bytes.append(contentsOf: #"{"type":"#.utf8)
        JSONWriter.appendString(name, to: &bytes)
        switch self {
        case .messageStart(let message):
            bytes.append(contentsOf: #","message":"#.utf8)
            message.json.write(to: &bytes)
        case .contentBlockStart(let index, let block):
            Self.writeIndex(index, to: &bytes)
            bytes.append(contentsOf: #","content_block":"#.utf8)
            block.json.write(to: &bytes)
        case .contentBlockDelta(let index, let delta):
            Self.writeIndex(index, to: &bytes)
            bytes.append(contentsOf: #","delta":"#.utf8)
            delta.write(to: &bytes)
        case .contentBlockStop(let index):
            Self.writeIndex(index, to: &bytes)
        case .messageDelta(let stopReason, let stopSequence, let usage):
            bytes.append(contentsOf: #","delta":{"stop_reason":"#.utf8)
            Self.writeStringOrNull(stopReason, to: &bytes)
            bytes.append(contentsOf: #","stop_sequence":"#.utf8)
            Self.writeStringOrNull(stopSequence, to: &bytes)
            bytes.append(ASCII.closeBrace)
            if let usage {
                bytes.append(contentsOf: #","usage":"#.utf8)
                usage.json.write(to: &bytes)
            }
        case .error(let error):
            bytes.append(contentsOf: #","error":{"type":"#.utf8)
            JSONWriter.appendString(error.type, to: &bytes)
            bytes.append(contentsOf: #","message":"#.utf8)
            JSONWriter.appendString(error.message, to: &bytes)
            bytes.append(ASCII.closeBrace)
        case .messageStop, .ping, .unknown:
            break
        }
        bytes.append(ASCII.closeBrace)
    }

    private static func writeIndex(_ index: Int, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: #","index":"#.utf8)
        bytes.append(contentsOf: String(index).utf8)
    }

    private static func writeStringOrNull(_ value: String?, to bytes: inout [UInt8]) {
        if let value { JSONWriter.appendString(value, to: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
    }
}
