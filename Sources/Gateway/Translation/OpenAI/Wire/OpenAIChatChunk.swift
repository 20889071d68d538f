/// One streamed chunk (`object: "chat.completion.chunk"`), the JSON of one `data:` line.
///
/// With `stream_options.include_usage`, every chunk carries `"usage": null` and one last chunk
/// before `data: [DONE]` has empty `choices` and the usage; `usageIsExplicitNull` keeps the
/// first form distinct from an absent field.
public struct OpenAIChatChunk: Sendable, Hashable {
    public struct Choice: Sendable, Hashable {
        public var index: Int
        public var delta: Delta
        public var finishReason: String?
        public var extra: JSONObject

        public init(index: Int = 0, delta: Delta, finishReason: String? = nil, extra: JSONObject = JSONObject()) {
            self.index = index
            self.delta = delta
            self.finishReason = finishReason
            self.extra = extra
        }

        public init(json: JSONValue) throws(WireDecodingError) {
            let object = try json.object(at: "")
            self.init(delta: Delta())
            for member in object {
                let key = member.key
                let value = member.value
                switch key {
                case "index": index = try value.int(at: key)
                case "delta":
                    delta =
                        value.isNull
                        ? Delta()
                        : try decoding(key) { () throws(WireDecodingError) in
                            try Delta(json: value)
                        }
                case "finish_reason": finishReason = try value.optionalString(at: key)
                default: extra.append(key, value)
                }
            }
        }

        public var json: JSONValue {
            var object = JSONObject(["index": .int(index), "delta": delta.json])
            if extra["logprobs"] == nil { object.append("logprobs", .null) }
            object.append(contentsOf: extra)
            object.append("finish_reason", finishReason.map(JSONValue.string) ?? .null)
            return .object(object)
        }
    }

    /// What one chunk adds to the message.
    public struct Delta: Sendable, Hashable {
        public var role: String?
        public var content: String?
        public var refusal: String?
        public var toolCalls: [ToolCallDelta]?
        public var extra: JSONObject

        public init(
            role: String? = nil,
            content: String? = nil,
            refusal: String? = nil,
            toolCalls: [ToolCallDelta]? = nil,
            extra: JSONObject = JSONObject()
        ) {
            self.role = role
            self.content = content
            self.refusal = refusal
            self.toolCalls = toolCalls
            self.extra = extra
        }

        public init(json: JSONValue) throws(WireDecodingError) {
            let object = try json.object(at: "")
            self.init()
            for member in object {
                let key = member.key
                let value = member.value
                switch key {
                case "role": role = try value.optionalString(at: key)
                case "content": content = try value.optionalString(at: key)
                case "refusal": refusal = try value.optionalString(at: key)
                case "tool_calls":
                    toolCalls =
                        value.isNull
                        ? nil
                        : try value.elements(at: key) { (element) throws(WireDecodingError) in
                            try ToolCallDelta(json: element)
                        }
                default: extra.append(key, value)
                }
            }
        }

        public var json: JSONValue {
            var object = JSONObject()
            object.append("role", ifPresent: role.map(JSONValue.string))
            object.append("content", ifPresent: content.map(JSONValue.string))
            object.append("refusal", ifPresent: refusal.map(JSONValue.string))
            object.append("tool_calls", ifPresent: toolCalls.map { .array($0.map(\.json)) })
            object.append(contentsOf: extra)
            return .object(object)
        }
    }

    /// A fragment of a tool call: the first one for an `index` carries `id`, `type` and the
    /// function's `name`; later ones only pieces of `arguments`.
    public struct ToolCallDelta: Sendable, Hashable {
        public var index: Int
        public var id: String?
        public var type: String?
        public var name: String?
        public var arguments: String?

        public init(index: Int, id: String? = nil, type: String? = nil, name: String? = nil, arguments: String? = nil) {
            self.index = index
            self.id = id
            self.type = type
            self.name = name
            self.arguments = arguments
        }

        public init(json: JSONValue) throws(WireDecodingError) {
            let object = try json.object(at: "")
            self.init(index: 0)
            index = try object["index"]?.optionalInt(at: "index") ?? 0
            id = try object["id"]?.optionalString(at: "id")
            type = try object["type"]?.optionalString(at: "type")
            if let function = object["function"], !function.isNull {
                let functionObject = try function.object(at: "function")
                try decoding("function") { () throws(WireDecodingError) in
                    name = try functionObject["name"]?.optionalString(at: "name")
                    arguments = try functionObject["arguments"]?.optionalString(at: "arguments")
                }
            }
        }

        public var json: JSONValue {
            var object = JSONObject(["index": .int(index)])
            object.append("id", ifPresent: id.map(JSONValue.string))
            object.append("type", ifPresent: type.map(JSONValue.string))
            var function = JSONObject()
            function.append("name", ifPresent: name.map(JSONValue.string))
            function.append("arguments", ifPresent: arguments.map(JSONValue.string))
            if !function.isEmpty { object.append("function", .object(function)) }
            return .object(object)
        }
    }

    public var id: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: OpenAIUsage?
    public var usageIsExplicitNull: Bool
    public var extra: JSONObject

    public init(
        id: String,
        created: Int,
        model: String,
        choices: [Choice],
        usage: OpenAIUsage? = nil,
        usageIsExplicitNull: Bool = false,
        extra: JSONObject = JSONObject()
    ) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.usageIsExplicitNull = usageIsExplicitNull
        self.extra = extra
    }

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        self.init(id: "", created: 0, model: "", choices: [])
        for member in object {
            let key = member.key
            let value = member.value
            switch key {
            case "id": id = try value.string(at: key)
            case "object": break
            case "created": created = try value.int(at: key)
            case "model": model = try value.string(at: key)
            case "choices":
                choices =
                    value.isNull
                    ? []
                    : try value.elements(at: key) { (element) throws(WireDecodingError) in
                        try Choice(json: element)
                    }
            case "usage":
                if value.isNull {
                    usageIsExplicitNull = true
                } else {
                    usage = try decoding(key) { () throws(WireDecodingError) in try OpenAIUsage(json: value) }
                }
            default: extra.append(key, value)
            }
        }
    }

    public var json: JSONValue {
        var object = JSONObject([
            "id": .string(id),
            "object": .string("chat.completion.chunk"),
            "created": .int(created),
            "model": .string(model),
            "choices": .array(choices.map(\.json)),
        ])
        if let usage {
            object.append("usage", usage.json)
        } else if usageIsExplicitNull {
            object.append("usage", .null)
        }
        object.append(contentsOf: extra)
        return .object(object)
    }
}
