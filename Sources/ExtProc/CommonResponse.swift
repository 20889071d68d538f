/// How to go on after headers or a body message (`envoy.service.ext_proc.v3.CommonResponse`).
public struct CommonResponse: Sendable, Hashable {
    public enum Status: Sendable, Hashable {
        /// Apply the mutations and continue as the processing mode says.
        case `continue`
        /// Apply the mutations, take `bodyMutation` as the whole body, and send no further
        /// messages for this direction. Used to add or replace a body from a headers reply.
        case continueAndReplace
    }

    public var status: Status
    public var headerMutation: HeaderMutation
    public var bodyMutation: BodyMutation?
    /// Re-route after changing headers. Envoy honours it in the request direction only.
    public var clearRouteCache: Bool

    public init(
        status: Status = .continue,
        headerMutation: HeaderMutation = HeaderMutation(),
        bodyMutation: BodyMutation? = nil,
        clearRouteCache: Bool = false
    ) {
        self.status = status
        self.headerMutation = headerMutation
        self.bodyMutation = bodyMutation
        self.clearRouteCache = clearRouteCache
    }

    /// Nothing to say beyond "continue"; such a response is left off the wire.
    var isEmpty: Bool {
        status == .continue && headerMutation.isEmpty && bodyMutation == nil && !clearRouteCache
    }
}
