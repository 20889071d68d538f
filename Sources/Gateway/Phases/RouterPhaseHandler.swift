import ExtProc

/// The router-level ext_proc stream of one request (docs/architecture.md, "One request, two
/// phases" 1, 2 and 4).
///
/// - Request headers: endpoint from `:path`, method check, gateway key (`authorization: Bearer` or
///   `x-api-key`), `/v1/models` answered at once, `content-length` over the cap refused; key
///   headers and any client-sent `x-tollgate-*` removed.
/// - Request body (buffered): `model`, `stream` and the output cap scanned, size, alias and
///   permission checked, the request's tokens, request and money reserved against every limit
///   that applies (or 429 naming the one that cannot cover it), `x-tollgate-model` and
///   `x-tollgate-request` set with the route cache cleared, the request's state stored for the
///   upstream phase, and its id also sent as dynamic metadata (`tollgate.request`), which unlike
///   the header reaches every upstream attempt.
/// - Response headers: the request's state read back for its last upstream attempt (which
///   backend, which dialect, or refused by the upstream phase), the `x-ratelimit-*` headers of
///   the limits that apply set (the provider's replaced), and the body asked for only when
///   something needs it (`ResponsePhase`): buffered for a JSON body (usage, translation, an error
///   in the other dialect), streamed for SSE, not at all otherwise.
/// - Response body: translated or read, chunk by chunk when streamed; the last message's reply
///   carries the outcome as dynamic metadata (`GatewayMetadata.completion`).
///
/// Every request ends in exactly one `RequestCompletion` for the observer: at Tollgate's own
/// answer, at the response's last message, or when the stream ends early. Its reservation is
/// settled at the same moment, with the exact usage or with what the response showed before it
/// was cut off. When the stream ends the stored state is removed.
public final class RouterPhaseHandler: ExtProcStreamHandler {
    private enum State {
        /// Nothing seen yet.
        case idle
        /// Headers accepted; the body decides the rest.
        case awaitingBody(Admission)
        /// Routed; the state is stored under this id until the stream ends.
        case routed(RequestID)
        /// The response's body is being read.
        case readingResponse(RequestID)
        /// Answered (an error or `/v1/models`), or nothing more to do.
        case done
    }

    /// What the headers phase established.
    private struct Admission {
        var endpoint: Endpoint
        var key: GatewayKeyConfig
        var snapshot: GatewaySnapshot
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

    public func handle(_ request: ProcessingRequest) -> ProcessingResponse {
        switch request.payload {
        case .requestHeaders(let headers):
            return requestHeaders(headers)
        case .requestBody(let body):
            guard case .awaitingBody(let admission) = state else { return .continue }
            return requestBody(body.bytes, admission: admission)
        case .responseHeaders(let headers):
            guard case .routed(let id) = state else { return .continue }
            return responseHeaders(headers, id: id)
        case .responseBody(let body):
            guard case .readingResponse(let id) = state else { return .continue }
            return responseBody(body, id: id)
        case .requestTrailers, .responseTrailers:
            return .continue
        }
    }

