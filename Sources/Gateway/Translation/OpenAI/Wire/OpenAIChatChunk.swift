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

        public func write(to bytes: inout [UInt8]) {
            bytes.append(contentsOf: #"{"index":"#.utf8)
            bytes.append(contentsOf: String(index).utf8)
            bytes.append(contentsOf: #","delta":"#.utf8)
            delta.write(to: &bytes)
            if extra["logprobs"] == nil { bytes.append(contentsOf: #","logprobs":null"#.utf8) }
            extra.writeMembers(to: &bytes, afterOthers: true)
            bytes.append(contentsOf: #","finish_reason":"#.utf8)
            if let finishReason {
                JSONWriter.appendString(finishReason, to: &bytes)
            } else {
                bytes.append(contentsOf: "null".utf8)
            }
            bytes.append(ASCII.closeBrace)
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

        public func write(to bytes: inout [UInt8]) {
            var members = JSONMemberSeparator()
            bytes.append(ASCII.openBrace)
            if let role { members.appendString(role, key: #""role":"#, to: &bytes) }
            if let content { members.appendString(content, key: #""content":"#, to: &bytes) }
            if let refusal { members.appendString(refusal, key: #""refusal":"#, to: &bytes) }
            if let toolCalls {
                members.appendKey(#""tool_calls":["#, to: &bytes)
                for (offset, call) in toolCalls.enumerated() {
                    if offset > 0 { bytes.append(ASCII.comma) }
                    call.write(to: &bytes)
                }
                bytes.append(ASCII.closeBracket)
            }
            extra.writeMembers(to: &bytes, afterOthers: members.hasWritten)
            bytes.append(ASCII.closeBrace)
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

        public func write(to bytes: inout [UInt8]) {
            bytes.append(contentsOf: #"{"index":"#.utf8)
            bytes.append(contentsOf: String(index).utf8)
            if let id {
                bytes.append(contentsOf: #","id":"#.utf8)
                JSONWriter.appendString(id, to: &bytes)
            }
            if let type {
                bytes.append(contentsOf: #","type":"#.utf8)
                JSONWriter.appendString(type, to: &bytes)
            }
            if name != nil || arguments != nil {
                var members = JSONMemberSeparator()
                bytes.append(contentsOf: #","function":{"#.utf8)
                if let name { members.appendString(name, key: #""name":"#, to: &bytes) }
                if let arguments { members.appendString(arguments, key: #""arguments":"#, to: &bytes) }
                bytes.append(ASCII.closeBrace)
            }
            bytes.append(ASCII.closeBrace)
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

    /// Appends the chunk as compact JSON, straight to bytes with no tree in between: a
    /// translated stream writes one per provider event.
    public func write(to bytes: inout [UInt8]) {
        bytes.append(contentsOf: #"{"id":"#.utf8)
        JSONWriter.appendString(id, to: &bytes)
        bytes.append(contentsOf: #","object":"chat.completion.chunk","created":"#.utf8)
        bytes.append(contentsOf: String(created).utf8)
        bytes.append(contentsOf: #","model":"#.utf8)
        JSONWriter.appendString(model, to: &bytes)
        bytes.append(contentsOf: #","choices":["#.utf8)
        for (offset, choice) in choices.enumerated() {
            if offset > 0 { bytes.append(ASCII.comma) }
            choice.write(to: &bytes)
        }
        bytes.append(ASCII.closeBracket)
        if let usage {
            bytes.append(contentsOf: #","usage":"#.utf8)
            usage.json.write(to: &bytes)
        } else if usageIsExplicitNull {
            bytes.append(contentsOf: #","usage":null"#.utf8)
        }
        extra.writeMembers(to: &bytes, afterOthers: true)
        bytes.append(ASCII.closeBrace)
    }
}
