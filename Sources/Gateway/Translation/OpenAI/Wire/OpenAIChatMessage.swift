/// One message of a chat completions conversation (request `messages[]`, response
/// `choices[].message`).
///
/// Roles are kept as text: `system`, `developer`, `user`, `assistant`, `tool`, and the
/// deprecated `function`. `content` is nil when absent or `null` (an assistant turn with only tool
/// calls).
public struct OpenAIChatMessage: Sendable, Hashable {
    public var role: String
    public var content: OpenAIMessageContent?
    /// Whether `content` was written as `null` rather than left out (responses write `null`).
    public var contentIsExplicitNull: Bool
    public var name: String?
    public var toolCalls: [OpenAIToolCall]?
    /// On `tool` messages: the id of the call this answers.
    public var toolCallID: String?
    /// On assistant responses: the model's refusal text.
    public var refusal: String?
    public var extra: JSONObject

    public init(
        role: String,
        content: OpenAIMessageContent? = nil,
        contentIsExplicitNull: Bool = false,
        name: String? = nil,
        toolCalls: [OpenAIToolCall]? = nil,
        toolCallID: String? = nil,
        refusal: String? = nil,
        extra: JSONObject = JSONObject()
    ) {
        self.role = role
        self.content = content
        self.contentIsExplicitNull = contentIsExplicitNull
        self.name = name
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.refusal = refusal
        self.extra = extra
    }

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        self.init(role: "")
        var sawRole = false
        for member in object {
            let key = member.key
            let value = member.value
            switch key {
            case "role":
                role = try value.string(at: key)
                sawRole = true
            case "content":
                if value.isNull {
                    contentIsExplicitNull = true
                } else {
                    content = try decoding(key) { () throws(WireDecodingError) in
                        try OpenAIMessageContent(json: value)
                    }
                }
            case "name": name = try value.optionalString(at: key)
            case "tool_calls":
                toolCalls =
                    value.isNull
                    ? nil
                    : try value.elements(at: key) { (element) throws(WireDecodingError) in
                        try OpenAIToolCall(json: element)
                    }
            case "tool_call_id": toolCallID = try value.optionalString(at: key)
            case "refusal": refusal = try value.optionalString(at: key)
            default: extra.append(key, value)
            }
        }
        guard sawRole else { throw .missing("role") }
    }

    public var json: JSONValue {
        var object = JSONObject()
        object.append("role", .string(role))
        if let content {
            object.append("content", content.json)
        } else if contentIsExplicitNull {
            object.append("content", .null)
        }
        object.append("name", ifPresent: name.map(JSONValue.string))
        object.append("tool_call_id", ifPresent: toolCallID.map(JSONValue.string))
        object.append("tool_calls", ifPresent: toolCalls.map { .array($0.map(\.json)) })
        object.append("refusal", ifPresent: refusal.map(JSONValue.string))
        object.append(contentsOf: extra)
        return .object(object)
    }
}

/// A message's `content`: a plain string, or an array of typed parts.
public enum OpenAIMessageContent: Sendable, Hashable {
    case text(String)
    case parts([OpenAIContentPart])

    public init(json: JSONValue) throws(WireDecodingError) {
        switch json {
        case .string(let text): self = .text(text)
        case .array:
            self = .parts(
                try json.elements(at: "") { (element) throws(WireDecodingError) in
                    try OpenAIContentPart(json: element)
                }
            )
        default:
            throw WireDecodingError(path: [], expected: "a string or an array", found: json.kindDescription)
        }
    }

    public var json: JSONValue {
        switch self {
        case .text(let text): .string(text)
        case .parts(let parts): .array(parts.map(\.json))
        }
    }

    /// The text of a string content, or of the `text` (and `refusal`) parts joined with
    /// `separator`; nil when there are none.
    public func joinedText(separator: String = "\n\n") -> String? {
        switch self {
        case .text(let text): return text
        case .parts(let parts):
            let texts = parts.compactMap { part -> String? in
                switch part {
                case .text(let text, _): text
                case .other(let type, let json) where type == "refusal": json["refusal"]?.stringValue
                case .imageURL, .other: nil
                }
            }
            return texts.isEmpty ? nil : texts.joined(separator: separator)
        }
    }
}

/// One element of an array `content`.
public enum OpenAIContentPart: Sendable, Hashable {
    /// `{"type":"text","text":…}`; `extra` keeps the rest (some clients send `cache_control`).
    case text(String, extra: JSONObject)
    /// `{"type":"image_url","image_url":{"url":…,"detail":…}}`: an http(s) URL or a data URL.
    case imageURL(url: String, detail: String?, extra: JSONObject)
    /// Any other part (`input_audio`, `file`, `refusal`, …), kept whole.
    case other(type: String, JSONValue)

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        let type = try object.required("type").string(at: "type")
        switch type {
        case "text":
            let text = try object.required("text").string(at: "text")
            var extra = object
            extra["type"] = nil
            extra["text"] = nil
            self = .text(text, extra: extra)
        case "image_url":
            let image = try object.required("image_url")
            let url: String
            var detail: String?
            switch image {
            case .string(let direct):
                // Some clients send the URL directly; accepted, written back in the object form.
                url = direct
            default:
                let imageObject = try image.object(at: "image_url")
                url = try decoding("image_url") { () throws(WireDecodingError) in
                    try imageObject.required("url").string(at: "url")
                }
                detail = try decoding("image_url") { () throws(WireDecodingError) in
                    try imageObject["detail"]?.optionalString(at: "detail")
                }
            }
            var extra = object
            extra["type"] = nil
            extra["image_url"] = nil
            self = .imageURL(url: url, detail: detail, extra: extra)
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
        case .imageURL(let url, let detail, let extra):
            var image = JSONObject(["url": .string(url)])
            image.append("detail", ifPresent: detail.map(JSONValue.string))
            var object = JSONObject(["type": .string("image_url"), "image_url": .object(image)])
            object.append(contentsOf: extra)
            return .object(object)
        case .other(_, let json):
            return json
        }
    }
}
