import ExtProc

/// The router phase's handling of one response, as a state machine with no I/O and no clock:
/// what to ask Envoy for when the response headers arrive, and what each body message becomes.
///
///     awaitingHeaders ──▶ passedThrough                       (nothing to change or read)
///            │
///            ├──▶ bufferedResponse ──body──▶ finished         (2xx JSON: usage, translation)
///            ├──▶ bufferedUsage ─────body──▶ finished         (2xx JSON of an OpenAI-only endpoint: usage)
///            ├──▶ bufferedError ──────body──▶ finished         (4xx/5xx to another dialect, or 401)
///            └──▶ streaming ──chunk*──end──▶ finished          (2xx SSE: one translator per response)
///
/// Every ext_proc round trip that is not needed is avoided: an error body that stays in its
/// dialect is not read, and neither is a response Tollgate or Envoy wrote (an upstream attempt
/// Tollgate refused, Envoy's local reply). A 2xx body always is, for its usage. A streamed body
/// is answered chunk by chunk, each chunk replaced by what the translator gives for it (left
/// alone when that is the same bytes), so the client's first bytes leave with the provider's.
///
/// `State` is private so only the events below change it; `modifying` stands in while a
/// translator is mutated, so its buffers are never copied.
struct ResponsePhase {
    /// What the router phase knows of the request when the response starts.
    struct Request {
        var endpoint: Endpoint
        /// The last upstream attempt; nil when none was made.
        var attempt: UpstreamAttempt?
        /// Seed for ids the translators invent: the request id.
        var idSeed: String
    }

    /// What the response headers say that matters here.
    struct Headers {
        var status: Int
        var isEventStream: Bool
        /// A `content-encoding` other than `identity`: the body cannot be read.
        var isEncoded: Bool
        /// Envoy wrote the response itself (`EnvoyLocalReplies`).
        var isLocalReply: Bool
        var endOfStream: Bool
        /// Unix seconds for `created` in OpenAI bodies written from Anthropic ones.
        var created: Int
    }

    enum OnHeaders: Equatable {
        /// Nothing to change and nothing to read: the response is complete as far as Tollgate goes.
        case passThrough
        /// Ask Envoy for the body in `mode`; drop `content-length` when the body will change.
        case readBody(ProcessingMode.BodySendMode, removeContentLength: Bool)
    }

    /// The answer to one body message.
    struct OnBody: Equatable {
        /// The bytes that replace the message's; nil leaves them as they are.
        var replacement: [UInt8]?
        /// A new `:status` (an error whose status differs in the client's API).
        var status: Int?
        /// The whole body was replaced in buffered mode: its length goes in `content-length`.
        var setsContentLength: Bool
        /// This message was the body's last: the response is complete.
        var finished: Bool
        /// This chunk carried the response's first content (text or a tool call).
        var firstContent: Bool
    }

    private enum State {
        case awaitingHeaders
        case passedThrough
        case bufferedResponse(upstream: APIDialect, client: APIDialect, context: ResponseTranslationContext)
        /// A body that passes as the provider wrote it, read for its usage in `endpoint`'s shape.
        case bufferedUsage(Endpoint)
        case bufferedError(status: Int, upstream: APIDialect, client: APIDialect)
        case streaming(any ResponseStreamTranslator)
        case finished
        case modifying
    }

    private var state = State.awaitingHeaders
    /// Read from the provider's body; nil until read, and when it had none.
    private(set) var usage: TokenUsage?
    /// How a streamed body ended (or stands); nil for other bodies.
    private(set) var streamOutcome: StreamOutcome?

