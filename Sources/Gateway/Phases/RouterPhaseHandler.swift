import ExtProc

/// The router-level ext_proc stream of one request (docs/architecture.md, "One request, two
/// phases" 1, 2 and 4).
///
/// The request body comes FULL_DUPLEX_STREAMED: Envoy sends it right behind the headers without
/// waiting for their reply, and holds the headers until that reply. So the headers' reply is held
/// until the body has been read, and both replies leave together: one round trip for what used
/// to be two (headers, then a buffered body).
///
/// - Request headers: endpoint from `:path`, method check, gateway key (`authorization: Bearer` or
///   `x-api-key`), `/v1/models` answered at once, `content-length` over the cap refused, a
///   request without a body refused (400); any refusal is answered at once. Otherwise the reply
///   waits for the body.
/// - Request body, chunk by chunk until its end (or its trailers): size checked as it grows;
///   then `model`, `stream` and the output cap scanned, alias and permission checked, the
///   request's tokens, request and money reserved against every limit that applies (or 429
///   naming the one that cannot cover it), the request's state stored for the upstream phase.
///   The held headers reply removes key headers and any client-sent `x-tollgate-*`, sets
///   `x-tollgate-model` and `x-tollgate-request` with the route cache cleared, and sends the id
///   as dynamic metadata (`tollgate.request`), which unlike the header reaches every upstream
///   attempt; the body reply gives the body back unchanged (`BodyMutation.streamed`, since in
///   this mode Envoy keeps no copy). A model with one backend is prepared here instead (path,
///   authority, credential, translated body, `x-tollgate-route: direct` for its direct route):
///   no upstream phase runs for it.
/// - Response headers: the request's state read back for its last upstream attempt (which
///   backend, which dialect, or refused by the upstream phase), Envoy's attempt count taken
///   (and removed) for a direct request, the `x-ratelimit-*` headers of
///   the limits that apply set (the provider's replaced). The body comes STREAMED, its first
///   chunk right behind the headers (`send_body_without_waiting_for_header_response`), so the
///   headers' reply and the first chunk's cost one round trip. What the body needs comes from
///   `ResponsePhase`: nothing (each chunk continues), a stream translated chunk by chunk, or a
///   whole body (JSON usage, translation, an error in the other dialect), for which the headers'
///   reply and every chunk's are held until the body's end, since the status may still change.
/// - Response body: the last message's reply carries the outcome as dynamic metadata
///   (`GatewayMetadata.completion`).
///
/// Every request ends in exactly one `RequestCompletion` for the observer: at Tollgate's own
/// answer, at the response's last message, or when the stream ends early. Its reservation is
/// settled at the same moment, with the exact usage or with what the response showed before it
/// was cut off. When the stream ends the stored state is removed.
public final class RouterPhaseHandler: ExtProcStreamHandler {
    private enum State {
        /// Nothing seen yet.
        case idle
        /// Headers accepted and their reply held; the body so far.
        case readingBody(Admission, body: [UInt8])
        /// Routed; the state is stored under this id until the stream ends.
        case routed(RequestID)
        /// The response's body is being read chunk by chunk.
        case readingResponse(RequestID)
        /// The response's body is being read whole: the headers' reply and `chunks` chunk replies
        /// are held until its end.
        case holdingResponse(RequestID, HeldResponse)
        /// Answered (an error or `/v1/models`), or nothing more to do.
        case done
        /// Stands in while a state's buffer is appended to, so it is never copied.
        case modifying
    }

    /// What the headers phase established.
    private struct Admission {
        var endpoint: Endpoint
        var key: GatewayKeyConfig
        var snapshot: GatewaySnapshot
        /// Key headers and client-sent `x-tollgate-*`, removed by the held headers reply.
        var removedHeaders: [String]
    }

    /// A response body read whole in STREAMED mode, and the replies it holds.
    private struct HeldResponse {
        var headerMutation: HeaderMutation
        var body: [UInt8] = []
        var chunks = 0
        /// Past this many bytes the body is let through unread: Envoy's queue of unanswered
        /// chunks stops reading from the provider at its buffer limit (`per_connection_buffer_limit_bytes`,
        /// above `max_body_bytes`), and a body held there would never end.
        var limit: Int
    }

