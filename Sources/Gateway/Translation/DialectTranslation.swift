/// The one entry point the phases need for `/v1/chat/completions` and `/v1/messages`: given the
/// client's dialect (from the endpoint) and the backend's (from its provider schema), it picks
/// the translator, or the passthrough that only watches usage.
///
/// | client ↓ / backend → | OpenAI-compatible | Anthropic |
/// | --- | --- | --- |
/// | OpenAI | passthrough, usage chunk requested and hidden | `AnthropicFromOpenAI` |
/// | Anthropic | `OpenAIFromAnthropic` | passthrough |
///
/// Passthrough keeps the client's bytes except `model` (and, for an OpenAI stream,
/// `stream_options.include_usage`).
public enum DialectTranslation {
    public static func translateRequest(
        _ body: [UInt8],
        from client: APIDialect,
        to upstream: APIDialect,
        options: RequestTranslationOptions
    ) throws(TranslationError) -> TranslatedRequest {
        switch (client, upstream) {
        case (.openAI, .anthropic):
            return try AnthropicFromOpenAI.translateRequest(body, options: options)
        case (.anthropic, .openAI):
            return try OpenAIFromAnthropic.translateRequest(body, options: options)
        case (.openAI, .openAI), (.anthropic, .anthropic):
            let fields: RequestBodyFields
            do { fields = try RequestBodyFields(scanning: body) } catch { throw .malformedRequest(error) }
            return likeAPIsRequest(body, fields: fields, client: client, upstreamModel: options.upstreamModel)
        }
    }

    /// A chat completions or Messages request for a backend of the client's own API, from the
    /// fields of the request's one scan: `model` set to `upstreamModel` and, on an OpenAI stream,
    /// `stream_options.include_usage` asked for.
    public static func likeAPIsRequest(
        _ body: [UInt8],
        fields: RequestBodyFields,
        client: APIDialect,
        upstreamModel: String?
    ) -> TranslatedRequest {
        passthrough(
            body,
            fields: fields,
            upstreamModel: upstreamModel,
            asksStreamForUsage: client == .openAI,
            clientWantsStreamUsage: client == .anthropic
        )
    }

    /// A request to an endpoint only OpenAI's API has (completions, embeddings, responses) for an
    /// OpenAI-compatible backend, from the fields of the request's one scan: the client's bytes
    /// with `model` set to `upstreamModel`. A streamed completions request also gets
    /// `stream_options.include_usage`, as a chat completions stream does, so the gateway learns
    /// its usage; the Responses API reports usage in every stream and refuses that option, and
    /// embeddings do not stream.
    public static func passthroughRequest(
        _ body: [UInt8],
        endpoint: Endpoint,
        fields: RequestBodyFields,
        upstreamModel: String
    ) -> TranslatedRequest {
        passthrough(
            body,
            fields: fields,
            upstreamModel: upstreamModel,
            asksStreamForUsage: endpoint == .completions,
            clientWantsStreamUsage: true
        )
    }

    /// The client's bytes with `model` set to `upstreamModel` and, for a stream when
    /// `asksStreamForUsage`, `stream_options.include_usage`: one copy of the body, none when
    /// nothing changes.
    private static func passthrough(
        _ body: [UInt8],
        fields: RequestBodyFields,
        upstreamModel: String?,
        asksStreamForUsage: Bool,
        clientWantsStreamUsage: Bool
    ) -> TranslatedRequest {
        var splices = JSONSplices()
        if let upstreamModel, let range = fields.modelValueRange, fields.model != upstreamModel {
            splices.replace(range, withString: upstreamModel)
        }
        let stream = fields.stream ?? false
        var clientWantsStreamUsage = clientWantsStreamUsage
        if asksStreamForUsage && stream {
            clientWantsStreamUsage = OpenAIStreamUsageRequest.requestUsage(in: body, fields: fields, into: &splices)
        }
        return TranslatedRequest(
            body: splices.applied(to: body),
            stream: stream,
            clientWantsStreamUsage: clientWantsStreamUsage
        )
    }

    /// A buffered 2xx response for the client, with its usage.
    public static func translateResponse(
        _ body: [UInt8],
        from upstream: APIDialect,
        to client: APIDialect,
        context: ResponseTranslationContext
    ) throws(TranslationError) -> TranslatedResponse {
        switch (upstream, client) {
        case (.anthropic, .openAI):
            return try AnthropicFromOpenAI.translateResponse(body, context: context)
        case (.openAI, .anthropic):
            return try OpenAIFromAnthropic.translateResponse(body, context: context)
        case (.openAI, .openAI), (.anthropic, .anthropic):
            return TranslatedResponse(body: body, usage: TokenUsage.fromResponse(body, dialect: upstream))
        }
    }

    /// A provider's error response (status ≥ 400) for the client. A 401 is about the gateway's
    /// own credential for the provider, whose message may echo part of it: its message is
    /// replaced in every direction, passthrough included.
    public static func translateError(
        status: Int,
        body: [UInt8],
        from upstream: APIDialect,
        to client: APIDialect
    ) -> TranslatedError {
        switch (upstream, client) {
        case (.anthropic, .openAI): AnthropicFromOpenAI.translateError(status: status, body: body)
        case (.openAI, .anthropic): OpenAIFromAnthropic.translateError(status: status, body: body)
        case (.openAI, .openAI):
            status == 401
                ? TranslatedError(
                    status: status,
                    body: ErrorBodies.body(
                        in: .openAI,
                        type: "invalid_request_error",
                        message: ProviderErrorMapping.upstreamCredentialMessage,
                        code: "invalid_api_key"
                    )
                )
                : TranslatedError(status: status, body: body)
        case (.anthropic, .anthropic):
            status == 401
                ? TranslatedError(
                    status: status,
                    body: ErrorBodies.body(
                        in: .anthropic,
                        type: "authentication_error",
                        message: ProviderErrorMapping.upstreamCredentialMessage
                    )
                )
                : TranslatedError(status: status, body: body)
        }
    }

    /// The stream translator for one streamed 2xx response. `context.includeUsage` is the
    /// request's `TranslatedRequest.clientWantsStreamUsage`.
    public static func makeStreamTranslator(
        from upstream: APIDialect,
        to client: APIDialect,
        context: ResponseTranslationContext
    ) -> any ResponseStreamTranslator {
        switch (upstream, client) {
        case (.anthropic, .openAI): AnthropicFromOpenAI.makeStreamTranslator(context: context)
        case (.openAI, .anthropic): OpenAIFromAnthropic.makeStreamTranslator(context: context)
        case (.openAI, .openAI): OpenAIPassthroughStream(clientWantsUsage: context.includeUsage)
        case (.anthropic, .anthropic): AnthropicPassthroughStream()
        }
    }
}

extension ProviderSchema {
    /// The API dialect the provider's bodies are in: Azure OpenAI speaks OpenAI's.
    public var dialect: APIDialect {
        switch self {
        case .openai, .azureOpenAI: .openAI
        case .anthropic: .anthropic
        }
    }
}