    mutating func receiveHeaders(_ headers: Headers, request: Request) -> OnHeaders {
        guard case .awaitingHeaders = state else { return .passThrough }
        guard let attempt = request.attempt, attempt.reachedProvider, let upstream = attempt.dialect,
            !headers.isLocalReply, !headers.endOfStream, !headers.isEncoded
        else {
            state = .passedThrough
            return .passThrough
        }
        let client = request.endpoint.dialect
        let status = headers.status
        guard (200..<300).contains(status) else {
            // A provider's error: rewritten when the client speaks the other API, and for a 401
            // (about the gateway's own credential), in every direction.
            if status >= 400 && (client != upstream || status == 401) {
                state = .bufferedError(status: status, upstream: upstream, client: client)
                return .readBody(.buffered, removeContentLength: true)
            }
            state = .passedThrough
            return .passThrough
        }
        switch request.endpoint {
        case .chatCompletions, .messages:
            let context = ResponseTranslationContext(
                created: headers.created,
                includeUsage: attempt.clientWantsStreamUsage,
                idSeed: request.idSeed
            )
            if headers.isEventStream {
                state = .streaming(
                    DialectTranslation.makeStreamTranslator(from: upstream, to: client, context: context)
                )
                streamOutcome = .inProgress
                return .readBody(.streamed, removeContentLength: true)
            }
            state = .bufferedResponse(upstream: upstream, client: client, context: context)
            return .readBody(.buffered, removeContentLength: upstream != client)
        case .completions, .embeddings, .responses:
            // OpenAI's APIs only (the upstream phase sends them nowhere else): the body passes
            // as the provider wrote it and is read for its usage. A completions stream had
            // usage asked for (hidden again unless the client asked too); a Responses API
            // stream reports it in its ending event; embeddings do not stream.
            guard headers.isEventStream else {
                state = .bufferedUsage(request.endpoint)
                return .readBody(.buffered, removeContentLength: false)
            }
            let translator: any ResponseStreamTranslator =
                request.endpoint == .responses
                ? ResponsesPassthroughStream()
                : OpenAIPassthroughStream(clientWantsUsage: attempt.clientWantsStreamUsage)
            state = .streaming(translator)
            streamOutcome = .inProgress
            // The passthrough may end a cut stream with its own error event.
            return .readBody(.streamed, removeContentLength: true)
        case .models:
            state = .passedThrough
            return .passThrough
        }
    }

    mutating func receiveBody(_ bytes: [UInt8], endOfStream: Bool) -> OnBody {
        switch state {
        case .bufferedResponse(let upstream, let client, let context):
            state = .finished
            guard upstream != client else {
                usage = TokenUsage.fromResponse(bytes, dialect: upstream)
                return OnBody(
                    replacement: nil,
                    status: nil,
                    setsContentLength: false,
                    finished: true,
                    firstContent: true
                )
            }
            do {
                let translated = try DialectTranslation.translateResponse(
                    bytes,
                    from: upstream,
                    to: client,
                    context: context
                )
                usage = translated.usage
                return OnBody(
                    replacement: translated.body,
                    status: nil,
                    setsContentLength: true,
                    finished: true,
                    firstContent: true
                )
            } catch {
                // The provider said 2xx with a body its API does not document: a 502 in the
                // client's dialect. Its usage, if it can be read, still counts.
                usage = TokenUsage.fromResponse(bytes, dialect: upstream)
                return OnBody(
                    replacement: error.body(in: client),
                    status: error.status,
                    setsContentLength: true,
                    finished: true,
                    firstContent: false
                )
            }
        case .bufferedUsage(let endpoint):
            state = .finished
            usage = TokenUsage.fromResponse(bytes, endpoint: endpoint)
            return OnBody(replacement: nil, status: nil, setsContentLength: false, finished: true, firstContent: true)
        case .bufferedError(let status, let upstream, let client):
            state = .finished
            let translated = DialectTranslation.translateError(status: status, body: bytes, from: upstream, to: client)
            return OnBody(
                replacement: translated.body,
                status: translated.status == status ? nil : translated.status,
                setsContentLength: true,
                finished: true,
                firstContent: false
            )
        case .streaming(var translator):
            state = .modifying
            let hadContent = translator.hasEmittedContent
            let output = translator.process(bytes, endOfStream: endOfStream)
            usage = translator.usage
            streamOutcome = translator.outcome
            state = endOfStream ? .finished : .streaming(translator)
            return OnBody(
                replacement: output == bytes ? nil : output,
                status: nil,
                setsContentLength: false,
                finished: endOfStream,
                firstContent: !hadContent && translator.hasEmittedContent
            )
        case .awaitingHeaders, .passedThrough, .finished, .modifying:
            return OnBody(replacement: nil, status: nil, setsContentLength: false, finished: false, firstContent: false)
        }
    }

    /// The exchange ended before the body did (a reset): the usage seen so far is kept, and is
    /// not complete; a stream that had not yet shown any counts has zero, incomplete.
    mutating func interrupt() {
        switch state {
        case .streaming, .modifying:
            var partial = usage ?? .none
            partial.isComplete = false
            usage = partial
        case .bufferedResponse, .bufferedUsage, .bufferedError, .awaitingHeaders, .passedThrough, .finished:
            break
        }
        state = .finished
    }
}