    private let context: GatewayContext
    private var state = State.idle
    /// When the request's headers reached Tollgate: the start of every duration.
    private var startedAt: ContinuousClock.Instant?
    /// The outcome, filled in as the exchange goes; reported once.
    private var completion = RequestCompletion()
    private var reported = false
    private var response = ResponsePhase()
    /// What the request holds against its limits, from its body until `report` settles it.
    private var reservation = RateLimitReservation.empty

    public init(context: GatewayContext) {
        self.context = context
    }

    public func replies(to request: ProcessingRequest) -> [ProcessingReply] {
        switch request.payload {
        case .requestHeaders(let headers):
            guard let refusal = requestHeaders(headers) else { return [] }
            return [ProcessingReply(answering: .requestHeaders, refusal)]
        case .requestBody(let body):
            return requestBody(body)
        case .requestTrailers:
            guard case .readingBody(let admission, let body) = state else {
                return [ProcessingReply(answering: .requestTrailers, .continue)]
            }
            // Trailers end a body whose last chunk did not say so.
            return finishRequest(admission: admission, body: body, endedByTrailers: true)
        case .responseHeaders(let headers):
            guard case .routed(let id) = state else { return [ProcessingReply(answering: .responseHeaders, .continue)] }
            return responseHeaders(headers, id: id)
        case .responseBody(let body):
            switch state {
            case .readingResponse(let id):
                return [ProcessingReply(answering: .responseBody, responseBody(body, id: id))]
            case .holdingResponse(let id, var held):
                state = .modifying
                held.chunks += 1
                held.body += body.bytes
                return holdResponseBody(held, id: id, endOfStream: body.endOfStream)
            case .idle, .readingBody, .routed, .done, .modifying:
                return [ProcessingReply(answering: .responseBody, .continue)]
            }
        case .responseTrailers:
            return [ProcessingReply(answering: .responseTrailers, .continue)]
        }
    }

    public func streamDidEnd(_ ending: ExtProcStreamEnding) {
        performDeferredWork()
        switch state {
        case .routed(let id), .readingResponse(let id), .holdingResponse(let id, _):
            context.requests.remove(id)
        case .idle, .readingBody, .done, .modifying:
            break
        }
        state = .done
        guard !reported else { return }
        // Ended before the response did: a client gone, an upstream reset, Envoy's own answer
        // to a body past its buffer. What was seen is kept, marked incomplete.
        response.interrupt()
        completion.usage = response.usage
        completion.streamOutcome = response.streamOutcome
        completion.interrupted = true
        report()
        performDeferredWork()
    }

    /// Ends the exchange with Tollgate's own error, and reports it (to the observer, and in the
    /// dynamic metadata for the access log).
    private func reject(_ error: GatewayError, dialect: APIDialect) -> ProcessingResponse {
        refuse(status: error.status, reason: error.kind) { context.reject(error, dialect: dialect) }
    }

    /// Ends the exchange with a rate-limit refusal, and reports it like `reject`.
    private func reject(_ error: RateLimitError, dialect: APIDialect) -> ProcessingResponse {
        refuse(status: error.status, reason: error.kind) { context.reject(error, dialect: dialect) }
    }

    /// Ends the exchange with a translation error (a direct request that cannot be said in its
    /// backend's API), and reports it like `reject`.
    private func reject(_ error: TranslationError, dialect: APIDialect) -> ProcessingResponse {
        refuse(status: error.status, reason: error.kind) { context.reject(error, dialect: dialect) }
    }

    private func refuse(status: Int, reason: String, reply: () -> ProcessingResponse) -> ProcessingResponse {
        completion.status = status
        completion.rejection = reason
        report()
        var response = reply()
        response.dynamicMetadata = GatewayMetadata.completion(completion)
        return response
    }

