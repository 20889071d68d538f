/// What the router phase learned about a request and the upstream phase needs for each attempt.
public struct RequestState: Sendable, Hashable {
    /// The gateway key's name and tenant, for logs and (issue 4) usage.
    public var keyName: String
    public var tenant: String
    public var endpoint: Endpoint
    /// The model's public name (an alias already resolved): what Envoy routed on.
    public var model: String
    /// The name as the client sent it, which may be an alias.
    public var clientModel: String
    /// The client's body as received; each attempt splices its upstream model name into it.
    public var body: [UInt8]
    /// Where `model`'s value (a JSON string, quotes included) sits in `body`.
    public var modelValueRange: Range<Int>
    /// The body's `stream: true`.
    public var stream: Bool

    public init(
        keyName: String,
        tenant: String,
        endpoint: Endpoint,
        model: String,
        clientModel: String,
        body: [UInt8],
        modelValueRange: Range<Int>,
        stream: Bool
    ) {
        self.keyName = keyName
        self.tenant = tenant
        self.endpoint = endpoint
        self.model = model
        self.clientModel = clientModel
        self.body = body
        self.modelValueRange = modelValueRange
        self.stream = stream
    }

    public var dialect: APIDialect { endpoint.dialect }
}
