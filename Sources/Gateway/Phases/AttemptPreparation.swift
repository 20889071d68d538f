/// One attempt made ready for its backend: the path, authority, credential and body the provider
/// gets, and the record the response side reads. The upstream phase prepares every attempt to
/// the backend Envoy picked; the router phase prepares a request to a model with one backend
/// itself (`RouterPhaseHandler`, "direct"), so that no upstream phase runs.
enum AttemptPreparation {
    /// A request ready for one backend.
    struct Prepared {
        var request: UpstreamRequest
        var attempt: UpstreamAttempt
    }

    /// Why an attempt cannot be sent, and its record (`rejection` set).
    struct Refusal: Error {
        enum Reason: Error {
            case gateway(GatewayError)
            case translation(TranslationError)
        }

        var reason: Reason
        var attempt: UpstreamAttempt
    }

    /// The stored request `state` made ready for the backend `backendID` of the running
    /// `snapshot`.
    static func prepare(
        _ state: RequestState,
        backendID: String,
        snapshot: GatewaySnapshot
    ) -> Result<Prepared, Refusal> {
        let backend: ResolvedBackend
        switch BackendSelection.backend(id: backendID, model: state.model, in: snapshot) {
        case .success(let found): backend = found
        case .failure(let error):
            return .failure(Refusal(reason: .gateway(error), attempt: UpstreamAttempt(backendID: backendID)))
        }
        var attempt = UpstreamAttempt(
            backendID: backendID,
            provider: backend.provider.name,
            upstreamModel: backend.backend.upstreamModel
        )
        let body: Body
        do {
            body = try Self.body(state: state, backend: backend, settings: snapshot.settings)
        } catch {
            return .failure(Refusal(reason: error, attempt: attempt))
        }
        let request: UpstreamRequest
        do {
            request = try UpstreamRequest(
                backend: backend,
                endpoint: state.endpoint,
                upstreamEndpoint: body.endpoint,
                body: body.bytes,
                otherProviders: snapshot.providers
            )
        } catch {
            return .failure(Refusal(reason: .gateway(error), attempt: attempt))
        }
        attempt.clientWantsStreamUsage = body.clientWantsStreamUsage
        attempt.dialect = backend.provider.schema.dialect
        return .success(Prepared(request: request, attempt: attempt))
    }

    /// The body, endpoint and stream-usage flag for one attempt.
    struct Body {
        var endpoint: Endpoint
        var bytes: [UInt8]
        var clientWantsStreamUsage: Bool
    }

    /// The client's body made ready for `backend`'s API.
    ///
    /// Chat completions and Messages are translated when the backend speaks the other API, and
    /// sent to that API's endpoint (`/v1/chat/completions` to an Anthropic backend goes to its
    /// Messages path, `/v1/messages` to an OpenAI-compatible one to chat completions); between
    /// like APIs only `model` changes, plus `stream_options.include_usage` on an OpenAI stream,
    /// so the gateway always learns a stream's usage. The other endpoints (completions,
    /// embeddings, responses) are OpenAI's only and pass through with `model` changed (and a
    /// completions stream asking for usage, `DialectTranslation.passthroughRequest`).
    static func body(
        state: RequestState,
        backend: ResolvedBackend,
        settings: GatewaySettings
    ) throws(Refusal.Reason) -> Body {
        let upstreamDialect = backend.provider.schema.dialect
        switch state.endpoint {
        case .chatCompletions, .messages:
            let options = RequestTranslationOptions(
                upstreamModel: backend.backend.upstreamModel,
                defaultMaxTokens: settings.defaultMaxTokens,
                openAIMaxTokensField: backend.provider.maxTokensField
            )
            let translated: TranslatedRequest
            if state.dialect == upstreamDialect {
                translated = DialectTranslation.likeAPIsRequest(
                    state.body,
                    fields: state.bodyFields,
                    client: state.dialect,
                    upstreamModel: options.upstreamModel
                )
            } else {
                do {
                    translated = try DialectTranslation.translateRequest(
                        state.body,
                        from: state.dialect,
                        to: upstreamDialect,
                        options: options
                    )
                } catch {
                    throw .translation(error)
                }
            }
            return Body(
                endpoint: upstreamDialect == .anthropic ? .messages : .chatCompletions,
                bytes: translated.body,
                clientWantsStreamUsage: translated.clientWantsStreamUsage
            )
        case .completions, .embeddings, .responses, .models:
            guard upstreamDialect == .openAI else {
                throw .gateway(.endpointNotSupported(model: backend.model.name, path: state.endpoint.path))
            }
            let translated = DialectTranslation.passthroughRequest(
                state.body,
                endpoint: state.endpoint,
                fields: state.bodyFields,
                upstreamModel: backend.backend.upstreamModel
            )
            return Body(
                endpoint: state.endpoint,
                bytes: translated.body,
                clientWantsStreamUsage: translated.clientWantsStreamUsage
            )
        }
    }
}