    /// Ends the request's duration now; how it ended is recorded once the reply that says so is
    /// written (`hasDeferredWork`), so that the client's last bytes (a buffered response's only
    /// ones) do not wait for the limiter, the ledger or the log.
    private func report() {
        guard !reported else { return }
        reported = true
        let now = context.now()
        completion.duration = startedAt.map { now - $0 } ?? .zero
        hasDeferredWork = true
    }

    /// A reported request's end, not yet recorded.
    public private(set) var hasDeferredWork = false

    public func performDeferredWork() {
        guard hasDeferredWork else { return }
        hasDeferredWork = false
        record()
    }

    /// Settles the reservation and tells the observer (and the metrics) how the request ended.
    private func record() {
        settleReservation()
        if let usage = completion.usage { context.metrics.used(usage) }
        if let outcome = completion.streamOutcome {
            context.metrics.streamEnded(outcome, interrupted: completion.interrupted)
        }
        context.observer.requestDidComplete(completion)
    }

    /// Replaces the reservation by what the provider reported (everything else is given back); a
    /// response cut short, or one without usage, keeps only what it showed (nothing, for an error).
    private func settleReservation() {
        guard !reservation.isEmpty else { return }
        if let usage = completion.usage, usage.isComplete, !completion.interrupted {
            context.limiter.settle(reservation, usage: usage, now: context.wallClock())
        } else {
            context.limiter.release(reservation, consumed: completion.usage ?? .none, now: context.wallClock())
        }
        reservation = .empty
    }

    // MARK: - Request headers

    /// A refusal to answer at once, or nil when the reply waits for the body.
    private func requestHeaders(_ headers: HTTPHeaders) -> ProcessingResponse? {
        state = .done
        startedAt = context.now()
        // One pass over the headers: what we read, and what must not travel further.
        var path: [UInt8] = []
        var method: [UInt8] = []
        var authorization: [UInt8]?
        var apiKey: [UInt8]?
        var contentLength: [UInt8]?
        var removed: [String] = []
        for field in headers.fields {
            switch field.name {
            case ":path": path = field.rawValue
            case ":method": method = field.rawValue
            case "authorization":
                if authorization == nil { authorization = field.rawValue }
                removed.append(field.name)
            case "x-api-key":
                if apiKey == nil { apiKey = field.rawValue }
                removed.append(field.name)
            case "api-key":
                removed.append(field.name)
            case "content-length":
                contentLength = field.rawValue
            case "x-request-id":
                completion.envoyRequestID = field.value
            default:
                if field.name.utf8.starts(with: GatewayHeaders.prefix.utf8) { removed.append(field.name) }
            }
        }

        guard let endpoint = Endpoint(path: path) else {
            let shown = path.prefix { $0 != UInt8(ascii: "?") }
            return reject(.unknownPath(String(decoding: shown, as: UTF8.self)), dialect: .openAI)
        }
        completion.endpoint = endpoint
        let dialect = endpoint.dialect
        guard method.elementsEqual(endpoint.method.utf8) else {
            let error = GatewayError.methodNotAllowed(
                method: String(decoding: method, as: UTF8.self),
                allowed: endpoint.method
            )
            return reject(error, dialect: dialect)
        }
        guard let presented = Self.presentedKey(authorization: authorization, apiKey: apiKey) else {
            return reject(.missingKey, dialect: dialect)
        }
        let snapshot = context.snapshots.current()
        guard let key = snapshot.key(presented: presented) else {
            return reject(.invalidKey, dialect: dialect)
        }
        completion.keyName = key.name
        completion.tenant = key.tenant

        if endpoint == .models {
            context.metrics.admitted(.models)
            completion.status = 200
            report()
            let body = ModelList.body(models: snapshot.models(allowedFor: key))
            let headers = HeaderMutation(setHeaders: [
                HeaderValueOption(
                    HeaderField(name: "content-type", value: "application/json"),
                    appendAction: .overwriteIfExistsOrAdd
                )
            ])
            return ProcessingResponse(
                .immediate(ImmediateResponse(status: 200, headers: headers, body: body, details: "tollgate_models")),
                dynamicMetadata: GatewayMetadata.completion(completion)
            )
        }

        let limit = snapshot.settings.maxBodyBytes
        if let contentLength, let length = Self.decimal(contentLength), length > limit {
            return reject(.bodyTooLarge(limit: limit), dialect: dialect)
        }
        if headers.endOfStream {
            return reject(.malformedBody(JSONScanError(.empty, at: 0).description), dialect: dialect)
        }

        state = .readingBody(
            Admission(endpoint: endpoint, key: key, snapshot: snapshot, removedHeaders: removed),
            body: []
        )
        return nil
    }

