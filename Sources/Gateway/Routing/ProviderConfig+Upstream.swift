import ExtProc

/// How each provider schema spells paths and credentials: providers are data, and this is the one
/// place that turns their schema into a request line and headers.
extension ProviderConfig {
    /// The path (with query, for Azure) that serves `endpoint` at this provider, or nil when the
    /// schema has no equivalent.
    ///
    /// - openai: base path + the endpoint's suffix, as OpenAI's SDKs do with `base_url`
    ///   (`https://api.openai.com/v1` → `/v1/chat/completions`; Groq's `/openai/v1`, Gemini's
    ///   `/v1beta/openai` likewise).
    /// - anthropic: base path + `/v1` + suffix, as Anthropic's SDK does with a host-only
    ///   `base_url` (`https://api.anthropic.com` → `/v1/messages`); a base path that already ends
    ///   in `/v1` is not given a second one.
    /// - azure-openai: `/openai/deployments/{deployment}/{chat/completions|completions|embeddings}`
    ///   and `/openai/responses` (the deployment travels in the body's `model`), each with
    ///   `?api-version=`; Azure has no Messages API.
    public func upstreamPath(for endpoint: Endpoint, upstreamModel: String) -> String? {
        let basePath = baseURL.basePath
        switch schema {
        case .openai:
            guard endpoint != .models else { return nil }
            return basePath + endpoint.suffix
        case .anthropic:
            guard endpoint != .models else { return nil }
            let versioned = basePath.hasSuffix("/v1") ? basePath : basePath + "/v1"
            return versioned + endpoint.suffix
        case .azureOpenAI:
            let prefix = basePath.hasSuffix("/openai") ? basePath : basePath + "/openai"
            let query = "?api-version=" + percentEncoded(apiVersion ?? "")
            switch endpoint {
            case .chatCompletions, .completions, .embeddings:
                return prefix + "/deployments/" + percentEncoded(upstreamModel) + endpoint.suffix + query
            case .responses:
                return prefix + endpoint.suffix + query
            case .models, .messages:
                return nil
            }
        }
    }

    /// The header that carries the credential in this schema.
    public var credentialHeaderName: String {
        switch schema {
        case .openai: "authorization"
        case .azureOpenAI: "api-key"
        case .anthropic: "x-api-key"
        }
    }

    /// Headers that authenticate to this provider and pin its API version: `authorization: Bearer`,
    /// Azure's `api-key`, or Anthropic's `x-api-key` with `anthropic-version` (sent even without a
    /// credential, since the API requires it).
    public func credentialHeaders(credential: String?) -> [HeaderField] {
        var headers: [HeaderField] = []
        if let credential {
            let value = schema == .openai ? "Bearer " + credential : credential
            headers.append(HeaderField(name: credentialHeaderName, value: value))
        }
        if schema == .anthropic {
            headers.append(HeaderField(name: "anthropic-version", value: anthropicVersion))
        }
        return headers
    }
}

/// RFC 3986 unreserved characters pass; every other byte is `%XX`. Deployment names and API
/// versions are plain in practice; this keeps an odd one from changing the path's structure.
private func percentEncoded(_ text: String) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            bytes.append(byte)
        default:
            bytes.append(UInt8(ascii: "%"))
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0x0F)])
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}
