/// One turn of a Messages conversation: `user` or `assistant`, with string or block content.
///
/// The API requires turns to alternate (consecutive same-role turns are merged by the
/// translator), `tool_result` blocks to open the user turn that answers a `tool_use`, and no
/// empty text blocks.
public struct AnthropicMessage: Sendable, Hashable {
    public var role: String
    public var content: AnthropicMessageContent
    public var extra: JSONObject

    public init(role: String, content: AnthropicMessageContent, extra: JSONObject = JSONObject()) {
        self.role = role
        self.content = content
        self.extra = extra
    }

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        self.init(role: "", content: .blocks([]))
        for member in object {
            let key = member.key
            let value = member.value
            switch key {
            case "role": role = try value.string(at: key)
            case "content":
                content = try decoding(key) { () throws(WireDecodingError) in
                    try AnthropicMessageContent(json: value)
                }
            default: extra.append(key, value)
            }
        }
        guard object["role"] != nil else { throw .missing("role") }
        guard object["content"] != nil else { throw .missing("content") }
    }

    public var json: JSONValue {
        var object = JSONObject(["role": .string(role), "content": content.json])
        object.append(contentsOf: extra)
        return .object(object)
    }
}

/// A message's `content`: a string (one text block) or an array of blocks.
public enum AnthropicMessageContent: Sendable, Hashable {
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

    /// The content as blocks: a string is one text block.
    public var blocks: [AnthropicContentBlock] {
        switch self {
        case .text(let text): [.text(text, extra: JSONObject())]
        case .blocks(let blocks): blocks
        }
    }
}
