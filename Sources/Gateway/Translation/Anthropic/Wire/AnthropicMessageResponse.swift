/// A buffered Messages API response (`type: "message"`), and the `message` of a stream's
/// `message_start` event (same shape, empty `content`).
public struct AnthropicMessageResponse: Sendable, Hashable {
    public var id: String
    public var model: String
    public var content: [AnthropicContentBlock]
    /// `end_turn`, `max_tokens`, `stop_sequence`, `tool_use`, `pause_turn`, `refusal`,
    /// `model_context_window_exceeded`; nil in `message_start`.
    public var stopReason: String?
    public var stopSequence: String?
    public var usage: AnthropicUsage
    public var extra: JSONObject

    public init(
        id: String,
        model: String,
        content: [AnthropicContentBlock],
        stopReason: String?,
        stopSequence: String? = nil,
        usage: AnthropicUsage,
        extra: JSONObject = JSONObject()
    ) {
        self.id = id
        self.model = model
        self.content = content
        self.stopReason = stopReason
        self.stopSequence = stopSequence
        self.usage = usage
        self.extra = extra
    }

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        self.init(id: "", model: "", content: [], stopReason: nil, usage: AnthropicUsage())
        for member in object {
            let key = member.key
            let value = member.value
            switch key {
            case "id": id = try value.string(at: key)
            case "type", "role": break
            case "model": model = try value.string(at: key)
            case "content":
                content = try value.elements(at: key) { (element) throws(WireDecodingError) in
                    try AnthropicContentBlock(json: element)
                }
            case "stop_reason": stopReason = try value.optionalString(at: key)
            case "stop_sequence": stopSequence = try value.optionalString(at: key)
            case "usage":
                usage = try decoding(key) { () throws(WireDecodingError) in try AnthropicUsage(json: value) }
            default: extra.append(key, value)
            }
        }
        guard object["content"] != nil else { throw .missing("content") }
    }

    public var json: JSONValue {
        var object = JSONObject([
            "id": .string(id),
            "type": .string("message"),
            "role": .string("assistant"),
            "model": .string(model),
            "content": .array(content.map(\.json)),
            "stop_reason": stopReason.map(JSONValue.string) ?? .null,
            "stop_sequence": stopSequence.map(JSONValue.string) ?? .null,
            "usage": usage.json,
        ])
        object.append(contentsOf: extra)
        return .object(object)
    }
}
