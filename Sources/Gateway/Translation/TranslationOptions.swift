/// What translating a request needs besides the client's body.
public struct RequestTranslationOptions: Sendable, Hashable {
    /// The model name to send upstream; nil keeps the one the client sent.
    public var upstreamModel: String?
    /// `max_tokens` for Anthropic when the client gave no limit: the Messages API requires one
    /// (`gateway.default_max_tokens`).
    public var defaultMaxTokens: Int
    /// The field that carries the output limit to an OpenAI-compatible backend (the provider's
    /// `maxTokensField`).
    public var openAIMaxTokensField: OpenAIMaxTokensField

    public init(
        upstreamModel: String? = nil,
        defaultMaxTokens: Int = GatewaySettings.defaultDefaultMaxTokens,
        openAIMaxTokensField: OpenAIMaxTokensField = .maxCompletionTokens
    ) {
        self.upstreamModel = upstreamModel
        self.defaultMaxTokens = defaultMaxTokens
        self.openAIMaxTokensField = openAIMaxTokensField
    }
}

/// OpenAI renamed `max_tokens` to `max_completion_tokens` and its reasoning models refuse the old
/// name; older OpenAI-compatible servers know only the old one. Chosen per provider
/// (`ProviderConfig.maxTokensField`, `max_tokens_field` in the config).
public enum OpenAIMaxTokensField: Sendable, Hashable, CaseIterable {
    case maxTokens
    case maxCompletionTokens

    public var key: String {
        switch self {
        case .maxTokens: "max_tokens"
        case .maxCompletionTokens: "max_completion_tokens"
        }
    }
}

/// A request body ready for the provider, and what the response side must know about it.
public struct TranslatedRequest: Sendable, Hashable {
    public var body: [UInt8]
    /// The request asked for a streamed response.
    public var stream: Bool
    /// An OpenAI client asked for the final usage chunk (`stream_options.include_usage`). When
    /// false, the gateway still asks the provider for it, and drops it before the client.
    public var clientWantsStreamUsage: Bool

    public init(body: [UInt8], stream: Bool, clientWantsStreamUsage: Bool) {
        self.body = body
        self.stream = stream
        self.clientWantsStreamUsage = clientWantsStreamUsage
    }
}

/// What translating a response needs besides the provider's body. No clock or random source is
/// read inside the translators: the caller passes the time and the seed for invented ids, which
/// keeps translation pure and golden files stable.
public struct ResponseTranslationContext: Sendable, Hashable {
    /// Unix seconds for `created` in OpenAI bodies the gateway writes (Anthropic's have none).
    public var created: Int
    /// The model name to report to the client; nil reports the provider's.
    public var model: String?
    /// The OpenAI client asked for the final usage chunk (`TranslatedRequest.clientWantsStreamUsage`).
    public var includeUsage: Bool
    /// Seed for ids the gateway has to invent (a provider chunk with no id): the request id.
    public var idSeed: String

    public init(created: Int, model: String? = nil, includeUsage: Bool = false, idSeed: String) {
        self.created = created
        self.model = model
        self.includeUsage = includeUsage
        self.idSeed = idSeed
    }
}

/// A response body for the client, and the usage read from the provider's body.
public struct TranslatedResponse: Sendable, Hashable {
    public var body: [UInt8]
    /// nil when the provider's body had no usage.
    public var usage: TokenUsage?

    public init(body: [UInt8], usage: TokenUsage?) {
        self.body = body
        self.usage = usage
    }
}

/// A provider's error, in the client's dialect.
public struct TranslatedError: Sendable, Hashable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}