    public func streamDidEnd(_ ending: ExtProcStreamEnding) {
        switch state {
        case .routed(let id), .readingResponse(let id):
            context.requests.remove(id)
        case .idle, .awaitingBody, .done:
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
    }

    /// Ends the exchange with Tollgate's own error, and reports it (to the observer, and in the
    /// dynamic metadata for the access log).
    private func reject(_ error: GatewayError, dialect: APIDialect) -> ProcessingResponse {
        completion.status = error.status
        completion.rejection = error.kind
        report()
        var response = context.reject(error, dialect: dialect)
        response.dynamicMetadata = GatewayMetadata.completion(completion)
        return response
    }

    /// Ends the exchange with a rate-limit refusal, and reports it like `reject`.
    private func reject(_ error: RateLimitError, dialect: APIDialect) -> ProcessingResponse {
        completion.status = error.status
        completion.rejection = error.kind
        report()
        var response = context.reject(error, dialect: dialect)
        response.dynamicMetadata = GatewayMetadata.completion(completion)
        return response
    }

    /// Settles the reservation and tells the observer (and the metrics) how the request ended;
    /// once.
    private func report() {
        guard !reported else { return }
        reported = true
        let now = context.now()
        completion.duration = startedAt.map { now - $0 } ?? .zero
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

    private func requestHeaders(_ headers: HTTPHeaders) -> ProcessingResponse {
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

        state = .awaitingBody(Admission(endpoint: endpoint, key: key, snapshot: snapshot))
        guard !removed.isEmpty else { return .continue }
        return ProcessingResponse(.continue(CommonResponse(headerMutation: HeaderMutation(removeHeaders: removed))))
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

    private func requestBody(_ body: [UInt8], admission: Admission) -> ProcessingResponse {
        state = .done
        let dialect = admission.endpoint.dialect
        let limit = admission.snapshot.settings.maxBodyBytes
        guard body.count <= limit else {
            return reject(.bodyTooLarge(limit: limit), dialect: dialect)
        }
        let fields: RequestBodyFields
        do {
            fields = try RequestBodyFields(scanning: body)
        } catch {
            return reject(.malformedBody(error.description), dialect: dialect)
        }
        guard let range = fields.modelValueRange else {
            return reject(.missingModel, dialect: dialect)
        }
        guard let name = fields.model else {
            return reject(.modelNotAString, dialect: dialect)
        }
        completion.clientModel = name
        let model: ModelConfig
        switch BackendSelection.model(named: name, for: admission.key, in: admission.snapshot) {
        case .success(let found): model = found
        case .failure(let error): return reject(error, dialect: dialect)
        }
        completion.model = model.name
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
                return reject(error, dialect: dialect)
            }
        }

        let id = context.requests.makeID()
        let requestState = RequestState(
            keyName: admission.key.name,
            tenant: admission.key.tenant,
            endpoint: admission.endpoint,
            model: model.name,
            clientModel: name,
            body: body,
            modelValueRange: range,
            stream: fields.stream ?? false
        )
        context.requests.insert(requestState, id: id, now: context.now())
        state = .routed(id)
        completion.requestID = id
        completion.clientModel = name
        completion.stream = requestState.stream
        context.metrics.admitted(admission.endpoint)

        let mutation = HeaderMutation(setHeaders: [
            HeaderValueOption(
                HeaderField(name: GatewayHeaders.model, value: model.name),
                appendAction: .overwriteIfExistsOrAdd
            ),
            HeaderValueOption(
                HeaderField(name: GatewayHeaders.request, value: id.description),
                appendAction: .overwriteIfExistsOrAdd
            ),
        ])
        return ProcessingResponse(
            .continue(CommonResponse(headerMutation: mutation, clearRouteCache: true)),
            dynamicMetadata: GatewayMetadata.request(id)
        )
    }

    // MARK: - Response headers

    private func responseHeaders(_ headers: HTTPHeaders, id: RequestID) -> ProcessingResponse {
        var status = 0
        var isEventStream = false
        var isEncoded = false
        var localReply: String?
        var date: [UInt8]?
        for field in headers.fields {
            switch field.name {
            case ":status": status = Self.decimal(field.rawValue) ?? 0
            case "content-type": isEventStream = Self.hasPrefixIgnoringCase(field.rawValue, Self.eventStream)
            case "content-encoding": isEncoded = !Self.hasPrefixIgnoringCase(field.rawValue, Self.identity)
            case "date": date = field.rawValue
            case GatewayHeaders.localReply: localReply = field.value
            default: break
            }
        }
        let stored = context.requests.take(id, now: context.now())
        let attempt = stored?.lastAttempt
        completion.status = status
        completion.attempts = stored?.attempts ?? 0
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
        if !reservation.isEmpty {
            // The provider's describe the gateway's own account; the client's limits are these.
            mutation.setHeaders = reservation.headers.headerOptions
            mutation.removeHeaders += reservation.headers.unsetNames
        }
        switch decision {
        case .passThrough:
            state = .routed(id)
            report()
            let common = CommonResponse(headerMutation: mutation)
            return ProcessingResponse(.continue(common), dynamicMetadata: GatewayMetadata.completion(completion))
        case .readBody(let mode, let removeContentLength):
            state = .readingResponse(id)
            if removeContentLength { mutation.removeHeaders.append("content-length") }
            let common = CommonResponse(headerMutation: mutation)
            return ProcessingResponse(.continue(common), modeOverride: ProcessingMode(responseBodyMode: mode))
        }
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
