import ExtProc

/// The router-level ext_proc stream of one request (docs/architecture.md, "One request, two
/// phases" 1, 2 and 4).
///
/// - Request headers: endpoint from `:path`, method check, gateway key (`authorization: Bearer` or
///   `x-api-key`), `/v1/models` answered at once, `content-length` over the cap refused; key
///   headers and any client-sent `x-tollgate-*` removed.
/// - Request body (buffered): `model` and `stream` scanned, size, alias and permission checked,
///   `x-tollgate-model` and `x-tollgate-request` set with the route cache cleared, the request's
///   state stored for the upstream phase, and its id also sent as dynamic metadata
///   (`tollgate.request`), which unlike the header reaches every upstream attempt.
/// - Everything later continues unchanged. When the stream ends the stored state is removed.
public final class RouterPhaseHandler: ExtProcStreamHandler {
    private enum State {
        /// Nothing seen yet.
        case idle
        /// Headers accepted; the body decides the rest.
        case awaitingBody(Admission)
        /// Routed; the state is stored under this id until the stream ends.
        case routed(RequestID)
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
        case .requestTrailers, .responseHeaders, .responseBody, .responseTrailers:
            return .continue
        }
    }

    public func streamDidEnd(_ ending: ExtProcStreamEnding) {
        if case .routed(let id) = state {
            context.requests.remove(id)
        }
        state = .done
    }

    // MARK: - Request headers

    private func requestHeaders(_ headers: HTTPHeaders) -> ProcessingResponse {
        state = .done
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
            default:
                if field.name.utf8.starts(with: GatewayHeaders.prefix.utf8) { removed.append(field.name) }
            }
        }

        guard let endpoint = Endpoint(path: path) else {
            let shown = path.prefix { $0 != UInt8(ascii: "?") }
            return context.reject(.unknownPath(String(decoding: shown, as: UTF8.self)), dialect: .openAI)
        }
        let dialect = endpoint.dialect
        guard method.elementsEqual(endpoint.method.utf8) else {
            let error = GatewayError.methodNotAllowed(
                method: String(decoding: method, as: UTF8.self),
                allowed: endpoint.method
            )
            return context.reject(error, dialect: dialect)
        }
        guard let presented = Self.presentedKey(authorization: authorization, apiKey: apiKey) else {
            return context.reject(.missingKey, dialect: dialect)
        }
        let snapshot = context.snapshots.current()
        guard let key = snapshot.key(presented: presented) else {
            return context.reject(.invalidKey, dialect: dialect)
        }

        if endpoint == .models {
            context.metrics.admitted(.models)
            let body = ModelList.body(models: snapshot.models(allowedFor: key))
            let headers = HeaderMutation(setHeaders: [
                HeaderValueOption(
                    HeaderField(name: "content-type", value: "application/json"),
                    appendAction: .overwriteIfExistsOrAdd
                )
            ])
            return ProcessingResponse(
                .immediate(ImmediateResponse(status: 200, headers: headers, body: body, details: "tollgate_models"))
            )
        }

        let limit = snapshot.settings.maxBodyBytes
        if let contentLength, let length = Self.decimal(contentLength), length > limit {
            return context.reject(.bodyTooLarge(limit: limit), dialect: dialect)
        }
        if headers.endOfStream {
            return context.reject(.malformedBody(JSONScanError(.empty, at: 0).description), dialect: dialect)
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
            return context.reject(.bodyTooLarge(limit: limit), dialect: dialect)
        }
        let fields: RequestBodyFields
        do {
            fields = try RequestBodyFields(scanning: body)
        } catch {
            return context.reject(.malformedBody(error.description), dialect: dialect)
        }
        guard let range = fields.modelValueRange else {
            return context.reject(.missingModel, dialect: dialect)
        }
        guard let name = fields.model else {
            return context.reject(.modelNotAString, dialect: dialect)
        }
        let model: ModelConfig
        switch BackendSelection.model(named: name, for: admission.key, in: admission.snapshot) {
        case .success(let found): model = found
        case .failure(let error): return context.reject(error, dialect: dialect)
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
}
