/// `usage` of a chat completion (and of embeddings, which have no completion tokens).
///
/// `prompt_tokens` counts every input token, cached ones included; `cached_tokens` and
/// `reasoning_tokens` are subsets of prompt and completion tokens. DeepSeek's
/// `prompt_cache_hit_tokens` is read as cached tokens when `prompt_tokens_details` is absent.
/// `cache_creation_input_tokens` is not OpenAI's: the gateway adds it when translating an
/// Anthropic response, with the name Anthropic (and LiteLLM) use, so the count is not lost.
public struct OpenAIUsage: Sendable, Hashable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    public var cachedTokens: Int?
    public var reasoningTokens: Int?
    public var cacheCreationTokens: Int?
    /// The rest of `prompt_tokens_details` and `completion_tokens_details` (audio tokens,
    /// prediction tokens), and of the object itself.
    public var promptDetailsExtra: JSONObject
    public var completionDetailsExtra: JSONObject
    public var extra: JSONObject

    public init(
        promptTokens: Int,
        completionTokens: Int,
        totalTokens: Int? = nil,
        cachedTokens: Int? = nil,
        reasoningTokens: Int? = nil,
        cacheCreationTokens: Int? = nil,
        promptDetailsExtra: JSONObject = JSONObject(),
        completionDetailsExtra: JSONObject = JSONObject(),
        extra: JSONObject = JSONObject()
    ) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens ?? promptTokens + completionTokens
        self.cachedTokens = cachedTokens
        self.reasoningTokens = reasoningTokens
        self.cacheCreationTokens = cacheCreationTokens
        self.promptDetailsExtra = promptDetailsExtra
        self.completionDetailsExtra = completionDetailsExtra
        self.extra = extra
    }

    public init(json: JSONValue) throws(WireDecodingError) {
        let object = try json.object(at: "")
        self.init(promptTokens: 0, completionTokens: 0)
        var total: Int?
        var deepSeekHits: Int?
        for member in object {
            let key = member.key
            let value = member.value
            switch key {
            case "prompt_tokens": promptTokens = try value.optionalInt(at: key) ?? 0
            case "completion_tokens": completionTokens = try value.optionalInt(at: key) ?? 0
            case "total_tokens": total = try value.optionalInt(at: key)
            case "prompt_tokens_details":
                guard case .object(let details) = value else { break }
                try decoding(key) { () throws(WireDecodingError) in
                    for detail in details {
                        if detail.key == "cached_tokens" {
                            cachedTokens = try detail.value.optionalInt(at: detail.key)
                        } else {
                            promptDetailsExtra.append(detail.key, detail.value)
                        }
                    }
                }
            case "completion_tokens_details":
                guard case .object(let details) = value else { break }
                try decoding(key) { () throws(WireDecodingError) in
                    for detail in details {
                        if detail.key == "reasoning_tokens" {
                            reasoningTokens = try detail.value.optionalInt(at: detail.key)
                        } else {
                            completionDetailsExtra.append(detail.key, detail.value)
                        }
                    }
                }
            case "cache_creation_input_tokens": cacheCreationTokens = try value.optionalInt(at: key)
            case "prompt_cache_hit_tokens":
                deepSeekHits = try value.optionalInt(at: key)
                extra.append(key, value)
            default: extra.append(key, value)
            }
        }
        totalTokens = total ?? promptTokens + completionTokens
        if cachedTokens == nil { cachedTokens = deepSeekHits }
    }

    public var json: JSONValue {
        var object = JSONObject([
            "prompt_tokens": .int(promptTokens),
            "completion_tokens": .int(completionTokens),
            "total_tokens": .int(totalTokens),
        ])
        if cachedTokens != nil || !promptDetailsExtra.isEmpty {
            var details = JSONObject()
            details.append("cached_tokens", ifPresent: cachedTokens.map(JSONValue.int))
            details.append(contentsOf: promptDetailsExtra)
            object.append("prompt_tokens_details", .object(details))
        }
        if reasoningTokens != nil || !completionDetailsExtra.isEmpty {
            var details = JSONObject()
            details.append("reasoning_tokens", ifPresent: reasoningTokens.map(JSONValue.int))
            details.append(contentsOf: completionDetailsExtra)
            object.append("completion_tokens_details", .object(details))
        }
        object.append("cache_creation_input_tokens", ifPresent: cacheCreationTokens.map(JSONValue.int))
        object.append(contentsOf: extra)
        return .object(object)
    }
}
