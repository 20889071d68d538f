/// One entry of a request's `tools`.
///
/// A client tool has `name`, `description` and `input_schema` (and optionally `type: "custom"`);
/// server tools (`web_search_20250305`, `bash_20250124`, …) have a versioned `type` and are run by
/// Anthropic itself, so they have no equivalent on another provider.
public struct AnthropicTool: Sendable, Hashable {
    /// nil or `custom` for a client tool.
    public var type: String?
    public var name: String
    public var description: String?
    public var inputSchema: JSONValue?
    public var extra: JSONObject

    public init(
        name: String,
        description: String? = nil,
        inputSchema: JSONValue?,
        type: String? = nil,
        extra: JSONObject = JSONObject()
    ) {
        self.type = type
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.extra = extra
    }

    public var isClientTool: Bool {
        type == nil || type == "custom"
    }

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        self.init(name: "", inputSchema: nil)
        for member in object {
            let key = member.key
            let value = member.value
            switch key {
            case "type": type = try value.optionalString(at: key)
            case "name": name = try value.string(at: key)
            case "description": description = try value.optionalString(at: key)
            case "input_schema": inputSchema = value.isNull ? nil : value
            default: extra.append(key, value)
            }
        }
        guard object["name"] != nil else { throw .missing("name") }
    }

    public var json: JSONValue {
        var object = JSONObject()
        object.append("type", ifPresent: type.map(JSONValue.string))
        object.append("name", .string(name))
        object.append("description", ifPresent: description.map(JSONValue.string))
        object.append("input_schema", ifPresent: inputSchema)
        object.append(contentsOf: extra)
        return .object(object)
    }
}

/// `tool_choice`: `{"type": "auto" | "any" | "none"}` or `{"type": "tool", "name": …}`, each
/// with an optional `disable_parallel_tool_use`.
public struct AnthropicToolChoice: Sendable, Hashable {
    public var type: String
    public var name: String?
    public var disableParallelToolUse: Bool?

    public init(type: String, name: String? = nil, disableParallelToolUse: Bool? = nil) {
        self.type = type
        self.name = name
        self.disableParallelToolUse = disableParallelToolUse
    }

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        type = try object.required("type").string(at: "type")
        name = try object["name"]?.optionalString(at: "name")
        disableParallelToolUse = try object["disable_parallel_tool_use"]?.optionalBool(at: "disable_parallel_tool_use")
        if type == "tool" && name == nil { throw .missing("name") }
    }

    public var json: JSONValue {
        var object = JSONObject(["type": .string(type)])
        object.append("name", ifPresent: name.map(JSONValue.string))
        object.append("disable_parallel_tool_use", ifPresent: disableParallelToolUse.map(JSONValue.bool))
        return .object(object)
    }
}
