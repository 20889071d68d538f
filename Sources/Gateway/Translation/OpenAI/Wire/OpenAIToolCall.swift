/// An assistant's call to a function: `{"id","type":"function","function":{"name","arguments"}}`.
///
/// `arguments` is a JSON object serialised as a string, as OpenAI sends it; models can produce
/// invalid JSON there, so it stays a string until a translator needs the object.
public struct OpenAIToolCall: Sendable, Hashable {
    public var id: String
    public var type: String
    public var name: String
    public var arguments: String
    public var extra: JSONObject

    public init(
        id: String,
        name: String,
        arguments: String,
        type: String = "function",
        extra: JSONObject = JSONObject()
    ) {
        self.id = id
        self.type = type
        self.name = name
        self.arguments = arguments
        self.extra = extra
    }

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        self.init(id: "", name: "", arguments: "")
        for member in object {
            let key = member.key
            let value = member.value
            switch key {
            case "id": id = try value.string(at: key)
            case "type": type = try value.string(at: key)
            case "function":
                let function = try value.object(at: key)
                try decoding(key) { () throws(WireDecodingError) in
                    name = try function.required("name").string(at: "name")
                    arguments = try function["arguments"]?.optionalString(at: "arguments") ?? ""
                }
            default: extra.append(key, value)
            }
        }
        guard object["id"] != nil else { throw .missing("id") }
        guard object["function"] != nil else { throw .missing("function") }
    }

    public var json: JSONValue {
        var object = JSONObject([
            "id": .string(id),
            "type": .string(type),
            "function": .object(JSONObject(["name": .string(name), "arguments": .string(arguments)])),
        ])
        object.append(contentsOf: extra)
        return .object(object)
    }
}
