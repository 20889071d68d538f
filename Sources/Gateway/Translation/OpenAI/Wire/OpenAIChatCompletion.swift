/// A buffered chat completions response (`object: "chat.completion"`).
public struct OpenAIChatCompletion: Sendable, Hashable {
    public struct Choice: Sendable, Hashable {
        public var index: Int
        public var message: OpenAIChatMessage
        /// `stop`, `length`, `tool_calls`, `content_filter`, `function_call`; nil while unknown.
        public var finishReason: String?
        public var extra: JSONObject

        public init(index: Int, message: OpenAIChatMessage, finishReason: String?, extra: JSONObject = JSONObject()) {
            self.index = index
            self.message = message
            self.finishReason = finishReason
            self.extra = extra
        }

        public init(json: JSONValue) throws(WireDecodingError) {
            let object = try json.object(at: "")
            self.init(index: 0, message: OpenAIChatMessage(role: "assistant"), finishReason: nil)
            for member in object {
                let key = member.key
                let value = member.value
                switch key {
                case "index": index = try value.int(at: key)
                case "message":
                    message = try decoding(key) { () throws(WireDecodingError) in try OpenAIChatMessage(json: value) }
                case "finish_reason": finishReason = try value.optionalString(at: key)
                default: extra.append(key, value)
                }
            }
        }

        public var json: JSONValue {
            var object = JSONObject(["index": .int(index), "message": message.json])
            // `logprobs` is always written, `null` unless the provider sent one.
            if extra["logprobs"] == nil { object.append("logprobs", .null) }
            object.append(contentsOf: extra)
            object.append("finish_reason", finishReason.map(JSONValue.string) ?? .null)
            return .object(object)
        }
    }

    public var id: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: OpenAIUsage?
    public var extra: JSONObject

    public init(
        id: String,
        created: Int,
        model: String,
        choices: [Choice],
        usage: OpenAIUsage?,
        extra: JSONObject = JSONObject()
    ) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.extra = extra
    }

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        self.init(id: "", created: 0, model: "", choices: [], usage: nil)
        for member in object {
            let key = member.key
            let value = member.value
            switch key {
            case "id": id = try value.string(at: key)
            case "object": break
            case "created": created = try value.int(at: key)
            case "model": model = try value.string(at: key)
            case "choices":
                choices = try value.elements(at: key) { (element) throws(WireDecodingError) in
                    try Choice(json: element)
                }
            case "usage":
                usage =
                    value.isNull
                    ? nil
                    : try decoding(key) { () throws(WireDecodingError) in
                        try OpenAIUsage(json: value)
                    }
            default: extra.append(key, value)
            }
        }
        guard object["choices"] != nil else { throw .missing("choices") }
    }

    public var json: JSONValue {
        var object = JSONObject([
            "id": .string(id),
            "object": .string("chat.completion"),
            "created": .int(created),
            "model": .string(model),
            "choices": .array(choices.map(\.json)),
        ])
        object.append("usage", ifPresent: usage?.json)
        object.append(contentsOf: extra)
        return .object(object)
    }
}
