/// What the transport asks of the application for each incoming gRPC call.
///
/// The transport owns sockets, HTTP/2 and gRPC framing; a service only sees whole messages.
/// Implementations are shared by every event-loop thread, so they must be `Sendable`.
public protocol GRPCService: Sendable {
    /// Returns the handler for one call to `method` (for example
    /// `/envoy.service.ext_proc.v3.ExternalProcessor/Process`), or `nil` when the method is not
    /// served, in which case the call is answered with `UNIMPLEMENTED`.
    func makeStreamHandler(method: String) -> (any GRPCStreamHandler)?
}

/// One gRPC call. Every method runs on the event-loop thread that owns the call's connection.
public protocol GRPCStreamHandler: AnyObject {
    /// A whole gRPC message. `message` is only valid for the duration of the call.
    func didReceive(message: UnsafeRawBufferPointer, responder: GRPCResponder)

    /// The client half-closed the call (Envoy does this under its graceful-close flag).
    /// The call stays open until the handler finishes it.
    func didReceiveEnd(responder: GRPCResponder)

    /// The call ended without a status from us: RST_STREAM from the peer, or the connection went away.
    /// This is a normal ending for ext_proc, which resets every stream when its request is done.
    func didCancel()
}
