/// A reply Envoy sends to the client itself, ending the HTTP exchange
/// (`envoy.service.ext_proc.v3.ImmediateResponse`).
public struct ImmediateResponse: Sendable, Hashable {
    /// The HTTP status code; Envoy accepts 200...599.
    public var status: Int
    /// Changes to the headers Envoy would send by default (such as content-type).
    public var headers: HeaderMutation
    /// Sent as text/plain, or as grpc-message for gRPC clients.
    public var body: [UInt8]
    /// When set, Envoy adds a grpc-status trailer with this code.
    public var grpcStatus: UInt32?
    /// Shown by Envoy in access logs as %RESPONSE_CODE_DETAILS%.
    public var details: String

    public init(
        status: Int,
        headers: HeaderMutation = HeaderMutation(),
        body: [UInt8] = [],
        grpcStatus: UInt32? = nil,
        details: String = ""
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.grpcStatus = grpcStatus
        self.details = details
    }
}
