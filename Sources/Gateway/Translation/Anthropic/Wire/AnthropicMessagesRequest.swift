/// A Messages API request (`POST /v1/messages`), with the fields translation reads typed and
/// everything else kept in `extra`, in order.
///
/// Follows Anthropic's API reference for "Create a Message": `max_tokens` is required there, and
/// `system` is a top-level string or array of text blocks, never a message role.
public struct AnthropicMessagesRequest: Sendable, Hashable {
    public var model: String
    public var messages: [AnthropicMessage]
    public var system: AnthropicSystem?
    public var maxTokens: Int?
    public var stopSequences: [String]?
    public var temperature: JSONNumber?
    public var topP: JSONNumber?
    public var topK: JSONNumber?
    public var stream: Bool?
    public var tools: [AnthropicTool]?
    public var toolChoice: AnthropicToolChoice?
    public var metadata: JSONObject?
    public var thinking: JSONValue?
    public var extra: JSONObject

    public init(
        model: String,
        messages: [AnthropicMessage],
        system: AnthropicSystem? = nil,
        maxTokens: Int? = nil,
        stopSequences: [String]? = nil,
        temperature: JSONNumber? = nil,
        topP: JSONNumber? = nil,
        topK: JSONNumber? = nil,
        stream: Bool? = nil,
        tools: [AnthropicTool]? = nil,
        toolChoice: AnthropicToolChoice? = nil,
        metadata: JSONObject? = nil,
        thinking: JSONValue? = nil,
        extra: JSONObject = JSONObject()
    ) {
        self.model = model
        self.messages = messages
        self.system = system
        self.maxTokens = maxTokens
        self.stopSequences = stopSequences
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.stream = stream
        self.tools = tools
        self.toolChoice = toolChoice
        self.metadata = metadata
        self.thinking = thinking
        self.extra = extra
    }

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        self.init(model: "", messages: [])
        for member in object {
            let key = member.key
            let value = member.value
            switch key {
            case "model": model = try value.string(at: key)
            case "messages":
                messages = try value.elements(at: key) { (element) throws(WireDecodingError) in
                    try AnthropicMessage(json: element)
                }
            case "system":
                system =
                    value.isNull
                    ? nil
                    : try decoding(key) { () throws(WireDecodingError) in
                        try AnthropicSystem(json: value)
                    }
            case "max_tokens": maxTokens = try value.optionalInt(at: key)
            case "stop_sequences":
                stopSequences =
                    value.isNull
                    ? nil
                    : try value.elements(at: key) { (element) throws(WireDecodingError) in
                        try element.string(at: "")
                    }
            case "temperature": temperature = try value.optionalNumber(at: key)
            case "top_p": topP = try value.optionalNumber(at: key)
            case "top_k": topK = try value.optionalNumber(at: key)
            case "stream": stream = try value.optionalBool(at: key)
            case "tools":
                tools =
                    value.isNull
                    ? nil
                    : try value.elements(at: key) { (element) throws(WireDecodingError) in
                        try AnthropicTool(json: element)
                    }
            case "tool_choice":
                toolChoice =
                    value.isNull
                    ? nil
                    : try decoding(key) { () throws(WireDecodingError) in
                        try AnthropicToolChoice(json: value)
                    }
            case "metadata": metadata = value.isNull ? nil : try value.object(at: key)
            case "thinking": thinking = value.isNull ? nil : value
            default: extra.append(key, value)
            }
        }
        guard object["model"] != nil else { throw .missing("model") }
        guard object["messages"] != nil else { throw .missing("messages") }
    }

    public var json: JSONValue {
        var object = JSONObject()
        object.reserveCapacity(8 + extra.count)
        object.append("model", .string(model))
        object.append("max_tokens", ifPresent: maxTokens.map(JSONValue.int))
        object.append("system", ifPresent: system?.json)
        object.append("messages", .array(messages.map(\.json)))
        object.append("stop_sequences", ifPresent: stopSequences.map { .array($0.map(JSONValue.string)) })
        object.append("temperature", ifPresent: temperature.map(JSONValue.number))
        object.append("top_p", ifPresent: topP.map(JSONValue.number))
        object.append("top_k", ifPresent: topK.map(JSONValue.number))
        object.append("stream", ifPresent: stream.map(JSONValue.bool))
        object.append("tools", ifPresent: tools.map { .array($0.map(\.json)) })
        object.append("tool_choice", ifPresent: toolChoice?.json)
        object.append("metadata", ifPresent: metadata.map(JSONValue.object))
        object.append("thinking", ifPresent: thinking)
        object.append(contentsOf: extra)
        return .object(object)
    }
}

/// The top-level `system` prompt: a string, or an array of text blocks (which may carry
/// `cache_control`).
public enum AnthropicSystem: Sendable, Hashable {
    case text(String)
    case blocks([AnthropicContentBlock])

    public init(json: JSONValue) throws(WireDecodingError) {
        switch json {
        case .string(let text): self = .text(text)
        case .array:
            self = .blocks(
                try json.elements(at: "") { (element) throws(WireDecodingError) in
                    try AnthropicContentBlock(json: element)
                }
            )
        default:
            throw WireDecodingError(path: [], expected: "a string or an array", found: json.kindDescription)
        }
    }

    public var json: JSONValue {
        switch self {
        case .text(let text): .string(text)
        case .blocks(let blocks): .array(blocks.map(\.json))
        }
    }

    /// The prompt's text: the string, or the text blocks joined with `separator`.
    public func joinedText(separator: String = "\n\n") -> String {
        switch self {
        case .text(let text): return text
        case .blocks(let blocks):
            return blocks.compactMap { block -> String? in
                if case .text(let text, _) = block { return text }
                return nil
            }.joined(separator: separator)
        }
    }
}
