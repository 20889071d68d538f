import ExtProc

/// The upstream-level ext_proc stream of one attempt (docs/architecture.md, "One request,
/// two phases" 3). Envoy runs the cluster's upstream filters once per attempt, retries included, and
/// sends only the request headers, with the upstream host's metadata as a request attribute.
///
/// The reply rewrites the attempt for the backend Envoy picked: `:path`, `:authority`, the
/// provider's credential and extra headers, Tollgate's and the client's private headers removed,
/// and the stored body with `model` rewritten, as `CONTINUE_AND_REPLACE`. Every attempt edits the
/// same header map (Envoy's upstream filters work in place), so a retry starts from what the
/// previous attempt's reply left: each reply therefore sets everything from the stored state and
/// removes every other provider's credential and extra headers, never reading the current path.
/// The request id comes from the forwarded dynamic metadata (see `GatewayMetadata`), else from
/// `x-tollgate-request`, which only the first attempt still has. Envoy drops
/// `content-length` when it replaces a body this way, so the length also goes out as dynamic
/// metadata (`tollgate.content_length`, a string) for the header-mutation filter that follows.
///
/// Anything missing fails closed: no state, no host metadata, an unknown backend or no
/// credential is a 500 in the client's dialect, logged; the request never reaches a provider
/// unauthenticated or unrewritten.
public final class UpstreamPhaseHandler: ExtProcStreamHandler {
    private let context: GatewayContext
    private var answered = false

    public init(context: GatewayContext) {
        self.context = context
    }

    public func replies(to request: ProcessingRequest) -> [ProcessingReply] {
        [ProcessingReply(answering: request.phase, handle(request))]
    }

    func handle(_ request: ProcessingRequest) -> ProcessingResponse {
        guard case .requestHeaders(let headers) = request.payload, !answered else { return .continue }
        answered = true
        return requestHeaders(headers.fields, attributes: request.attributes, metadata: request.metadataContext)
    }

    public func streamDidEnd(_ ending: ExtProcStreamEnding) {}

    private func requestHeaders(
        _ fields: [HeaderField],
        attributes: [String: ProtoStruct],
        metadata: [String: ProtoStruct]
    ) -> ProcessingResponse {
        var path: [UInt8] = []
        var requestHeader: [UInt8]?
        for field in fields {
            switch field.name {
            case ":path": path = field.rawValue
            case GatewayHeaders.request: requestHeader = field.rawValue
            default: break
            }
        }
        // Until the state is found, the path tells the client's dialect (on a first attempt it is
        // still the client's path).
        let pathDialect = Endpoint(path: path)?.dialect ?? .openAI
        // The metadata survives retries; the header only reaches the first attempt (see GatewayMetadata).
        let id = GatewayMetadata.requestID(in: metadata) ?? requestHeader.flatMap { RequestID(header: $0) }
        guard let id, let state = context.requests.take(id, now: context.now()) else {
            return context.reject(.requestStateMissing, dialect: pathDialect)
        }
        guard let backendID = UpstreamHostMetadata.backendID(in: attributes) else {
            record(UpstreamAttempt(backendID: nil, rejection: "backend_unresolved"), id: id)
            let detail =
                UpstreamHostMetadata.isPresent(in: attributes)
                ? "the upstream host has no filter_metadata.tollgate.backend"
                : "no \(UpstreamHostMetadata.attribute) attribute (request_attributes of the upstream ext_proc filter)"
            return context.reject(.backendUnresolved(detail), dialect: state.dialect)
        }
        let snapshot = context.snapshots.current()
        let backend: ResolvedBackend
        switch BackendSelection.backend(id: backendID, model: state.model, in: snapshot) {
        case .success(let found): backend = found
        case .failure(let error):
            record(UpstreamAttempt(backendID: backendID, rejection: error.kind), id: id)
            return context.reject(error, dialect: state.dialect)
        }
        let upstreamDialect = backend.provider.schema.dialect
        var attempt = UpstreamAttempt(
            backendID: backendID,
            provider: backend.provider.name,
            upstreamModel: backend.backend.upstreamModel
        )
        let prepared: PreparedAttempt
        do {
            prepared = try Self.prepare(state: state, backend: backend, settings: snapshot.settings)
        } catch {
            switch error {
            case .gateway(let error):
                attempt.rejection = error.kind
                record(attempt, id: id)
                return context.reject(error, dialect: state.dialect)
            case .translation(let error):
                attempt.rejection = error.kind
                record(attempt, id: id)
                return context.reject(error, dialect: state.dialect)
            }
        }
        let upstream: UpstreamRequest
        do {
            upstream = try UpstreamRequest(
                backend: backend,
                endpoint: state.endpoint,
                upstreamEndpoint: prepared.endpoint,
                body: prepared.body,
                otherProviders: snapshot.providers
            )
        } catch {
            attempt.rejection = error.kind
            record(attempt, id: id)
            return context.reject(error, dialect: state.dialect)
        }
        attempt.clientWantsStreamUsage = prepared.clientWantsStreamUsage
        attempt.dialect = upstreamDialect
        record(attempt, id: id)
        context.metrics.upstreamAttemptRewritten()
        return Self.response(for: upstream)
    }

