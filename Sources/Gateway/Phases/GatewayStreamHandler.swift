import ExtProc

/// The handler `GatewayHandlerFactory` makes for every ext_proc stream. The factory cannot know
/// which filter opened the stream, so the first message decides, and every call is delegated:
///
/// - upstream phase: the message carries the `xds.upstream_host_metadata` attribute or the
///   forwarded `tollgate.request` metadata, which only the upstream filter is configured to send;
///   or it has neither but its `x-tollgate-request` names a live request (an upstream filter
///   missing its settings: answered with a 500 rather than mistaken for a new client request);
/// - router phase: anything else.
public final class GatewayStreamHandler: ExtProcStreamHandler {
    private enum Role {
        case undecided
        case router(RouterPhaseHandler)
        case upstream(UpstreamPhaseHandler)
    }

    private let context: GatewayContext
    private var role = Role.undecided

    public init(context: GatewayContext) {
        self.context = context
    }

    public func replies(to request: ProcessingRequest) -> [ProcessingReply] {
        switch role {
        case .router(let handler):
            return handler.replies(to: request)
        case .upstream(let handler):
            return handler.replies(to: request)
        case .undecided:
            if isUpstream(request) {
                let handler = UpstreamPhaseHandler(context: context)
                role = .upstream(handler)
                return handler.replies(to: request)
            }
            let handler = RouterPhaseHandler(context: context)
            role = .router(handler)
            return handler.replies(to: request)
        }
    }

    public func streamDidEnd(_ ending: ExtProcStreamEnding) {
        switch role {
        case .router(let handler): handler.streamDidEnd(ending)
        case .upstream(let handler): handler.streamDidEnd(ending)
        case .undecided: break
        }
    }

    public var hasDeferredWork: Bool {
        guard case .router(let handler) = role else { return false }
        return handler.hasDeferredWork
    }

    public func performDeferredWork() {
        guard case .router(let handler) = role else { return }
        handler.performDeferredWork()
    }

    private func isUpstream(_ request: ProcessingRequest) -> Bool {
        if UpstreamHostMetadata.isPresent(in: request.attributes) { return true }
        // Only the upstream filter forwards the tollgate namespace.
        if GatewayMetadata.requestID(in: request.metadataContext) != nil { return true }
        guard case .requestHeaders(let headers) = request.payload,
            let value = headers.fields.first(named: GatewayHeaders.request),
            let id = RequestID(header: value.rawValue)
        else { return false }
        return context.requests.contains(id, now: context.now())
    }
}