    /// The key from `authorization: Bearer <key>` (scheme in any case), else from `x-api-key`.
    /// An `authorization` header of another scheme does not count as a key.
    static func presentedKey(authorization: [UInt8]?, apiKey: [UInt8]?) -> ArraySlice<UInt8>? {
        if let authorization, let key = bearerToken(authorization) { return key }
        if let apiKey {
            let key = trimmed(apiKey[...])
            if !key.isEmpty { return key }
        }
        return nil
    }

    private static func bearerToken(_ value: [UInt8]) -> ArraySlice<UInt8>? {
        let scheme = Array("bearer".utf8)
        guard value.count > scheme.count, value[scheme.count] == UInt8(ascii: " ") else { return nil }
        for index in 0..<scheme.count where value[index] | 0x20 != scheme[index] { return nil }
        let token = trimmed(value[(scheme.count + 1)...])
        return token.isEmpty ? nil : token
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return slice
    }

    /// A content-length value: ASCII digits only, at most 18 of them so it cannot overflow.
    static func decimal(_ bytes: [UInt8]) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return bytes.isEmpty ? nil : Int.max }
        var value = 0
        for byte in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    // MARK: - Request body

    private func requestBody(_ chunk: HTTPBody) -> [ProcessingReply] {
        guard case .readingBody(let admission, var body) = state else {
            return [ProcessingReply(answering: .requestBody, .continue)]
        }
        state = .modifying
        body += chunk.bytes
        let limit = admission.snapshot.settings.maxBodyBytes
        guard body.count <= limit else {
            state = .done
            let refusal = reject(.bodyTooLarge(limit: limit), dialect: admission.endpoint.dialect)
            return [ProcessingReply(answering: .requestBody, refusal)]
        }
        guard chunk.endOfStream else {
            state = .readingBody(admission, body: body)
            return []
        }
        return finishRequest(admission: admission, body: body, endedByTrailers: false)
    }

    /// The whole body is in: a refusal, or the held headers reply, the body given back, and the
    /// trailers' reply when they ended it.
    private func finishRequest(admission: Admission, body: [UInt8], endedByTrailers: Bool) -> [ProcessingReply] {
        state = .done
        let answering: ProcessingPhase = endedByTrailers ? .requestTrailers : .requestBody
        let routing: Routed
        switch route(body, admission: admission) {
        case .success(let routed): routing = routed
        case .failure(let refusal): return [ProcessingReply(answering: answering, refusal.reply)]
        }
        var replies = [
            ProcessingReply(answering: .requestHeaders, routing.headersReply),
            ProcessingReply(
                answering: .requestBody,
                ProcessingResponse(
                    .continue(CommonResponse(bodyMutation: .streamed(routing.body, endOfStream: !endedByTrailers)))
                )
            ),
        ]
        if endedByTrailers { replies.append(ProcessingReply(answering: .requestTrailers, .continue)) }
        return replies
    }

    /// A routed request: the held headers reply and the body to send on.
    private struct Routed {
        var headersReply: ProcessingResponse
        var body: [UInt8]
    }

    /// An immediate answer instead of routing (a refusal, already reported).
    private struct Refused: Error {
        var reply: ProcessingResponse
    }

    /// Reads the whole body: the headers reply that routes the request and the body to send, or
    /// an immediate refusal.
    ///
    /// A model with one backend is prepared here for that backend (credential, path, translation,
    /// as the upstream phase would) and marked for the model's direct route, whose cluster runs
    /// no upstream phase: one ext_proc stream fewer per request. Envoy's retries of it resend
    /// this request as prepared, to the same backend. Should it still reach the normal route (an
    /// Envoy that has not loaded the direct route yet, during a reload), the upstream phase
    /// prepares it again from the stored body, which is harmless.
    private func route(_ body: [UInt8], admission: Admission) -> Result<Routed, Refused> {
        let dialect = admission.endpoint.dialect
        let fields: RequestBodyFields
        do {
            fields = try RequestBodyFields(scanning: body)
        } catch {
            return .failure(Refused(reply: reject(.malformedBody(error.description), dialect: dialect)))
        }
        guard fields.modelValueRange != nil else {
            return .failure(Refused(reply: reject(.missingModel, dialect: dialect)))
        }
        guard let name = fields.model else {
            return .failure(Refused(reply: reject(.modelNotAString, dialect: dialect)))
        }
        completion.clientModel = name
        let model: ModelConfig
        switch BackendSelection.model(named: name, for: admission.key, in: admission.snapshot) {
        case .success(let found): model = found
        case .failure(let error): return .failure(Refused(reply: reject(error, dialect: dialect)))
        }
        completion.model = model.name
        var requestState = RequestState(
            keyName: admission.key.name,
            tenant: admission.key.tenant,
            endpoint: admission.endpoint,
            model: model.name,
            clientModel: name,
            body: body,
            bodyFields: fields
        )
        var direct: AttemptPreparation.Prepared?
        if model.backends.count == 1 {
            switch AttemptPreparation.prepare(
                requestState,
                backendID: model.backends[0].id,
                snapshot: admission.snapshot
            ) {
            case .success(let prepared):
                direct = prepared
                requestState.lastAttempt = prepared.attempt
            case .failure(let refusal):
                completion.backendID = refusal.attempt.backendID
                completion.provider = refusal.attempt.provider
                completion.upstreamModel = refusal.attempt.upstreamModel
                switch refusal.reason {
                case .gateway(let error): return .failure(Refused(reply: reject(error, dialect: dialect)))
                case .translation(let error): return .failure(Refused(reply: reject(error, dialect: dialect)))
                }
            }
        }
        let limits = admission.snapshot.rateLimits
        if !limits.isEmpty {
            let subject = RateLimitSubject(keyName: admission.key.name, tenant: admission.key.tenant, model: model.name)
            let demand = RateLimitDemand(
                body: body,
                maxTokens: fields.maxTokens,
                defaultMaxTokens: admission.snapshot.settings.defaultMaxTokens
            )
            do {
                reservation = try context.limiter.reserve(
                    subject,
                    demand: demand,
                    policy: limits,
                    now: context.wallClock()
                )
            } catch {
                return .failure(Refused(reply: reject(error, dialect: dialect)))
            }
        }

        let id = context.requests.makeID()
        context.requests.insert(requestState, id: id, now: context.now())
        state = .routed(id)
        completion.requestID = id
        completion.clientModel = name
        completion.stream = requestState.stream
        context.metrics.admitted(admission.endpoint)

        var set = [Self.overwrite(GatewayHeaders.model, model.name)]
        guard let direct else {
            set.append(Self.overwrite(GatewayHeaders.request, id.description))
            let mutation = HeaderMutation(setHeaders: set, removeHeaders: admission.removedHeaders)
            let reply = ProcessingResponse(
                .continue(CommonResponse(headerMutation: mutation, clearRouteCache: true)),
                dynamicMetadata: GatewayMetadata.request(id)
            )
            return .success(Routed(headersReply: reply, body: body))
        }
        context.metrics.upstreamAttemptRewritten()
        set.append(Self.overwrite(GatewayHeaders.route, GatewayHeaders.directRoute))
        set += direct.request.headerOptions
        // A handful of names each: a linear search costs less than hashing them.
        var removed: [String] = []
        for name in admission.removedHeaders + direct.request.removedHeaders
        where !set.contains(where: { $0.header.name == name }) && !removed.contains(name) {
            removed.append(name)
        }
        let reply = ProcessingResponse(
            .continue(
                CommonResponse(
                    headerMutation: HeaderMutation(setHeaders: set, removeHeaders: removed),
                    clearRouteCache: true
                )
            ),
            // The id, should a reload send the request through an upstream phase after all.
            dynamicMetadata: GatewayMetadata.request(id, contentLength: direct.request.body.count, dialect: dialect)
        )
        return .success(Routed(headersReply: reply, body: direct.request.body))
    }

    private static func overwrite(_ name: String, _ value: String) -> HeaderValueOption {
        HeaderValueOption(HeaderField(name: name, value: value), appendAction: .overwriteIfExistsOrAdd)
    }

    // MARK: - Response headers

    private func responseHeaders(_ headers: HTTPHeaders, id: RequestID) -> [ProcessingReply] {
        var status = 0
        var isEventStream = false
        var isEncoded = false
        var localReply: String?
        var date: [UInt8]?
        var envoyAttempts: Int?
        for field in headers.fields {
            switch field.name {
            case ":status": status = Self.decimal(field.rawValue) ?? 0
            case "content-type": isEventStream = Self.hasPrefixIgnoringCase(field.rawValue, Self.eventStream)
            case "content-encoding": isEncoded = !Self.hasPrefixIgnoringCase(field.rawValue, Self.identity)
            case "date": date = field.rawValue
            case GatewayHeaders.localReply: localReply = field.value
            case GatewayHeaders.attemptCount: envoyAttempts = Self.decimal(field.rawValue)
            default: break
            }
        }
        let stored = context.requests.take(id, now: context.now())
        let attempt = stored?.lastAttempt
        completion.status = status
        // The upstream phase counts the attempts it prepared; Envoy counts a direct request's.
        completion.attempts = max(stored?.attempts ?? 0, envoyAttempts ?? 0, attempt == nil ? 0 : 1)
        completion.backendID = attempt?.backendID
        completion.provider = attempt?.provider
        completion.upstreamModel = attempt?.upstreamModel
        if let localReply {
            completion.rejection = localReply
        } else if let rejection = attempt?.rejection {
            completion.rejection = rejection
        }

        let created = date.flatMap(HTTPDate.unixSeconds) ?? Int(context.wallClock().milliseconds / 1000)
        let decision = response.receiveHeaders(
            ResponsePhase.Headers(
                status: status,
                isEventStream: isEventStream,
                isEncoded: isEncoded,
                isLocalReply: localReply != nil,
                endOfStream: headers.endOfStream,
                created: created
            ),
            request: ResponsePhase.Request(
                endpoint: stored?.endpoint ?? .chatCompletions,
                attempt: attempt,
                idSeed: id.description
            )
        )
        var mutation = HeaderMutation()
        if localReply != nil { mutation.removeHeaders.append(GatewayHeaders.localReply) }
        if envoyAttempts != nil { mutation.removeHeaders.append(GatewayHeaders.attemptCount) }
        if !reservation.isEmpty {
            // The provider's describe the gateway's own account; the client's limits are these.
            mutation.setHeaders = reservation.headers.headerOptions
            mutation.removeHeaders += reservation.headers.unsetNames
        }
        // The body comes STREAMED whatever is decided here, so Envoy drops `content-length`.
        switch decision {
        case .passThrough:
            state = .routed(id)
            report()
            let common = CommonResponse(headerMutation: mutation)
            let reply = ProcessingResponse(.continue(common), dynamicMetadata: GatewayMetadata.completion(completion))
            return [ProcessingReply(answering: .responseHeaders, reply)]
        case .readBody(.buffered, _):
            let limit = context.snapshots.current().settings.maxBodyBytes
            state = .holdingResponse(id, HeldResponse(headerMutation: mutation, limit: limit))
            return []
        case .readBody:
            state = .readingResponse(id)
            let reply = ProcessingResponse(.continue(CommonResponse(headerMutation: mutation)))
            return [ProcessingReply(answering: .responseHeaders, reply)]
        }
    }

    /// One more chunk of a body read whole: nothing until its end (or its size passes the
    /// limit), then the held headers reply and one reply per chunk, the last carrying the
    /// replaced body and the earlier ones cleared.
    private func holdResponseBody(_ held: HeldResponse, id: RequestID, endOfStream: Bool) -> [ProcessingReply] {
        guard endOfStream || held.body.count > held.limit else {
            state = .holdingResponse(id, held)
            return []
        }
        guard endOfStream else {
            // Too large to hold: it goes on as the provider wrote it, unread.
            state = .routed(id)
            response.interrupt()
            completion.usage = response.usage
            report()
            var replies = [
                ProcessingReply(
                    answering: .responseHeaders,
                    ProcessingResponse(
                        .continue(CommonResponse(headerMutation: held.headerMutation)),
                        dynamicMetadata: GatewayMetadata.completion(completion)
                    )
                )
            ]
            for _ in 0..<held.chunks { replies.append(ProcessingReply(answering: .responseBody, .continue)) }
            return replies
        }
        state = .readingResponse(id)
        let whole = responseBody(HTTPBody(bytes: held.body, endOfStream: true), id: id)
        // The whole body's reply carries the header changes it makes (`:status`); they belong to
        // the headers reply, with the ones decided at the headers.
        guard case .continue(var common) = whole.decision else { return [] }
        var headers = held.headerMutation
        headers.setHeaders += common.headerMutation.setHeaders.filter { $0.header.name != "content-length" }
        common.headerMutation = HeaderMutation()
        var replies = [
            ProcessingReply(
                answering: .responseHeaders,
                ProcessingResponse(.continue(CommonResponse(headerMutation: headers)))
            )
        ]
        let body = common.bodyMutation
        for chunk in 0..<held.chunks {
            let last = chunk == held.chunks - 1
            common.bodyMutation = last ? body : (body == nil ? nil : .clear)
            replies.append(
                ProcessingReply(
                    answering: .responseBody,
                    ProcessingResponse(.continue(common), dynamicMetadata: last ? whole.dynamicMetadata : nil)
                )
            )
        }
        return replies
    }

    private static let eventStream = Array("text/event-stream".utf8)
    private static let identity = Array("identity".utf8)

    /// Whether `value` starts with `prefix` (lower-case ASCII), ignoring ASCII case.
    static func hasPrefixIgnoringCase(_ value: [UInt8], _ prefix: [UInt8]) -> Bool {
        guard value.count >= prefix.count else { return false }
        for index in 0..<prefix.count where value[index] | 0x20 != prefix[index] | 0x20 { return false }
        return true
    }

    // MARK: - Response body

    private func responseBody(_ body: HTTPBody, id: RequestID) -> ProcessingResponse {
        let result = response.receiveBody(body.bytes, endOfStream: body.endOfStream)
        if result.firstContent, let startedAt {
            let elapsed = context.now() - startedAt
            completion.timeToFirstToken = elapsed
            if completion.stream { context.metrics.firstToken(after: elapsed) }
        }
        var common = CommonResponse()
        if let replacement = result.replacement {
            common.bodyMutation = replacement.isEmpty ? .clear : .replace(replacement)
            if result.setsContentLength {
                common.headerMutation.setHeaders.append(
                    HeaderValueOption(
                        HeaderField(name: "content-length", value: String(replacement.count)),
                        appendAction: .overwriteIfExistsOrAdd
                    )
                )
            }
        }
        if let status = result.status {
            common.headerMutation.setHeaders.append(
                HeaderValueOption(
                    HeaderField(name: ":status", value: String(status)),
                    appendAction: .overwriteIfExistsOrAdd
                )
            )
        }
        guard result.finished else { return ProcessingResponse(.continue(common)) }
        state = .routed(id)
        completion.usage = response.usage
        completion.streamOutcome = response.streamOutcome
        if let status = result.status { completion.status = status }
        report()
        return ProcessingResponse(.continue(common), dynamicMetadata: GatewayMetadata.completion(completion))
    }
}
