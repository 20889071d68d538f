/// A chat completions request (`POST /v1/chat/completions`), with the fields translation reads
/// typed and everything else kept in `extra`, in order.
///
/// Follows OpenAI's API reference for "Create chat completion". `stop` is normalised to an array
/// (the API takes a string or an array); the encoder writes the array form.
public struct OpenAIChatRequest: Sendable, Hashable {
    public var model: String
    public var messages: [OpenAIChatMessage]
    public var maxTokens: Int?
    public var maxCompletionTokens: Int?
    public var temperature: JSONNumber?
    public var topP: JSONNumber?
    public var stop: [String]?
    public var stream: Bool?
    /// `stream_options`, kept whole: `include_usage` is read through `includeUsage`.
    public var streamOptions: JSONObject?
    public var tools: [OpenAITool]?
    public var toolChoice: OpenAIToolChoice?
    public var parallelToolCalls: Bool?
    /// The deprecated end-user id, still widely sent.
    public var user: String?
    /// `n`: how many choices to generate.
    public var choiceCount: Int?
    public var metadata: JSONObject?
    /// Every other member, in the order received.
    public var extra: JSONObject

    public init(
        model: String,
        messages: [OpenAIChatMessage],
        maxTokens: Int? = nil,
        maxCompletionTokens: Int? = nil,
        temperature: JSONNumber? = nil,
        topP: JSONNumber? = nil,
        stop: [String]? = nil,
        stream: Bool? = nil,
        streamOptions: JSONObject? = nil,
        tools: [OpenAITool]? = nil,
        toolChoice: OpenAIToolChoice? = nil,
        parallelToolCalls: Bool? = nil,
        user: String? = nil,
        choiceCount: Int? = nil,
        metadata: JSONObject? = nil,
        extra: JSONObject = JSONObject()
    ) {
        self.model = model
        self.messages = messages
        self.maxTokens = maxTokens
        self.maxCompletionTokens = maxCompletionTokens
        self.temperature = temperature
        self.topP = topP
        self.stop = stop
        self.stream = stream
        self.streamOptions = streamOptions
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.user = user
        self.choiceCount = choiceCount
        self.metadata = metadata
        self.extra = extra
    }

    /// `stream_options.include_usage`: the client wants the final usage chunk.
    public var includeUsage: Bool {
        streamOptions?["include_usage"]?.boolValue ?? false
    }

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        var request = OpenAIChatRequest(model: "", messages: [])
        var sawModel = false
        var sawMessages = false
        for member in object {
            let key = member.key
            let value = member.value
            switch key {
            case "model":
                request.model = try value.string(at: key)
                sawModel = true
            case "messages":
                request.messages = try value.elements(at: key) { (element) throws(WireDecodingError) in
                    try OpenAIChatMessage(json: element)
                }
                sawMessages = true
            case "max_tokens": request.maxTokens = try value.optionalInt(at: key)
            case "max_completion_tokens": request.maxCompletionTokens = try value.optionalInt(at: key)
            case "temperature": request.temperature = try value.optionalNumber(at: key)
            case "top_p": request.topP = try value.optionalNumber(at: key)
            case "stop":
                switch value {
                case .null: request.stop = nil
                case .string(let single): request.stop = [single]
                default:
                    request.stop = try value.elements(at: key) { (element) throws(WireDecodingError) in
                        try element.string(at: "")
                    }
                }
            case "stream": request.stream = try value.optionalBool(at: key)
            case "stream_options":
                request.streamOptions = value.isNull ? nil : try value.object(at: key)
            case "tools":
                request.tools =
                    value.isNull
                    ? nil
                    : try value.elements(at: key) { (element) throws(WireDecodingError) in
                        try OpenAITool(json: element)
                    }
            case "tool_choice":
                request.toolChoice =
                    value.isNull
                    ? nil
                    : try decoding(key) { () throws(WireDecodingError) in
                        try OpenAIToolChoice(json: value)
                    }
            case "parallel_tool_calls": request.parallelToolCalls = try value.optionalBool(at: key)
            case "user": request.user = try value.optionalString(at: key)
            case "n": request.choiceCount = try value.optionalInt(at: key)
            case "metadata": request.metadata = value.isNull ? nil : try value.object(at: key)
            default: request.extra.append(key, value)
            }
        }
        guard sawModel else { throw .missing("model") }
        guard sawMessages else { throw .missing("messages") }
        self = request
    }

    public var json: JSONValue {
        var object = JSONObject()
        object.reserveCapacity(8 + extra.count)
        object.append("model", .string(model))
        object.append("messages", .array(messages.map(\.json)))
        object.append("max_tokens", ifPresent: maxTokens.map(JSONValue.int))
        object.append("max_completion_tokens", ifPresent: maxCompletionTokens.map(JSONValue.int))
        object.append("temperature", ifPresent: temperature.map(JSONValue.number))
        object.append("top_p", ifPresent: topP.map(JSONValue.number))
        object.append("stop", ifPresent: stop.map { .array($0.map(JSONValue.string)) })
        object.append("stream", ifPresent: stream.map(JSONValue.bool))
        object.append("stream_options", ifPresent: streamOptions.map(JSONValue.object))
        object.append("tools", ifPresent: tools.map { .array($0.map(\.json)) })
        object.append("tool_choice", ifPresent: toolChoice?.json)
        object.append("parallel_tool_calls", ifPresent: parallelToolCalls.map(JSONValue.bool))
        object.append("user", ifPresent: user.map(JSONValue.string))
        object.append("n", ifPresent: choiceCount.map(JSONValue.int))
        object.append("metadata", ifPresent: metadata.map(JSONValue.object))
        object.append(contentsOf: extra)
        return .object(object)
    }
}
