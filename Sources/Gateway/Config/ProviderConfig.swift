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

    public static let defaultAnthropicVersion = "2023-06-01"

    public init(
        name: String,
        schema: ProviderSchema,
        baseURL: UpstreamURL,
        credential: CredentialSource? = nil,
        extraHeaders: [ProviderHeader] = [],
        apiVersion: String? = nil,
        anthropicVersion: String = ProviderConfig.defaultAnthropicVersion
    ) {
        self.name = name
        self.schema = schema
        self.baseURL = baseURL
        self.credential = credential
        self.extraHeaders = extraHeaders
        self.apiVersion = apiVersion
        self.anthropicVersion = anthropicVersion
    }
}
