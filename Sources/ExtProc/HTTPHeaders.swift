/// The headers of the request or the response, as sent in `HttpHeaders`.
public struct HTTPHeaders: Sendable, Hashable {
    /// In the order Envoy sent them, pseudo-headers (`:method`, `:path`, `:status`…) included.
    public var fields: [HeaderField]
    /// True when no body follows these headers.
    public var endOfStream: Bool

    public init(fields: [HeaderField], endOfStream: Bool) {
        self.fields = fields
        self.endOfStream = endOfStream
    }
}
