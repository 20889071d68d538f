/// Which parts of the HTTP exchange Envoy sends to the processor, and how bodies are delivered
/// (`envoy.extensions.filters.http.ext_proc.v3.ProcessingMode`).
///
/// A reply to headers may carry one as `ProcessingResponse.modeOverride` to change the rest of
/// this exchange, if the filter's `allow_mode_override` is on. `requestHeaderMode` is ignored
/// there, since the request headers have already been sent.
public struct ProcessingMode: Sendable, Hashable {
    public enum HeaderSendMode: Sendable, Hashable {
        /// Leave the filter's configured behaviour unchanged.
        case `default`
        case send
        case skip
    }

    public enum BodySendMode: Sendable, Hashable {
        case none
        /// Chunk by chunk, one reply per chunk.
        case streamed
        /// The whole body in one message; too large a body fails the request.
        case buffered
        /// The whole body up to the buffer limit, in one message.
        case bufferedPartial
        /// Chunks both ways with no one-to-one replies: Envoy sends every chunk without waiting,
        /// and the body travels on only as the processor sends it back (`BodyMutation.streamed`).
        case fullDuplexStreamed
        /// One message per gRPC message of a gRPC body.
        case grpc
        /// A mode newer than Tollgate's protos, kept as its number (the enum is open on the wire).
        case unrecognized(Int32)
    }

    public var requestHeaderMode: HeaderSendMode
    public var responseHeaderMode: HeaderSendMode
    public var requestBodyMode: BodySendMode
    public var responseBodyMode: BodySendMode
    public var requestTrailerMode: HeaderSendMode
    public var responseTrailerMode: HeaderSendMode

    /// Every field defaults to "no change", which is also what an empty message means on the wire.
    public init(
        requestHeaderMode: HeaderSendMode = .default,
        responseHeaderMode: HeaderSendMode = .default,
        requestBodyMode: BodySendMode = .none,
        responseBodyMode: BodySendMode = .none,
        requestTrailerMode: HeaderSendMode = .default,
        responseTrailerMode: HeaderSendMode = .default
    ) {
        self.requestHeaderMode = requestHeaderMode
        self.responseHeaderMode = responseHeaderMode
        self.requestBodyMode = requestBodyMode
        self.responseBodyMode = responseBodyMode
        self.requestTrailerMode = requestTrailerMode
        self.responseTrailerMode = responseTrailerMode
    }
}