    private func record(_ attempt: UpstreamAttempt, id: RequestID) {
        context.requests.recordAttempt(attempt, for: id, now: context.now())
    }

    /// Why an attempt could not be prepared.
    enum PrepareError: Error {
        case gateway(GatewayError)
        case translation(TranslationError)
    }

    /// The body, endpoint and stream-usage flag for one attempt.
    struct PreparedAttempt {
        var endpoint: Endpoint
        var body: [UInt8]
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
    static func prepare(
        state: RequestState,
        backend: ResolvedBackend,
        settings: GatewaySettings
    ) throws(PrepareError) -> PreparedAttempt {
        let upstreamDialect = backend.provider.schema.dialect
        switch state.endpoint {
        case .chatCompletions, .messages:
            let options = RequestTranslationOptions(
                upstreamModel: backend.backend.upstreamModel,
                defaultMaxTokens: settings.defaultMaxTokens,
                openAIMaxTokensField: backend.provider.maxTokensField
            )
            let translated: TranslatedRequest
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
            return PreparedAttempt(
                endpoint: upstreamDialect == .anthropic ? .messages : .chatCompletions,
                body: translated.body,
                clientWantsStreamUsage: translated.clientWantsStreamUsage
            )
        case .completions, .embeddings, .responses, .models:
            guard upstreamDialect == .openAI else {
                throw .gateway(.endpointNotSupported(model: backend.model.name, path: state.endpoint.path))
            }
            let translated: TranslatedRequest
            do {
                translated = try DialectTranslation.passthroughRequest(
                    state.body,
                    endpoint: state.endpoint,
                    modelValueRange: state.modelValueRange,
                    clientModel: state.clientModel,
                    upstreamModel: backend.backend.upstreamModel,
                    stream: state.stream
                )
            } catch {
                throw .translation(error)
            }
            return PreparedAttempt(
                endpoint: state.endpoint,
                body: translated.body,
                clientWantsStreamUsage: translated.clientWantsStreamUsage
            )
        }
    }

    /// The reply that applies `upstream` to the attempt.
    static func response(for upstream: UpstreamRequest) -> ProcessingResponse {
        let length = String(upstream.body.count)
        var set: [HeaderValueOption] = []
        set.reserveCapacity(upstream.headers.count + 3)
        set.append(overwrite(":path", upstream.path))
        set.append(overwrite(":authority", upstream.authority))
        for header in upstream.headers {
            set.append(HeaderValueOption(header, appendAction: .overwriteIfExistsOrAdd))
        }
        set.append(overwrite("content-length", length))
        let common = CommonResponse(
            status: .continueAndReplace,
            headerMutation: HeaderMutation(setHeaders: set, removeHeaders: upstream.removedHeaders),
            bodyMutation: .replace(upstream.body)
        )
        let metadata: ProtoStruct = [GatewayMetadata.namespace: [GatewayMetadata.contentLengthKey: .string(length)]]
        return ProcessingResponse(.continue(common), dynamicMetadata: metadata)
    }

    private static func overwrite(_ name: String, _ value: String) -> HeaderValueOption {
        HeaderValueOption(HeaderField(name: name, value: value), appendAction: .overwriteIfExistsOrAdd)
    }
}
