/// What the router phase learned about a request and the upstream phase needs for each attempt,
/// plus what each attempt adds for the response side (`attempts`, `lastAttempt`).
///
/// The router stream and the upstream streams of one request may run on different event loops:
/// the state is only ever read as a copy (`RequestStore.take`) and changed under the store's lock
/// (`RequestStore.recordAttempt`), never shared by reference.
public struct RequestState: Sendable, Hashable {
    /// The gateway key's name and tenant, for logs and usage.
    public var keyName: String
    public var tenant: String
    public var endpoint: Endpoint
    /// The model's public name (an alias already resolved): what Envoy routed on.
    public var model: String
    /// The name as the client sent it, which may be an alias.
    public var clientModel: String
    /// The client's body as received; each attempt translates it (or splices its upstream model
    /// name into it) for its backend.
    public var body: [UInt8]
    /// The router's scan of `body`: where `model`'s value sits, `stream`, and where each attempt
    /// splices the upstream model name and a stream's request for usage, without scanning the
    /// body again.
    public var bodyFields: RequestBodyFields
    /// Upstream attempts the upstream phase saw (Envoy's retries included), refused ones too.
    public var attempts: Int
    /// The latest of them.
    public var lastAttempt: UpstreamAttempt?

    public init(
        keyName: String,
        tenant: String,
        endpoint: Endpoint,
        model: String,
        clientModel: String,
        body: [UInt8],
        bodyFields: RequestBodyFields,
        attempts: Int = 0,
        lastAttempt: UpstreamAttempt? = nil
    ) {
        self.keyName = keyName
        self.tenant = tenant
        self.endpoint = endpoint
        self.model = model
        self.clientModel = clientModel
        self.body = body
        self.bodyFields = bodyFields
        self.attempts = attempts
        self.lastAttempt = lastAttempt
    }

    public var dialect: APIDialect { endpoint.dialect }

    /// The body's `stream: true`.
    public var stream: Bool { bodyFields.stream ?? false }
}
