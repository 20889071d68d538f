import ExtProc

/// The upstream-level ext_proc stream of one attempt (docs/architecture.md, "One request,
/// two phases" 3). Envoy runs the cluster's upstream filters once per attempt, retries included, and
/// sends only the request headers, with the upstream host's metadata as a request attribute. Only
/// models with several backends have it: a one-backend model's request is prepared by the router
/// phase and takes a cluster without this filter (`AttemptPreparation`).
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
        switch AttemptPreparation.prepare(state, backendID: backendID, snapshot: context.snapshots.current()) {
        case .success(let prepared):
            record(prepared.attempt, id: id)
            context.metrics.upstreamAttemptRewritten()
            return Self.response(for: prepared.request)
        case .failure(let refusal):
            record(refusal.attempt, id: id)
            switch refusal.reason {
            case .gateway(let error): return context.reject(error, dialect: state.dialect)
            case .translation(let error): return context.reject(error, dialect: state.dialect)
            }
        }
    }

    private func record(_ attempt: UpstreamAttempt, id: RequestID) {
        context.requests.recordAttempt(attempt, for: id, now: context.now())
    }

    /// The reply that applies `upstream` to the attempt.
    static func response(for upstream: UpstreamRequest) -> ProcessingResponse {
        let common = CommonResponse(
            status: .continueAndReplace,
            headerMutation: HeaderMutation(setHeaders: upstream.headerOptions, removeHeaders: upstream.removedHeaders),
            bodyMutation: .replace(upstream.body)
        )
        return ProcessingResponse(
            .continue(common),
            dynamicMetadata: GatewayMetadata.contentLength(upstream.body.count)
        )
    }
}
