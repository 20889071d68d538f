/// One entry of a request's `tools`: a function the model may call.
///
/// Non-function tool types (`custom`) are kept whole in `other` so the translator can refuse them
/// by name.
public struct OpenAITool: Sendable, Hashable {
    public var type: String
    public var name: String
    public var description: String?
    /// The JSON Schema of the arguments, passed through untouched.
    public var parameters: JSONValue?
    public var strict: Bool?
    /// The rest of the `function` object.
    public var functionExtra: JSONObject
    /// The rest of the tool object, or the whole object when it is not a function tool.
    public var extra: JSONObject

    public init(
        name: String,
        description: String? = nil,
        parameters: JSONValue? = nil,
        strict: Bool? = nil,
        type: String = "function",
        functionExtra: JSONObject = JSONObject(),
        extra: JSONObject = JSONObject()
    ) {
        self.type = type
        self.name = name
        self.description = description
        self.parameters = parameters
        self.strict = strict
        self.functionExtra = functionExtra
        self.extra = extra
    }

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        let type = try object.required("type").string(at: "type")
        self.init(name: "", type: type)
        guard type == "function" else {
            extra = object
            return
        }
        let function = try object.required("function").object(at: "function")
        try decoding("function") { () throws(WireDecodingError) in
            for member in function {
                let key = member.key
                let value = member.value
                switch key {
                case "name": name = try value.string(at: key)
                case "description": description = try value.optionalString(at: key)
                case "parameters": parameters = value.isNull ? nil : value
                case "strict": strict = try value.optionalBool(at: key)
                default: functionExtra.append(key, value)
                }
            }
            guard function["name"] != nil else { throw .missing("name") }
        }
        for member in object where member.key != "type" && member.key != "function" {
            extra.append(member.key, member.value)
        }
    }

    public var json: JSONValue {
        guard type == "function" else { return .object(extra) }
        var function = JSONObject(["name": .string(name)])
        function.append("description", ifPresent: description.map(JSONValue.string))
        function.append("parameters", ifPresent: parameters)
        function.append("strict", ifPresent: strict.map(JSONValue.bool))
        function.append(contentsOf: functionExtra)
        var object = JSONObject(["type": .string("function"), "function": .object(function)])
        object.append(contentsOf: extra)
        return .object(object)
    }
}

/// `tool_choice`: `"none"`, `"auto"`, `"required"`, or a named function.
public enum OpenAIToolChoice: Sendable, Hashable {
    /// `"none"`: named apart from `Optional.none`.
    case disabled
    case auto
    case required
    case function(name: String)
    /// A form the gateway does not translate (`allowed_tools`, `custom`), kept whole.
    case other(JSONValue)

    public init(json: JSONValue) throws(WireDecodingError) {
        switch json {
        case .string("none"): self = .disabled
        case .string("auto"): self = .auto
        case .string("required"): self = .required
        case .string:
            throw WireDecodingError(path: [], expected: "\"none\", \"auto\" or \"required\"", found: nil)
        case .object(let object):
            if object["type"]?.stringValue == "function", let function = object["function"]?.objectValue {
                let name = try decoding("function") { () throws(WireDecodingError) in
                    try function.required("name").string(at: "name")
                }
                self = .function(name: name)
            } else {
                self = .other(json)
            }
        default:
            throw WireDecodingError(path: [], expected: "a string or an object", found: json.kindDescription)
        }
    }

    public var json: JSONValue {
        switch self {
        case .disabled: .string("none")
        case .auto: .string("auto")
        case .required: .string("required")
        case .function(let name):
            .object(
                JSONObject(["type": .string("function"), "function": .object(JSONObject(["name": .string(name)]))])
            )
        case .other(let json): json
        }
    }
}
