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
            var rewritten = body
            if let upstreamModel = options.upstreamModel, let range = fields.modelValueRange,
                fields.model != upstreamModel
            {
                rewritten = JSONScanner.replacing(range, in: body, withString: upstreamModel)
            }
            let stream = fields.stream ?? false
            guard client == .openAI && stream else {
                return TranslatedRequest(body: rewritten, stream: stream, clientWantsStreamUsage: client == .anthropic)
            }
            let result: OpenAIStreamUsageRequest.Result
            do { result = try OpenAIStreamUsageRequest.requestingUsage(in: rewritten) } catch {
                throw .malformedRequest(error)
            }
            return TranslatedRequest(
                body: result.body,
                stream: true,
                clientWantsStreamUsage: result.clientAskedForUsage
            )
        }
    }

    /// A request to an endpoint only OpenAI's API has (completions, embeddings, responses) for an
    /// OpenAI-compatible backend: the client's bytes with `model` (at `modelValueRange`, holding
    /// `clientModel`) set to `upstreamModel`. A streamed completions request also gets
    /// `stream_options.include_usage`, as a chat completions stream does, so the gateway learns
    /// its usage; the Responses API reports usage in every stream and refuses that option, and
    /// embeddings do not stream.
    public static func passthroughRequest(
        _ body: [UInt8],
        endpoint: Endpoint,
        modelValueRange: Range<Int>,
        clientModel: String,
        upstreamModel: String,
        stream: Bool
    ) throws(TranslationError) -> TranslatedRequest {
        // The body is shared, not copied, when the name already is the upstream one.
        let rewritten =
            clientModel == upstreamModel
            ? body : JSONScanner.replacing(modelValueRange, in: body, withString: upstreamModel)
        guard endpoint == .completions && stream else {
            return TranslatedRequest(body: rewritten, stream: stream, clientWantsStreamUsage: true)
        }
        let result: OpenAIStreamUsageRequest.Result
        do { result = try OpenAIStreamUsageRequest.requestingUsage(in: rewritten) } catch {
            throw .malformedRequest(error)
        }
        return TranslatedRequest(body: result.body, stream: true, clientWantsStreamUsage: result.clientAskedForUsage)
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
