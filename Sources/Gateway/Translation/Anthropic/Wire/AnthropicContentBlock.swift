/// One content block of a message, request or response.
///
/// The block types translation maps are typed; the rest (`document`, `redacted_thinking`,
/// `server_tool_use`, `web_search_tool_result`, `search_result`, newer ones) are kept whole in
/// `other`. Each typed case keeps its unknown members (`cache_control`, `citations`) in `extra`.
public enum AnthropicContentBlock: Sendable, Hashable {
    case text(String, extra: JSONObject)
    case image(AnthropicImageSource, extra: JSONObject)
    /// `input` is the tool's arguments as a JSON object.
    case toolUse(id: String, name: String, input: JSONValue, extra: JSONObject)
    case toolResult(toolUseID: String, content: AnthropicToolResultContent?, isError: Bool?, extra: JSONObject)
    case thinking(String, signature: String?, extra: JSONObject)
    case other(type: String, JSONValue)

    public init(json: JSONValue) throws(WireDecodingError) {
        var object = try json.object(at: "")
        let type = try object.required("type").string(at: "type")
        object["type"] = nil
        switch type {
        case "text":
            let text = try object.required("text").string(at: "text")
            object["text"] = nil
            self = .text(text, extra: object)
        case "image":
            let source = try decoding("source") { () throws(WireDecodingError) in
                try AnthropicImageSource(json: object.required("source"))
            }
            object["source"] = nil
            self = .image(source, extra: object)
        case "tool_use":
            let id = try object.required("id").string(at: "id")
            let name = try object.required("name").string(at: "name")
            let input = object["input"] ?? .object(JSONObject())
            object["id"] = nil
            object["name"] = nil
            object["input"] = nil
            self = .toolUse(id: id, name: name, input: input, extra: object)
        case "tool_result":
            let id = try object.required("tool_use_id").string(at: "tool_use_id")
            var content: AnthropicToolResultContent?
            if let value = object["content"], !value.isNull {
                content = try decoding("content") { () throws(WireDecodingError) in
                    try AnthropicToolResultContent(json: value)
                }
            }
            let isError = try object["is_error"]?.optionalBool(at: "is_error")
            object["tool_use_id"] = nil
            object["content"] = nil
            object["is_error"] = nil
            self = .toolResult(toolUseID: id, content: content, isError: isError, extra: object)
        case "thinking":
            let thinking = try object.required("thinking").string(at: "thinking")
            let signature = try object["signature"]?.optionalString(at: "signature")
            object["thinking"] = nil
            object["signature"] = nil
            self = .thinking(thinking, signature: signature, extra: object)
        default:
            self = .other(type: type, json)
        }
    }

    public var json: JSONValue {
        switch self {
        case .text(let text, let extra):
            var object = JSONObject(["type": .string("text"), "text": .string(text)])
            object.append(contentsOf: extra)
            return .object(object)
        case .image(let source, let extra):
            var object = JSONObject(["type": .string("image"), "source": source.json])
            object.append(contentsOf: extra)
            return .object(object)
        case .toolUse(let id, let name, let input, let extra):
            var object = JSONObject([
                "type": .string("tool_use"), "id": .string(id), "name": .string(name), "input": input,
            ])
            object.append(contentsOf: extra)
            return .object(object)
        case .toolResult(let id, let content, let isError, let extra):
            var object = JSONObject(["type": .string("tool_result"), "tool_use_id": .string(id)])
            object.append("content", ifPresent: content?.json)
            object.append("is_error", ifPresent: isError.map(JSONValue.bool))
            object.append(contentsOf: extra)
            return .object(object)
        case .thinking(let thinking, let signature, let extra):
            var object = JSONObject(["type": .string("thinking"), "thinking": .string(thinking)])
            object.append("signature", ifPresent: signature.map(JSONValue.string))
            object.append(contentsOf: extra)
            return .object(object)
        case .other(_, let json):
            return json
        }
    }

    /// The block's `type`.
    public var type: String {
        switch self {
        case .text: "text"
        case .image: "image"
        case .toolUse: "tool_use"
        case .toolResult: "tool_result"
        case .thinking: "thinking"
        case .other(let type, _): type
        }
    }
}

/// An image block's `source`.
public enum AnthropicImageSource: Sendable, Hashable {
    case base64(mediaType: String, data: String)
    case url(String)
    /// Another source type (`file`), kept whole.
    case other(JSONValue)

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        switch try object.required("type").string(at: "type") {
        case "base64":
            self = .base64(
                mediaType: try object.required("media_type").string(at: "media_type"),
                data: try object.required("data").string(at: "data")
            )
        case "url":
            self = .url(try object.required("url").string(at: "url"))
        default:
            self = .other(json)
        }
    }

    public var json: JSONValue {
        switch self {
        case .base64(let mediaType, let data):
            .object(JSONObject(["type": .string("base64"), "media_type": .string(mediaType), "data": .string(data)]))
        case .url(let url):
            .object(JSONObject(["type": .string("url"), "url": .string(url)]))
        case .other(let json):
            json
        }
    }
}

/// A `tool_result` block's `content`: a string, or text and image blocks.
public enum AnthropicToolResultContent: Sendable, Hashable {
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
}
