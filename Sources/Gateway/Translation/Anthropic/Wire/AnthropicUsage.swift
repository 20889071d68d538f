/// `usage` of a message, of `message_start` and of `message_delta`.
///
/// `input_tokens` counts only the input after the last cache breakpoint; cache reads and cache
/// writes are counted apart, so the whole prompt is the sum of the three. In `message_delta`
/// the counts are cumulative and only `output_tokens` is guaranteed, hence the optionals.
public struct AnthropicUsage: Sendable, Hashable {
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var cacheCreationInputTokens: Int?
    public var cacheReadInputTokens: Int?
    /// `cache_creation` (by TTL), `service_tier`, `server_tool_use`, …
    public var extra: JSONObject

    public init(
        inputTokens: Int? = nil,
        outputTokens: Int? = nil,
        cacheCreationInputTokens: Int? = nil,
        cacheReadInputTokens: Int? = nil,
        extra: JSONObject = JSONObject()
    ) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheCreationInputTokens = cacheCreationInputTokens
        self.cacheReadInputTokens = cacheReadInputTokens
        self.extra = extra
    }

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        self.init()
        for member in object {
            let key = member.key
            let value = member.value
            switch key {
            case "input_tokens": inputTokens = try value.optionalInt(at: key)
            case "output_tokens": outputTokens = try value.optionalInt(at: key)
            case "cache_creation_input_tokens": cacheCreationInputTokens = try value.optionalInt(at: key)
            case "cache_read_input_tokens": cacheReadInputTokens = try value.optionalInt(at: key)
            default: extra.append(key, value)
            }
        }
    }

    public var json: JSONValue {
        var object = JSONObject()
        object.append("input_tokens", ifPresent: inputTokens.map(JSONValue.int))
        object.append("cache_creation_input_tokens", ifPresent: cacheCreationInputTokens.map(JSONValue.int))
        object.append("cache_read_input_tokens", ifPresent: cacheReadInputTokens.map(JSONValue.int))
        object.append("output_tokens", ifPresent: outputTokens.map(JSONValue.int))
        object.append(contentsOf: extra)
        return .object(object)
    }
}
