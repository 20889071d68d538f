/// One upstream API from the `providers:` section: how to reach it and how to authenticate.
public struct ProviderConfig: Sendable, Hashable {
    /// Unique among providers; backends refer to it.
    public var name: String
    public var schema: ProviderSchema
    public var baseURL: UpstreamURL
    /// Nil for an upstream that needs no key, such as a local vLLM or Ollama.
    public var credential: CredentialSource?
    /// Sent upstream on every request to this provider, in this order.
    public var extraHeaders: [ProviderHeader]
    /// Azure OpenAI's `?api-version=`; required for `azure-openai`, nil for the others.
    public var apiVersion: String?
    /// Anthropic's `anthropic-version` header value.
    public var anthropicVersion: String
    /// The field that carries a translated Messages request's `max_tokens` to this provider, when
    /// it speaks OpenAI's API (`max_tokens_field`); `defaultMaxTokensField` unless configured.
    public var maxTokensField: OpenAIMaxTokensField

    public static let defaultAnthropicVersion = "2023-06-01"

    public init(
        name: String,
        schema: ProviderSchema,
        baseURL: UpstreamURL,
        credential: CredentialSource? = nil,
        extraHeaders: [ProviderHeader] = [],
        apiVersion: String? = nil,
        anthropicVersion: String = ProviderConfig.defaultAnthropicVersion,
        maxTokensField: OpenAIMaxTokensField? = nil
    ) {
        self.name = name
        self.schema = schema
        self.baseURL = baseURL
        self.credential = credential
        self.extraHeaders = extraHeaders
        self.apiVersion = apiVersion
        self.anthropicVersion = anthropicVersion
        self.maxTokensField = maxTokensField ?? Self.defaultMaxTokensField(schema: schema, baseURL: baseURL)
    }

    /// `max_completion_tokens` for OpenAI itself (`api.openai.com`) and Azure OpenAI (the schema,
    /// or an `openai.azure.com` host): `max_tokens` is deprecated there and the reasoning models
    /// refuse it. `max_tokens` for every other OpenAI-compatible API: it is the field all of them
    /// know, while several (Mistral, DeepSeek, Ollama, older vLLM) reject or, worse, ignore
    /// `max_completion_tokens`, which would leave the answer uncapped.
    public static func defaultMaxTokensField(schema: ProviderSchema, baseURL: UpstreamURL) -> OpenAIMaxTokensField {
        switch schema {
        case .azureOpenAI: return .maxCompletionTokens
        case .anthropic: return .maxTokens
        case .openai:
            let host = baseURL.host.lowercased()
            let isOpenAI = host == "api.openai.com" || host.hasSuffix(".openai.azure.com")
            return isOpenAI ? .maxCompletionTokens : .maxTokens
        }
    }
}
